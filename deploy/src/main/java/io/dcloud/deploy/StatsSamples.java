package io.dcloud.deploy;

import com.github.dockerjava.api.model.BlkioStatEntry;
import com.github.dockerjava.api.model.CpuStatsConfig;
import com.github.dockerjava.api.model.MemoryStatsConfig;
import com.github.dockerjava.api.model.StatisticNetworksConfig;
import com.github.dockerjava.api.model.Statistics;
import com.github.dockerjava.api.model.StatsConfig;
import com.github.dockerjava.api.DockerClient;
import io.dcloud.deploy.ContainerRuntime.ContainerStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Computes one {@link ContainerStats} the way {@code docker stats} does, from two engine samples. */
final class StatsSamples {

  private static final double PERCENT = 100.0;
  /** The first engine sample has no previous CPU reading; the second has the first as previous. */
  private static final int SAMPLES = 2;
  private static final long NANOS_PER_MILLI = 1_000_000L;

  private StatsSamples() {}

  /**
   * Follows the container's stats stream until two samples came (about a second apart), then
   * closes it. A stopped container yields empty samples: the result is then all zeros.
   */
  static ContainerStats sample(DockerClient client, String containerId, Duration timeout, DaemonCalls calls, String what) {
    List<Statistics> samples = new ArrayList<>();
    StreamCallback<Statistics> stream = new StreamCallback<Statistics>(what, sample -> {
      synchronized (samples) {
        samples.add(sample);
        samples.notifyAll();
      }
    }).onEnd(error -> {
      synchronized (samples) {
        samples.notifyAll();
      }
    });
    client.statsCmd(containerId).exec(stream);
    try (stream) {
      synchronized (samples) {
        awaitSamples(samples, stream, timeout, what);
        if (samples.isEmpty()) {
          Throwable error = stream.error();
          throw error != null ? calls.failure(what, error) : new RuntimeFailure(what + " failed: the engine sent no sample");
        }
        Statistics last = samples.get(samples.size() - 1);
        return of(samples.size() > 1 ? samples.get(samples.size() - 2) : null, last);
      }
    }
  }

  /** Called holding the lock of {@code samples}. */
  private static void awaitSamples(List<Statistics> samples, StreamCallback<Statistics> stream, Duration timeout,
      String what) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (samples.size() < SAMPLES && !stream.hasEnded()) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        if (samples.isEmpty()) {
          throw new RuntimeFailure(what + " got no sample within " + DaemonCalls.human(timeout)
              + " (dcloud.deploy.stats-timeout)");
        }
        return;
      }
      try {
        samples.wait(Math.max(1, left / NANOS_PER_MILLI));
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RuntimeFailure(what + " was interrupted", e);
      }
    }
  }

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
