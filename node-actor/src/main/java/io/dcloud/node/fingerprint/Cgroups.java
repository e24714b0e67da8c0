package io.dcloud.node.fingerprint;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import java.util.Set;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The CPU and memory limits of the cgroup this JVM runs in (cgroup v2 or v1), so a worker started
 * in a limited container or systemd slice does not advertise the whole host.
 *
 * <p>The parsers take file contents as strings and are pure; {@link #readCpuLimit()} and {@link
 * #readMemoryLimit()} are the thin part that finds and reads the real files. The process's own
 * cgroup directory is resolved from {@code /proc/self/mountinfo} and {@code /proc/self/cgroup} as
 * the JVM's container support does, because {@code /sys/fs/cgroup} is the container's own cgroup
 * only inside a cgroup namespace; on a host it is the root. Limits of ancestor cgroups apply too,
 * so the tightest one along the path wins.
 */
final class Cgroups {

  private static final Logger log = LoggerFactory.getLogger(Cgroups.class);

  static final Path PROC_SELF_MOUNTINFO = Path.of("/proc/self/mountinfo");
  static final Path PROC_SELF_CGROUP = Path.of("/proc/self/cgroup");

  /** Where the files sit when /proc cannot say: a container's private cgroup namespace. */
  static final Path DEFAULT_CGROUP_ROOT = Path.of("/sys/fs/cgroup");

  static final String CPU_CONTROLLER = "cpu";
  static final String MEMORY_CONTROLLER = "memory";

  static final String V2_CPU_MAX = "cpu.max";
  static final String V2_MEMORY_MAX = "memory.max";
  static final String V1_CPU_QUOTA = "cpu.cfs_quota_us";
  static final String V1_CPU_PERIOD = "cpu.cfs_period_us";
  static final String V1_MEMORY_LIMIT = "memory.limit_in_bytes";

  /** The kernel's CFS period (100 ms), assumed when cpu.max gives a quota alone. */
  private static final String DEFAULT_CPU_PERIOD_MICROS = "100000";

  /** What cgroup v2 writes for "no limit" in cpu.max and memory.max. */
  private static final String V2_UNLIMITED = "max";

  /**
   * cgroup v1 has no "max": an unset memory limit reads as LONG_MAX rounded down to the page size
   * (9223372036854771712 with 4 KiB pages). Anything from 4 EiB up is that marker, not real RAM.
   */
  static final long V1_UNLIMITED_MEMORY_THRESHOLD = 1L << 62;

  // /proc/self/mountinfo: "id parent major:minor root mount-point options ... - fstype source super-options".
  // (Octal escapes such as \040 are not decoded: cgroup mount points do not contain spaces.)
  private static final String MOUNTINFO_SEPARATOR = " - ";
  private static final int MOUNTINFO_ROOT_FIELD = 3;
  private static final int MOUNTINFO_MOUNT_POINT_FIELD = 4;
  private static final int MOUNTINFO_MIN_FIELDS = 5;
  private static final int MOUNTINFO_FSTYPE_FIELD = 0;
  private static final int MOUNTINFO_SUPER_OPTIONS_FIELD = 2;
  private static final String CGROUP_V1_FSTYPE = "cgroup";
  private static final String CGROUP_V2_FSTYPE = "cgroup2";

  // /proc/self/cgroup: "hierarchy-id:controller[,controller]:path"; v2 is the line "0::path".
  private static final int PROC_CGROUP_FIELDS = 3;
  private static final int PROC_CGROUP_CONTROLLERS_FIELD = 1;
  private static final int PROC_CGROUP_PATH_FIELD = 2;

  private Cgroups() {}

  /** One cgroup hierarchy mounted in this mount namespace. */
  record Mount(Path mountPoint, String root, boolean unified, Set<String> controllers) {}

  // ---- pure parsers -------------------------------------------------------------------------

  /** Cores allowed by a v2 {@code cpu.max} ("150000 100000" is 1.5); empty when "max" or unreadable. */
  static OptionalDouble cpuLimitV2(String cpuMax) {
    String[] parts = cpuMax.strip().split("\\s+");
    if (parts.length == 0 || parts[0].equals(V2_UNLIMITED)) {
      return OptionalDouble.empty();
    }
    return ratio(parts[0], parts.length > 1 ? parts[1] : DEFAULT_CPU_PERIOD_MICROS);
  }

  /** Cores allowed by v1 {@code cpu.cfs_quota_us} / {@code cpu.cfs_period_us}; empty when the quota is -1. */
  static OptionalDouble cpuLimitV1(String quotaMicros, String periodMicros) {
    return ratio(quotaMicros.strip(), periodMicros.strip());
  }

  /** Bytes allowed by a v2 {@code memory.max}; empty when "max". */
  static OptionalLong memoryLimitV2(String memoryMax) {
    String text = memoryMax.strip();
    return text.equals(V2_UNLIMITED) ? OptionalLong.empty() : positiveLong(text);
  }

  /** Bytes allowed by v1 {@code memory.limit_in_bytes}; empty for the huge "unlimited" marker. */
  static OptionalLong memoryLimitV1(String limitInBytes) {
    OptionalLong limit = positiveLong(limitInBytes.strip());
    return limit.isPresent() && limit.getAsLong() >= V1_UNLIMITED_MEMORY_THRESHOLD ? OptionalLong.empty() : limit;
  }

  /**
   * The directories whose limits apply to this process for {@code controller}: its own cgroup and
   * every ancestor up to the mount point, innermost first; the v1 hierarchy of the controller (if
   * mounted) before the unified one. Directories are not checked for existence.
   */
  static List<Path> ownCgroupDirectories(String controller, String mountinfo, String procSelfCgroup) {
    List<Mount> mounts = parseMountinfo(mountinfo);
    List<String[]> memberships =
        procSelfCgroup.lines()
            .map(line -> line.split(":", PROC_CGROUP_FIELDS))
            .filter(fields -> fields.length == PROC_CGROUP_FIELDS)
            .toList();
    Set<Path> directories = new LinkedHashSet<>();
    for (Mount mount : mounts) {
      if (!mount.unified() && mount.controllers().contains(controller)) {
        memberships.stream()
            .filter(f -> Arrays.asList(f[PROC_CGROUP_CONTROLLERS_FIELD].split(",")).contains(controller))
            .findFirst()
            .ifPresent(f -> directories.addAll(selfAndAncestors(mount, f[PROC_CGROUP_PATH_FIELD])));
      }
    }
    for (Mount mount : mounts) {
      if (mount.unified()) {
        memberships.stream()
            .filter(f -> f[PROC_CGROUP_CONTROLLERS_FIELD].isEmpty())
            .findFirst()
            .ifPresent(f -> directories.addAll(selfAndAncestors(mount, f[PROC_CGROUP_PATH_FIELD])));
      }
    }
    return List.copyOf(directories);
  }

  static List<Mount> parseMountinfo(String mountinfo) {
    List<Mount> mounts = new ArrayList<>();
    for (String line : mountinfo.lines().toList()) {
      int separator = line.indexOf(MOUNTINFO_SEPARATOR);
      if (separator < 0) {
        continue;
      }
      String[] before = line.substring(0, separator).split(" ");
      String[] after = line.substring(separator + MOUNTINFO_SEPARATOR.length()).split(" ");
      if (before.length < MOUNTINFO_MIN_FIELDS || after.length <= MOUNTINFO_SUPER_OPTIONS_FIELD) {
        continue;
      }
      String fstype = after[MOUNTINFO_FSTYPE_FIELD];
      boolean unified = fstype.equals(CGROUP_V2_FSTYPE);
      if (!unified && !fstype.equals(CGROUP_V1_FSTYPE)) {
        continue;
      }
      // For v1 the controllers are among the super options ("rw,cpu,cpuacct").
      Set<String> controllers = Set.copyOf(Arrays.asList(after[MOUNTINFO_SUPER_OPTIONS_FIELD].split(",")));
      mounts.add(
          new Mount(
              Path.of(before[MOUNTINFO_MOUNT_POINT_FIELD]),
              before[MOUNTINFO_ROOT_FIELD],
              unified,
              unified ? Set.of() : controllers));
    }
    return mounts;
  }

  /**
   * The process's cgroup directory under {@code mount}, then its parents up to the mount point.
   * When the mount root is not a prefix of the path (a cgroup namespace, or a container that sees
   * only its own subtree), the mount point itself is the process's cgroup.
   */
  private static List<Path> selfAndAncestors(Mount mount, String cgroupPath) {
    String relative;
    if (mount.root().equals("/")) {
      relative = cgroupPath;
    } else if (cgroupPath.equals(mount.root())) {
      relative = "/";
    } else if (cgroupPath.startsWith(mount.root() + "/")) {
      relative = cgroupPath.substring(mount.root().length());
    } else {
      relative = "/";
    }
    List<Path> chain = new ArrayList<>();
    Path directory = mount.mountPoint().resolve(relative.replaceFirst("^/+", "")).normalize();
    // Never above the mount point: a "/.." path from a foreign namespace must not escape it.
    if (!directory.startsWith(mount.mountPoint())) {
      directory = mount.mountPoint();
    }
    for (Path d = directory; d != null && d.startsWith(mount.mountPoint()); d = d.getParent()) {
      chain.add(d);
    }
    return chain;
  }

  // ---- reading the real files ---------------------------------------------------------------

  /** Cores this process may use according to its cgroups, or empty when no quota is set. */
  static OptionalDouble readCpuLimit() {
    OptionalDouble tightest = OptionalDouble.empty();
    for (Path directory : directoriesFor(CPU_CONTROLLER)) {
      OptionalDouble limit =
          read(directory.resolve(V2_CPU_MAX))
              .map(Cgroups::cpuLimitV2)
              .orElseGet(
                  () -> {
                    Optional<String> quota = read(directory.resolve(V1_CPU_QUOTA));
                    Optional<String> period = read(directory.resolve(V1_CPU_PERIOD));
                    return quota.isPresent() && period.isPresent()
                        ? cpuLimitV1(quota.get(), period.get())
                        : OptionalDouble.empty();
                  });
      if (limit.isPresent() && (tightest.isEmpty() || limit.getAsDouble() < tightest.getAsDouble())) {
        tightest = limit;
      }
    }
    return tightest;
  }

  /** Bytes of memory this process may use according to its cgroups, or empty when unlimited. */
  static OptionalLong readMemoryLimit() {
    OptionalLong tightest = OptionalLong.empty();
    for (Path directory : directoriesFor(MEMORY_CONTROLLER)) {
      OptionalLong limit =
          read(directory.resolve(V2_MEMORY_MAX))
              .map(Cgroups::memoryLimitV2)
              .orElseGet(
                  () ->
                      read(directory.resolve(V1_MEMORY_LIMIT))
                          .map(Cgroups::memoryLimitV1)
                          .orElse(OptionalLong.empty()));
      if (limit.isPresent() && (tightest.isEmpty() || limit.getAsLong() < tightest.getAsLong())) {
        tightest = limit;
      }
    }
    return tightest;
  }

  private static List<Path> directoriesFor(String controller) {
    Optional<String> mountinfo = read(PROC_SELF_MOUNTINFO);
    Optional<String> membership = read(PROC_SELF_CGROUP);
    if (mountinfo.isPresent() && membership.isPresent()) {
      List<Path> resolved = ownCgroupDirectories(controller, mountinfo.get(), membership.get());
      if (!resolved.isEmpty()) {
        return resolved;
      }
    }
    // No /proc to ask (or no cgroup mounted there): the usual places inside a container.
    return List.of(DEFAULT_CGROUP_ROOT, DEFAULT_CGROUP_ROOT.resolve(controller));
  }

  /** A file's content, or empty when it does not exist or cannot be read (not every kernel has every file). */
  private static Optional<String> read(Path file) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readString(file));
    } catch (IOException e) {
      log.debug("Cannot read {}: {}", file, e.toString());
      return Optional.empty();
    }
  }

  // ---- small helpers ------------------------------------------------------------------------

  private static OptionalDouble ratio(String quota, String period) {
    return parse(quota, Long::parseLong)
        .flatMap(q -> parse(period, Long::parseLong).filter(p -> q > 0 && p > 0).map(p -> (double) q / p))
        .map(OptionalDouble::of)
        .orElse(OptionalDouble.empty());
  }

  private static OptionalLong positiveLong(String text) {
    return parse(text, Long::parseLong).filter(v -> v > 0).map(OptionalLong::of).orElse(OptionalLong.empty());
  }

  private static <T> Optional<T> parse(String text, Function<String, T> parser) {
    try {
      return Optional.of(parser.apply(text));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
