package io.dcloud.deploy;

import com.github.dockerjava.api.model.BlkioStatEntry;
import com.github.dockerjava.api.model.CpuStatsConfig;
import com.github.dockerjava.api.model.MemoryStatsConfig;
import com.github.dockerjava.api.model.StatisticNetworksConfig;
import com.github.dockerjava.api.model.Statistics;
import com.github.dockerjava.api.model.StatsConfig;
import io.dcloud.deploy.ContainerRuntime.ContainerStats;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Computes one {@link ContainerStats} the way {@code docker stats} does, from two engine samples. */
final class StatsSamples {

  private static final double PERCENT = 100.0;

  private StatsSamples() {}

  /**
   * {@code previous} may be null (a stopped container sends a single empty sample): CPU is then 0.
   * CPU % = container CPU time delta / host CPU time delta * online CPUs * 100.
   */
  static ContainerStats of(Statistics previous, Statistics current) {
    return new ContainerStats(
        previous == null ? 0.0 : cpuPercent(previous.getCpuStats(), current.getCpuStats()),
        memoryUsed(current.getMemoryStats()),
        orZero(current.getMemoryStats() == null ? null : current.getMemoryStats().getLimit()),
        network(current.getNetworks(), true),
        network(current.getNetworks(), false),
        blockIo(current, "read"),
        blockIo(current, "write"),
        current.getPidsStats() == null ? 0 : orZero(current.getPidsStats().getCurrent()));
  }

  static double cpuPercent(CpuStatsConfig before, CpuStatsConfig after) {
    if (before == null || after == null || before.getCpuUsage() == null || after.getCpuUsage() == null) {
      return 0.0;
    }
    long cpuDelta = orZero(after.getCpuUsage().getTotalUsage()) - orZero(before.getCpuUsage().getTotalUsage());
    long systemDelta = orZero(after.getSystemCpuUsage()) - orZero(before.getSystemCpuUsage());
    if (cpuDelta <= 0 || systemDelta <= 0) {
      return 0.0;
    }
    return (double) cpuDelta / systemDelta * onlineCpus(after) * PERCENT;
  }

  private static long onlineCpus(CpuStatsConfig cpu) {
    if (cpu.getOnlineCpus() != null && cpu.getOnlineCpus() > 0) {
      return cpu.getOnlineCpus();
    }
    List<Long> perCpu = cpu.getCpuUsage().getPercpuUsage();
    return perCpu == null || perCpu.isEmpty() ? 1 : perCpu.size();
  }

  /** Usage minus the inactive page cache, as docker stats shows it (cgroup v1 and v2 names). */
  private static long memoryUsed(MemoryStatsConfig memory) {
    if (memory == null) {
      return 0;
    }
    long usage = orZero(memory.getUsage());
    StatsConfig stats = memory.getStats();
    if (stats == null) {
      return usage;
    }
    long inactive = stats.getTotalInactiveFile() != null ? stats.getTotalInactiveFile() : orZero(stats.getInactiveFile());
    return inactive < usage ? usage - inactive : usage;
  }

  private static long network(Map<String, StatisticNetworksConfig> networks, boolean received) {
    if (networks == null) {
      return 0;
    }
    return networks.values().stream().mapToLong(n -> orZero(received ? n.getRxBytes() : n.getTxBytes())).sum();
  }

  private static long blockIo(Statistics stats, String op) {
    if (stats.getBlkioStats() == null || stats.getBlkioStats().getIoServiceBytesRecursive() == null) {
      return 0;
    }
    return stats.getBlkioStats().getIoServiceBytesRecursive().stream()
        .filter(e -> e.getOp() != null && e.getOp().toLowerCase(Locale.ROOT).equals(op))
        .map(BlkioStatEntry::getValue)
        .mapToLong(StatsSamples::orZero)
        .sum();
  }

  private static long orZero(Long value) {
    return value == null ? 0 : value;
  }
}
