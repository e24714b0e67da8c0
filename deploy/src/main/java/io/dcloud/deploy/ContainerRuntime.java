package io.dcloud.deploy;

import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.contracts.ImageRecipe;
import java.io.Closeable;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * What a NodeActor needs from the container engine of its machine. Every method blocks (call it
 * from a blocking dispatcher, never from an actor's thread) and is bounded by the runtime's own
 * deadlines; failures surface as {@link RuntimeFailure} with a message a user can act on.
 */
public interface ContainerRuntime extends AutoCloseable {

  /** Engine version and features; {@code available == false} with {@code error} when unreachable. */
  RuntimeInfo info();

  /** Whether the image is on this machine already (a deploy then has nothing to build). */
  boolean hasImage(String tag);

  /**
   * Makes sure {@code recipe.tag()} exists locally: reuses it if present, otherwise makes the base
   * image available (pull, or build it locally when no registry is reachable) and builds the
   * Dockerfile. Every progress line goes to {@code progress}.
   */
  void ensureImage(ImageRecipe recipe, Consumer<String> progress);

  /** Creates (does not start) a container; returns its id. Volumes named in the spec are created. */
  String create(ContainerSpec spec);

  void start(String containerId);

  /**
   * Sets a created container's CPU ({@code nanoCpus}) and memory limits, running or not, as {@code
   * docker update --cpus --memory} does (swap stays off: the memory limit is the whole limit).
   */
  void updateLimits(String containerId, long nanoCpus, long memoryBytes);

  /** Stops with SIGTERM then SIGKILL after {@code grace}; a stopped or missing container is fine. */
  void stop(String containerId, Duration grace);

  /** Removes the container (forcing if running) and the given volumes; missing ones are fine. */
  void remove(String containerId, List<String> volumesToRemove);

  Optional<ContainerInfo> inspect(String containerId);

  /** Every container (running or not) labelled {@code dcloud.node=nodeId}. */
  List<ContainerInfo> listManaged(String nodeId);

  /** The volumes made for environments on node {@code nodeId} (found by their labels), in name order. */
  List<VolumeInfo> listManagedVolumes(String nodeId);

  /**
   * What each volume's files take on disk, by volume name, as {@code docker system df -v} says it:
   * what an operator frees by removing one. The engine walks the files for it, so it is asked when
   * someone lists volumes, never on a timer; empty when the engine cannot say.
   */
  Map<String, Long> volumeUsage();

  /**
   * Removes node {@code nodeId}'s volume {@code name}: NOT_FOUND when there is none (or it is not one
   * DCloud made for that node), IN_USE when a container still mounts it.
   */
  VolumeRemoval removeManagedVolume(String nodeId, String name);

  /** Follows the engine's container events (die, oom, start, destroy) for managed containers. */
  Closeable watchEvents(Consumer<ContainerEvent> listener);

  /**
   * Like {@link #watchEvents(Consumer)}, and tells {@code onEnd} when the stream ends by itself
   * (engine restarted, connection lost: the argument is the error, or null) so the caller can
   * reconcile and watch again. Not called after the caller closed the stream. The default never
   * calls {@code onEnd}: runtimes whose stream can break override it.
   */
  default Closeable watchEvents(Consumer<ContainerEvent> listener, Consumer<Throwable> onEnd) {
    return watchEvents(listener);
  }

  /**
   * Tells {@code listener} the gateway address of each network DCloud's containers join on this
   * engine, which they know as {@link EnvironmentNames#GATEWAY_HOST} (where the node relays the
   * broker): at once for every such network that exists (adopted containers' included, and those
   * other nodes on this engine made), then on each container's creation, before the container
   * exists. An address may be told again. Blocks for the first listing; close the result to stop.
   */
  Closeable watchNetworkGateways(Consumer<String> listener);

  /** Streams log lines (stdout and stderr) of a container; {@code onEnd} runs once when it ends. */
  default Closeable logs(String containerId, int tail, boolean follow, Consumer<String> line, Runnable onEnd) {
    return logs(containerId, tail, follow, null, false, line, onEnd);
  }

  /**
   * The same, only lines written at or after {@code since} (null: all of the last {@code tail}), each
   * beginning with the engine's RFC 3339 time it was written when {@code timestamps}, as {@code docker
   * logs --since --timestamps} prints them.
   */
  Closeable logs(String containerId, int tail, boolean follow, Instant since, boolean timestamps, Consumer<String> line,
      Runnable onEnd);

  /** One sample of the container's resource use (CPU % computed over two engine samples). */
  ContainerStats stats(String containerId);

  /**
   * Runs {@code command} in the running container as its default user, feeds it {@code stdin}
   * (null: none) and waits at most {@code timeout} for it to end. Each of stdout and stderr keeps
   * its first {@code maxOutputBytes} bytes ({@code truncated} says more came). A command still
   * running at the deadline is abandoned: its output streams are closed (the engine cannot kill an
   * exec), and the answer has {@code timedOut} and no exit code.
   */
  ExecResult exec(String containerId, List<String> command, String stdin, Duration timeout, long maxOutputBytes);

  /**
   * Starts {@code command} in the running container as its default user, attached to the caller's
   * input and output (with a terminal when {@code tty}). The caller pumps and closes the session.
   */
  ShellSession shell(String containerId, List<String> command, boolean tty);

  /**
   * Extracts the tar {@code archive} (read to its end, never buffered) into {@code directory} of the
   * container, owned as its headers say, within {@code timeout}. False when the directory does not
   * exist.
   */
  boolean putArchive(String containerId, String directory, InputStream archive, Duration timeout);

  /** A tar of {@code path} (rooted at its last element) for the caller to read and close; empty when there is no such path. */
  Optional<InputStream> getArchive(String containerId, String path);

  @Override
  void close();

  /**
   * Limits and wiring of one container. Labels carry {@code dcloud.env} and {@code dcloud.node}.
   * {@code tenant} (the environment's owner) picks the network the container joins: one per owner,
   * so owners cannot reach each other's containers; null joins the shared network, whose
   * containers cannot reach one another either.
   */
  record ContainerSpec(
      String name,
      String image,
      List<String> command,
      Map<String, String> env,
      long nanoCpus,
      long memoryBytes,
      long pidsLimit,
      List<String> gpuUuids,
      List<PortBinding> ports,
      List<VolumeMount> volumes,
      Map<String, String> labels,
      String tenant,
      List<BindMount> binds) {

    /** Without host directories mounted into it. */
    public ContainerSpec(String name, String image, List<String> command, Map<String, String> env, long nanoCpus,
        long memoryBytes, long pidsLimit, List<String> gpuUuids, List<PortBinding> ports, List<VolumeMount> volumes,
        Map<String, String> labels, String tenant) {
      this(name, image, command, env, nanoCpus, memoryBytes, pidsLimit, gpuUuids, ports, volumes, labels, tenant, List.of());
    }
  }

  /** {@code hostPort} null lets the engine choose a free port on {@code hostIp}. */
  record PortBinding(String hostIp, Integer hostPort, int containerPort, String protocol) {}

  /**
   * {@code kept}: a volume an earlier environment left on this machine, mounted as it is: it is
   * never made (an engine would make an empty one of that name), and creating the container fails
   * unless it exists, was made by the same node, and no other container mounts it.
   */
  record VolumeMount(String volumeName, String target, boolean kept) {
    /** A volume made for the container, when it does not exist yet. */
    public VolumeMount(String volumeName, String target) {
      this(volumeName, target, false);
    }
  }

  /**
   * A volume made for an environment: where it was mounted ({@code target}; null for one made before
   * volumes were labelled with it), when it was made (null when the engine does not say) and whether
   * a container mounts it now.
   */
  record VolumeInfo(String name, String environmentId, String target, Instant createdAt, boolean inUse) {}

  enum VolumeRemoval { REMOVED, NOT_FOUND, IN_USE }

  /** A file or directory of the host ({@code source}, absolute) mounted read-only at {@code target}. */
  record BindMount(String source, String target) {}

  record ContainerInfo(
      String id,
      String name,
      Map<String, String> labels,
      boolean running,
      String state,
      Integer exitCode,
      boolean oomKilled,
      String error,
      List<PortBinding> ports,
      String image,
      /** Its IP address on its network while it runs (null otherwise, or on none): reachable from its own machine. */
      String address,
      /** Its memory limit in bytes; 0 when it has none. */
      long memoryBytes) {}

  record ContainerEvent(String containerId, String action, Map<String, String> labels, Integer exitCode) {}

  record ContainerStats(
      double cpuPercent,
      long memoryUsedBytes,
      long memoryLimitBytes,
      long networkRxBytes,
      long networkTxBytes,
      long blockReadBytes,
      long blockWriteBytes,
      long pids) {}

  /** {@code exitCode} is null when the command timed out. Output is UTF-8 text (bad bytes replaced). */
  record ExecResult(Integer exitCode, String stdout, String stderr, boolean truncated, boolean timedOut) {}

  /**
   * @param dataRoot where the engine keeps images, containers and volumes ({@code docker info}'s
   *     Docker Root Dir), as a path on the engine's machine; null when unknown
   */
  record RuntimeInfo(
      boolean available,
      String version,
      String apiVersion,
      List<String> runtimes,
      long totalMemoryBytes,
      int cpus,
      String dataRoot,
      String error) {}
}
