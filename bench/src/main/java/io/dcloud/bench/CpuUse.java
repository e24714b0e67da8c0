package io.dcloud.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** CPU time of this JVM and of the Cassandra process over the measured part of the run. */
public record CpuUse(long startWall, long startSelf, long startCassandra, ProcessHandle cassandra) {
  public record Used(double wallSeconds, double dcloudCores, double cassandraCores) {}

  static CpuUse start(ProcessHandle cassandra) {
    return new CpuUse(System.nanoTime(), selfCpu(), cpuOf(cassandra), cassandra);
  }

  Used stop() {
    double wall = (System.nanoTime() - startWall) / (double) TimeUnit.SECONDS.toNanos(1);
    return new Used(wall, (selfCpu() - startSelf) / (double) TimeUnit.SECONDS.toNanos(1) / wall,
        (cpuOf(cassandra) - startCassandra) / (double) TimeUnit.SECONDS.toNanos(1) / wall);
  }

  private static long selfCpu() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
  }

  private static long cpuOf(ProcessHandle process) {
    return process.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
  }
}
