package io.dcloud.node;

import io.dcloud.deploy.ContainerRuntime.RuntimeInfo;
import io.dcloud.node.fingerprint.MachineFingerprint;
import io.dcloud.node.fingerprint.NvidiaSmi;
import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Resources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This worker's machine as the cluster sees it: what it may give to environments (measured once
 * at start, less the system reserve) and what it actually uses now (sampled for every gossip).
 */
public final class MachineProfile {
  private static final Logger LOG = LoggerFactory.getLogger(MachineProfile.class);
  private static final Path PROC_STAT = Path.of("/proc/stat");
  private static final Path PROC_MEMINFO = Path.of("/proc/meminfo");
  private static final long BYTES_PER_KB = 1024;
  private static final double PERCENT = 100.0;

  private final String hostname;
  private final Resources allocatable;
  private final List<GpuDevice> gpus;
  private final Path diskPath;
  /** Why the disk is {@link #diskPath}'s file system, for the operator's report; null for a simulated machine. */
  private final String diskChoice;
  /** What was measured on this host; null for a hollow node's pretend machine, whose usage is not read. */
  private final MachineFingerprint fingerprint;
  private long[] previousCpuTicks;

  private MachineProfile(
      String hostname, Resources allocatable, List<GpuDevice> gpus, Disk disk, MachineFingerprint fingerprint) {
    this.hostname = hostname;
    this.allocatable = allocatable;
    this.gpus = List.copyOf(gpus);
    this.diskPath = disk == null ? null : disk.path();
    this.diskChoice = disk == null ? null : disk.choice();
    this.fingerprint = fingerprint;
  }

  /** A machine that exists only in configuration (hollow nodes): its usage is its container count. */
  public static MachineProfile simulated(String hostname, Resources allocatable, List<GpuDevice> gpus) {
    return new MachineProfile(hostname, allocatable, gpus, null, null);
  }

  /**
   * Fingerprints this machine; GPUs come from configuration when advertised there, else from
   * nvidia-smi. The disk is the file system of {@code dcloud.node.disk-path}, else of the engine's
   * data root ({@code engine}: what it said at start), else the root file system.
   */
  public static MachineProfile measure(NodeSettings settings, RuntimeInfo engine) {
    List<GpuDevice> gpus = settings.advertisedGpus().isEmpty()
        ? NvidiaSmi.discover(settings.nvidiaSmi(), settings.nvidiaSmiTimeout())
        : settings.advertisedGpus();
    Disk disk = Disk.choose(settings.diskPath(), engine);
    LOG.info("node {} advertises the disk of {} ({})", settings.nodeId(), disk.path(), disk.choice());
    MachineFingerprint fingerprint = MachineFingerprint.read(disk.path(), gpus);
    Resources allocatable =
        MachineFingerprint.allocatable(fingerprint, settings.reservedMilliCpus(), settings.reservedMemoryBytes());
    return new MachineProfile(fingerprint.hostname(), allocatable, gpus, disk, fingerprint);
  }

  /** The file system measured as the disk, and why that one. */
  record Disk(Path path, String choice) {
    private static final Path ROOT = Path.of("/");

    static Disk choose(Path configured, RuntimeInfo engine) {
      if (configured != null) {
        // Before Docker has ever run, a data dir configured for it may not exist yet.
        return Files.isDirectory(configured)
            ? new Disk(configured, "dcloud.node.disk-path")
            : new Disk(ROOT, "dcloud.node.disk-path " + configured + " does not exist yet");
      }
      if (engine.dataRoot() == null) {
        return new Disk(ROOT, "the Docker Engine did not say where it keeps its data"
            + (engine.error() == null ? "" : ": " + engine.error()));
      }
      Path dataRoot = Path.of(engine.dataRoot());
      // A remote engine's data root is a path on its machine, not on this one.
      return Files.isDirectory(dataRoot)
          ? new Disk(dataRoot, "the Docker Engine's data root")
          : new Disk(ROOT, "the Docker Engine's data root " + dataRoot + " is not on this machine");
    }
  }

  public String hostname() {
    return hostname;
  }

  public Resources allocatable() {
    return allocatable;
  }

  public List<GpuDevice> gpus() {
    return gpus;
  }

  /** What this host has before the reserve; empty for a simulated machine. */
  public Optional<MachineFingerprint> fingerprint() {
    return Optional.ofNullable(fingerprint);
  }

  /** Why the disk is {@link #diskPath()}'s file system; empty for a simulated machine. */
  public Optional<String> diskChoice() {
    return Optional.ofNullable(diskChoice);
  }

  /** The file system whose size is the disk capacity; empty for a simulated machine. */
  public Optional<Path> diskPath() {
    return Optional.ofNullable(diskPath);
  }

  /** Machine-wide use since the previous call (CPU) or now (memory, disk); zeros where unreadable. */
  public synchronized NodeStatus.Usage usage(int containers) {
    if (fingerprint == null) {
      return new NodeStatus.Usage(0, 0, 0, containers);
    }
    return new NodeStatus.Usage(cpuPercent(), memoryUsedBytes(), diskUsedBytes(), containers);
  }

  private double cpuPercent() {
    try {
      String[] fields = Files.readAllLines(PROC_STAT).get(0).trim().split("\\s+");
      long[] ticks = new long[fields.length - 1];
      for (int i = 1; i < fields.length; i++) {
        ticks[i - 1] = Long.parseLong(fields[i]);
      }
      long[] previous = previousCpuTicks;
      previousCpuTicks = ticks;
      if (previous == null) {
        return 0;
      }
      long total = 0;
      for (int i = 0; i < ticks.length; i++) {
        total += ticks[i] - previous[i];
      }
      // Fields 4 and 5 of the cpu line are idle and iowait.
      long idle = (ticks[3] - previous[3]) + (ticks[4] - previous[4]);
      return total <= 0 ? 0 : PERCENT * (total - idle) / total;
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot read {}: {}", PROC_STAT, e.toString());
      return 0;
    }
  }

  private static long memoryUsedBytes() {
    try {
      long total = 0;
      long available = 0;
      for (String line : Files.readAllLines(PROC_MEMINFO)) {
        if (line.startsWith("MemTotal:")) {
          total = kilobytes(line);
        } else if (line.startsWith("MemAvailable:")) {
          available = kilobytes(line);
        }
      }
      return Math.max(0, total - available);
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot read {}: {}", PROC_MEMINFO, e.toString());
      return 0;
    }
  }

  private static long kilobytes(String meminfoLine) {
    return Long.parseLong(meminfoLine.replaceAll("[^0-9]", "")) * BYTES_PER_KB;
  }

  private long diskUsedBytes() {
    try {
      var store = Files.getFileStore(diskPath);
      return store.getTotalSpace() - store.getUsableSpace();
    } catch (IOException e) {
      return 0;
    }
  }
}
