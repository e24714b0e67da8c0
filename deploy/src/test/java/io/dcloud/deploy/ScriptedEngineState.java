package io.dcloud.deploy;

import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime.ContainerInfo;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import io.dcloud.deploy.ContainerRuntime.ContainerStats;
import io.dcloud.deploy.ContainerRuntime.PortBinding;
import io.dcloud.deploy.ContainerRuntime.VolumeInfo;
import io.dcloud.deploy.ContainerRuntime.VolumeRemoval;
import java.time.Instant;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The pretend machine behind a {@link ScriptedRuntime}: its images, containers and volumes, changed
 * as Docker changes its own. Every method holds this object's lock, so each engine call changes the
 * machine in one step. It publishes no events: the runtime does that with what a method returns,
 * after the lock is let go, so a watcher may call back into the engine.
 */
final class ScriptedEngineState {
  /** Engine-chosen host ports start here, like Linux's ephemeral range. */
  private static final int FIRST_EPHEMERAL_PORT = 49152;

  private final Set<String> images = new HashSet<>();
  private final Map<String, Container> containers = new HashMap<>();
  /** Volumes by name: the labels they were made with (their container's, and where they were mounted). */
  private final Map<String, Map<String, String>> volumes = new HashMap<>();
  private final Map<String, Instant> volumesCreatedAt = new HashMap<>();
  private int nextId;
  private int nextPort = FIRST_EPHEMERAL_PORT;

  /**
   * One container. Its id and spec never change, so the runtime reads them outside the lock to
   * publish an event; the rest is only touched here, under the lock.
   */
  static final class Container {
    final String id;
    final ContainerSpec spec;
    private String state = "created";
    private Integer exitCode;
    private boolean oomKilled;
    private List<PortBinding> boundPorts = List.of();

    private Container(String id, ContainerSpec spec) {
      this.id = id;
      this.spec = spec;
    }

    private boolean running() {
      return "running".equals(state);
    }

    private void exited(int code, boolean oom) {
      state = "exited";
      exitCode = code;
      oomKilled = oom;
    }

    private ContainerInfo info() {
      return new ContainerInfo(id, spec.name(), spec.labels(), running(), state, exitCode, oomKilled, null,
          running() ? boundPorts : List.of(), spec.image(), null, spec.memoryBytes());
    }
  }

  /** What {@link #remove} took away, and whether it was running (then the engine killed it first). */
  record Removed(Container container, boolean wasRunning) {}

  ScriptedEngineState(List<String> images) {
    this.images.addAll(images);
  }

  synchronized boolean hasImage(String tag) {
    return images.contains(tag);
  }

  /** True when the image was not on the machine yet (the engine built it). */
  synchronized boolean addImage(String tag) {
    return images.add(tag);
  }

  synchronized String create(ContainerSpec spec) {
    if (!images.contains(spec.image())) {
      throw new RuntimeFailure("creating container " + spec.name() + " failed: image " + spec.image()
          + " is not on this machine; build it with ensureImage first");
    }
    Optional<Container> existing = find(spec.name());
    if (existing.isPresent()) {
      if (!sameEnvironment(existing.get().spec, spec)) {
        throw nameTaken(spec);
      }
      return existing.get().id;
    }
    String node = spec.labels().get(EnvironmentNames.NODE_LABEL);
    spec.volumes().stream().filter(ContainerRuntime.VolumeMount::kept).forEach(volume -> {
      Map<String, String> made = volumes.get(volume.volumeName());
      if (made == null || !node.equals(made.get(EnvironmentNames.NODE_LABEL))) {
        throw new RuntimeFailure("kept volume " + volume.volumeName() + " is not on this machine (node " + node + ")");
      }
      if (mounted(volume.volumeName())) {
        throw new RuntimeFailure("kept volume " + volume.volumeName() + " is mounted by another container");
      }
    });
    spec.volumes().stream().filter(volume -> !volume.kept()).forEach(volume -> {
      Map<String, String> labels = new HashMap<>(spec.labels());
      labels.put(EnvironmentNames.VOLUME_TARGET_LABEL, volume.target());
      volumes.putIfAbsent(volume.volumeName(), labels);
      volumesCreatedAt.putIfAbsent(volume.volumeName(), Instant.now());
    });
    String id = String.format("scripted%056x", ++nextId);
    containers.put(id, new Container(id, spec));
    return id;
  }

  /** The container, now running with its ports bound; empty when it already ran (nothing happened). */
  synchronized Optional<Container> start(String containerId) {
    Container container = find(containerId).orElseThrow(
        () -> new RuntimeFailure("starting container " + containerId + " failed: it does not exist"));
    if (container.running()) {
      return Optional.empty();
    }
    container.state = "running";
    container.exitCode = null;
    container.oomKilled = false;
    container.boundPorts = container.spec.ports().stream()
        .map(p -> new PortBinding(p.hostIp(), p.hostPort() != null ? p.hostPort() : nextPort++, p.containerPort(), p.protocol()))
        .toList();
    return Optional.of(container);
  }

  /** The container, now exited with {@code exitCode}; empty when it was missing or not running. */
  synchronized Optional<Container> stop(String containerId, int exitCode) {
    Optional<Container> running = find(containerId).filter(Container::running);
    running.ifPresent(container -> container.exited(exitCode, false));
    return running;
  }

  /** The container, now exited by itself (the test said so). */
  synchronized Container exit(String containerId, int exitCode, boolean oomKilled) {
    Container container = find(containerId).orElseThrow(() -> new RuntimeFailure("no such container: " + containerId));
    container.exited(exitCode, oomKilled);
    return container;
  }

  /** Removes the container if there is one, and the named volumes either way. */
  synchronized Optional<Removed> remove(String containerId, List<String> volumesToRemove) {
    Optional<Removed> removed = find(containerId).map(container -> new Removed(container, container.running()));
    removed.ifPresent(r -> containers.remove(r.container().id));
    volumesToRemove.forEach(name -> {
      volumes.remove(name);
      volumesCreatedAt.remove(name);
    });
    return removed;
  }

  synchronized Optional<ContainerInfo> inspect(String containerId) {
    return find(containerId).map(Container::info);
  }

  synchronized List<ContainerInfo> listManaged(String nodeId) {
    return containers.values().stream()
        .filter(c -> nodeId.equals(c.spec.labels().get(EnvironmentNames.NODE_LABEL)))
        .map(Container::info)
        .toList();
  }

  synchronized Optional<ContainerSpec> specOf(String containerId) {
    return find(containerId).map(container -> container.spec);
  }

  synchronized boolean volumeExists(String name) {
    return volumes.containsKey(name);
  }

  /** A scripted container writes nothing: every volume empty. */
  synchronized Map<String, Long> volumeUsage() {
    return volumes.keySet().stream().collect(Collectors.toMap(name -> name, name -> 0L));
  }

  synchronized List<VolumeInfo> listManagedVolumes(String nodeId) {
    return volumes.entrySet().stream()
        .filter(entry -> nodeId.equals(entry.getValue().get(EnvironmentNames.NODE_LABEL)))
        .map(entry -> new VolumeInfo(entry.getKey(), entry.getValue().get(EnvironmentNames.ENV_LABEL),
            entry.getValue().get(EnvironmentNames.VOLUME_TARGET_LABEL), volumesCreatedAt.get(entry.getKey()),
            mounted(entry.getKey())))
        .sorted(Comparator.comparing(VolumeInfo::name))
        .toList();
  }

  synchronized VolumeRemoval removeManagedVolume(String nodeId, String name) {
    Map<String, String> labels = volumes.get(name);
    if (labels == null || !nodeId.equals(labels.get(EnvironmentNames.NODE_LABEL))) {
      return VolumeRemoval.NOT_FOUND;
    }
    if (mounted(name)) {
      return VolumeRemoval.IN_USE;
    }
    volumes.remove(name);
    volumesCreatedAt.remove(name);
    return VolumeRemoval.REMOVED;
  }

  private boolean mounted(String volumeName) {
    return containers.values().stream()
        .anyMatch(container -> container.spec.volumes().stream().anyMatch(v -> v.volumeName().equals(volumeName)));
  }

  /** Fails as the engine's log call does when the container is missing. */
  synchronized void requireForLogs(String containerId) {
    existing(containerId, "reading the log of container " + containerId);
  }

  /** Nothing runs inside, so nothing is used: only the limit and whether it runs are real. */
  synchronized ContainerStats stats(String containerId) {
    Container container = existing(containerId, "sampling the resource use of container " + containerId);
    return new ContainerStats(0, 0, container.spec.memoryBytes(), 0, 0, 0, 0, container.running() ? 1 : 0);
  }

  /** Fails as the engine's exec does for a missing or a stopped container. */
  synchronized void requireForExec(String containerId) {
    String doing = "running a command in container " + containerId;
    if (!existing(containerId, doing).running()) {
      throw new RuntimeFailure(doing + " failed: it is not running");
    }
  }

  /** By id or by name, as the engine resolves both. Callers hold the lock. */
  private Optional<Container> find(String idOrName) {
    Container byId = containers.get(idOrName);
    if (byId != null) {
      return Optional.of(byId);
    }
    return containers.values().stream().filter(c -> c.spec.name().equals(idOrName)).findFirst();
  }

  /** {@code doing} says what failed, e.g. "sampling the resource use of container c1". */
  private Container existing(String containerId, String doing) {
    return find(containerId).orElseThrow(() -> new RuntimeFailure(doing + " failed: no such container"));
  }

  /** As Docker does for a retried create: the same environment on the same node gets its container back. */
  private static boolean sameEnvironment(ContainerSpec existing, ContainerSpec wanted) {
    String env = wanted.labels().get(EnvironmentNames.ENV_LABEL);
    return env != null && env.equals(existing.labels().get(EnvironmentNames.ENV_LABEL))
        && Objects.equals(wanted.labels().get(EnvironmentNames.NODE_LABEL), existing.labels().get(EnvironmentNames.NODE_LABEL));
  }

  private static RuntimeFailure nameTaken(ContainerSpec spec) {
    return new RuntimeFailure("cannot create container " + spec.name() + ": a container with that name already exists and "
        + "does not belong to environment " + spec.labels().get(EnvironmentNames.ENV_LABEL));
  }
}
