package io.dcloud.usage;

import io.dcloud.resources.Resources;
import io.dcloud.serialization.CborSerializable;

/**
 * What environments consumed: how long their containers ran, and that time weighted by what each
 * held (in milliseconds, as whole numbers, so sums never drift; a terabyte of RAM for a year still
 * fits a long in MiB·ms). Shown in hours ({@link #cpuHours()} etc.).
 */
public record Usage(long runningMillis, long milliCpuMillis, long memoryMibMillis, long gpuMillis)
    implements CborSerializable {
  public static final Usage NONE = new Usage(0, 0, 0, 0);

  private static final double MILLIS_PER_HOUR = 3_600_000.0;
  private static final long BYTES_PER_MIB = 1024 * 1024;
  private static final double MIB_PER_GIB = 1024.0;

  /** {@code resources} held for {@code millis}. */
  public static Usage of(Resources resources, long millis) {
    return new Usage(millis, resources.milliCpus() * millis, resources.memoryBytes() / BYTES_PER_MIB * millis,
        resources.gpus() * millis);
  }

  public Usage plus(Usage other) {
    return new Usage(runningMillis + other.runningMillis, milliCpuMillis + other.milliCpuMillis,
        memoryMibMillis + other.memoryMibMillis, gpuMillis + other.gpuMillis);
  }

  public boolean isNone() {
    return runningMillis == 0;
  }

  public double runningHours() {
    return runningMillis / MILLIS_PER_HOUR;
  }

  /** Core-hours: a container holding 2 CPUs for an hour used 2. */
  public double cpuHours() {
    return milliCpuMillis / 1000.0 / MILLIS_PER_HOUR;
  }

  public double memoryGibHours() {
    return memoryMibMillis / MIB_PER_GIB / MILLIS_PER_HOUR;
  }

  public double gpuHours() {
    return gpuMillis / MILLIS_PER_HOUR;
  }
}
