package io.dcloud.node.fingerprint;

import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Resources;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What this machine has, measured once at worker start: the raw capacity from which {@link
 * #allocatable} derives what environments may use.
 *
 * <p>Cores and memory honour the cgroup the worker runs in (a limited container or systemd slice
 * must not advertise the whole host); disk is the total size of the file system that will hold
 * environment data.
 *
 * @param cpus whole cores this process may run on in parallel (a cgroup quota of 1.5 counts as 2,
 *     as {@link Runtime#availableProcessors()} counts it)
 * @param memoryBytes physical memory, capped by the cgroup memory limit when one is set
 * @param diskBytes total size of the file store holding the disk path
 */
public record MachineFingerprint(
    String hostname, int cpus, long memoryBytes, long diskBytes, List<GpuDevice> gpus) {

  private static final Logger log = LoggerFactory.getLogger(MachineFingerprint.class);

  static final Path PROC_MEMINFO = Path.of("/proc/meminfo");
  static final Path KERNEL_HOSTNAME = Path.of("/proc/sys/kernel/hostname");

  /** Millicores in one core: the unit of {@link Resources#milliCpus()}. */
  static final long MILLIS_PER_CORE = 1000;

  /** /proc/meminfo counts in kB, which the kernel means as KiB. */
  static final long BYTES_PER_MEMINFO_KB = 1024;

  /** The "MemTotal:   24682416 kB" line of /proc/meminfo. */
  private static final Pattern MEM_TOTAL = Pattern.compile("(?m)^MemTotal:\\s+(\\d+)\\s*kB\\s*$");

  /** Used when neither the kernel nor the resolver gives a name; the node id, not this, identifies a node. */
  private static final String UNKNOWN_HOSTNAME = "localhost";

  public MachineFingerprint {
    Objects.requireNonNull(hostname, "hostname");
    if (cpus < 0 || memoryBytes < 0 || diskBytes < 0) {
      throw new IllegalArgumentException(
          "negative capacity: cpus=" + cpus + " memoryBytes=" + memoryBytes + " diskBytes=" + diskBytes);
    }
    gpus = List.copyOf(gpus);
  }

  /**
   * Measures this machine. {@code gpus} come from {@link NvidiaSmi#discover} (or an empty list),
   * kept apart so GPU discovery and its timeout stay the caller's choice.
   *
   * @throws UncheckedIOException when the file store of {@code diskPath} cannot be read: a worker
   *     whose data disk is missing must not start with a made-up capacity
   */
  public static MachineFingerprint read(Path diskPath, List<GpuDevice> gpus) {
    return new MachineFingerprint(
        readHostname(),
        effectiveCpus(Runtime.getRuntime().availableProcessors(), Cgroups.readCpuLimit()),
        effectiveMemoryBytes(readMemTotalBytes(), Cgroups.readMemoryLimit()),
        readDiskBytes(diskPath),
        gpus);
  }

  /**
   * What environments may use on this machine once the system reserve (the OS, Docker, the worker
   * itself: kubelet's "system-reserved") is set aside; never below zero. GPUs and disk are not
   * reserved. {@code gpuModel} is the GPU name when all GPUs share one, so a request naming a model
   * matches a homogeneous machine; it is null for no GPUs or a mix (then look at the GPU list).
   */
  public static Resources allocatable(MachineFingerprint fp, long reservedMilliCpus, long reservedMemoryBytes) {
    if (reservedMilliCpus < 0 || reservedMemoryBytes < 0) {
      // A negative reserve would advertise more than the machine has.
      throw new IllegalArgumentException(
          "reserves must not be negative: milliCpus=" + reservedMilliCpus + " memoryBytes=" + reservedMemoryBytes);
    }
    return new Resources(
        Math.max(0, fp.cpus() * MILLIS_PER_CORE - reservedMilliCpus),
        Math.max(0, fp.memoryBytes() - reservedMemoryBytes),
        fp.gpus().size(),
        fp.diskBytes(),
        commonGpuModel(fp.gpus()));
  }

  // ---- pure helpers -------------------------------------------------------------------------

  /**
   * Cores usable in parallel: the processor count, lowered to a cgroup quota rounded up (half a
   * core still runs one thread at a time), and never below one while the machine has any core.
   */
  static int effectiveCpus(int availableProcessors, OptionalDouble cgroupCpuLimit) {
    if (cgroupCpuLimit.isEmpty()) {
      return availableProcessors;
    }
    int quotaCores = (int) Math.ceil(cgroupCpuLimit.getAsDouble());
    return Math.min(availableProcessors, Math.max(1, quotaCores));
  }

  /** MemTotal of a /proc/meminfo text, in bytes. */
  static long memTotalBytes(String procMeminfo) {
    Matcher m = MEM_TOTAL.matcher(procMeminfo);
    if (!m.find()) {
      throw new IllegalArgumentException("no MemTotal line in /proc/meminfo");
    }
    return Long.parseLong(m.group(1)) * BYTES_PER_MEMINFO_KB;
  }

  /** Physical memory, or the cgroup limit when that is lower (a limit above the RAM changes nothing). */
  static long effectiveMemoryBytes(long memTotalBytes, OptionalLong cgroupMemoryLimit) {
    return cgroupMemoryLimit.isPresent() ? Math.min(memTotalBytes, cgroupMemoryLimit.getAsLong()) : memTotalBytes;
  }

  /** The name all GPUs share, or null when there are none, they differ, or a name is unknown. */
  static String commonGpuModel(List<GpuDevice> gpus) {
    List<String> names = gpus.stream().map(GpuDevice::name).distinct().toList();
    return names.size() == 1 ? names.get(0) : null;
  }

  // ---- reading the real machine -------------------------------------------------------------

  private static long readMemTotalBytes() {
    try {
      return memTotalBytes(Files.readString(PROC_MEMINFO));
    } catch (IOException | IllegalArgumentException e) {
      // Not Linux, or a /proc we cannot read: ask the JVM, which knows the same number another way.
      long total =
          ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
              .getTotalMemorySize();
      log.info("Cannot read MemTotal from {} ({}); using the JVM's figure {}", PROC_MEMINFO, e.toString(), total);
      return total;
    }
  }

  private static long readDiskBytes(Path diskPath) {
    try {
      return Files.getFileStore(diskPath).getTotalSpace();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot measure the disk holding " + diskPath, e);
    }
  }

  /** The kernel's hostname; the resolver only as a fallback, since it may wait on DNS. */
  private static String readHostname() {
    try {
      String name = Files.readString(KERNEL_HOSTNAME).strip();
      if (!name.isEmpty()) {
        return name;
      }
    } catch (IOException e) {
      log.debug("Cannot read {}: {}", KERNEL_HOSTNAME, e.toString());
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      log.warn("No hostname from the kernel or the resolver ({}); using {}", e.getMessage(), UNKNOWN_HOSTNAME);
      return UNKNOWN_HOSTNAME;
    }
  }
}
