package io.dcloud.deploy;

import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.contracts.ImageRecipe;
import java.io.Closeable;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/**
 * A container engine that only pretends, like Kubernetes' kubemark hollow kubelet: images are
 * always there, containers "run" as entries in a map, and every operation takes {@code
 * operationDelay}. Hundreds of hollow nodes fit in one JVM, so the scheduler, the entities and the
 * journal can be measured at cluster scale on one machine. For benchmarks and scale tests only;
 * never the default.
 */
public final class HollowRuntime implements ContainerRuntime {
  private static final String VERSION = "hollow";
  private static final long EXIT_ON_STOP = 0;

  private final Duration operationDelay;
  private final long memoryBytes;
  private final int cpus;
  private final Map<String, HollowContainer> containers = new ConcurrentHashMap<>();
  private final Map<String, String> idsByName = new ConcurrentHashMap<>();
  /** Volumes by name, with the node they were made on: kept as an engine keeps them, until removed. */
  private final Map<String, HollowVolume> volumes = new ConcurrentHashMap<>();
  private final List<Consumer<ContainerEvent>> listeners = new CopyOnWriteArrayList<>();
  private final AtomicLong nextId = new AtomicLong();

  private record HollowVolume(String nodeId, String environmentId, String target, Instant createdAt) {}

  private record HollowContainer(ContainerSpec spec, String id, boolean running, Integer exitCode) {
    HollowContainer withRunning(boolean nowRunning, Integer newExitCode) {
      return new HollowContainer(spec, id, nowRunning, newExitCode);
    }

    ContainerInfo info() {
      return new ContainerInfo(
          id, spec.name(), spec.labels(), running, running ? "running" : exitCode == null ? "created" : "exited",
          exitCode, false, null, spec.ports(), spec.image(), null, spec.memoryBytes());
    }
  }

  /** {@code cpus} and {@code memoryBytes} are what {@link #info()} reports as the pretend machine. */
  public HollowRuntime(Duration operationDelay, int cpus, long memoryBytes) {
    this.operationDelay = operationDelay;
    this.cpus = cpus;
    this.memoryBytes = memoryBytes;
  }

  @Override
  public RuntimeInfo info() {
    return new RuntimeInfo(true, VERSION, VERSION, List.of(), memoryBytes, cpus, null, null);
  }

  @Override
  public boolean hasImage(String tag) {
    return true;
  }

  @Override
  public void ensureImage(ImageRecipe recipe, Consumer<String> progress) {
    pretendToWork();
  }

  @Override
  public String create(ContainerSpec spec) {
    pretendToWork();
    if (find(spec.name()).isPresent()) {
      throw new RuntimeFailure("a container named " + spec.name() + " already exists");
    }
    spec.volumes().stream().filter(VolumeMount::kept).forEach(volume -> checkKept(volume, spec));
    String id = String.format("hollow%058x", nextId.incrementAndGet());
    spec.volumes().stream().filter(volume -> !volume.kept()).forEach(volume -> volumes.putIfAbsent(volume.volumeName(), new HollowVolume(
        spec.labels().get(EnvironmentNames.NODE_LABEL), spec.labels().get(EnvironmentNames.ENV_LABEL), volume.target(),
        Instant.now())));
    containers.put(id, new HollowContainer(spec, id, false, null));
    idsByName.put(spec.name(), id);
    return id;
  }

  /** A pretend container has no limits to change: it must exist, as a real one must. */
  @Override
  public void updateLimits(String containerId, long nanoCpus, long memoryBytes) {
    existing(containerId);
  }

  @Override
  public void start(String containerId) {
    pretendToWork();
    HollowContainer container = existing(containerId);
    containers.put(container.id(), container.withRunning(true, null));
    publish(container, "start", null);
  }

  @Override
  public void stop(String containerId, Duration grace) {
    pretendToWork();
    find(containerId).filter(HollowContainer::running).ifPresent(container -> {
      containers.put(container.id(), container.withRunning(false, (int) EXIT_ON_STOP));
      publish(container, "die", (int) EXIT_ON_STOP);
    });
  }

  @Override
  public void remove(String containerId, List<String> volumesToRemove) {
    pretendToWork();
    find(containerId).ifPresent(container -> {
      containers.remove(container.id());
      idsByName.remove(container.spec().name());
      publish(container, "destroy", null);
    });
    volumesToRemove.forEach(volumes::remove);
  }

  @Override
  public Optional<ContainerInfo> inspect(String containerId) {
    return find(containerId).map(HollowContainer::info);
  }

  @Override
  public List<ContainerInfo> listManaged(String nodeId) {
    List<ContainerInfo> managed = new ArrayList<>();
    for (HollowContainer container : containers.values()) {
      if (nodeId.equals(container.spec().labels().get(EnvironmentNames.NODE_LABEL))) {
        managed.add(container.info());
      }
    }
    return managed;
  }

  @Override
  public Map<String, Long> volumeUsage() {
    // A hollow container writes nothing.
    return volumes.keySet().stream().collect(Collectors.toMap(name -> name, name -> 0L));
  }

  @Override
  public List<VolumeInfo> listManagedVolumes(String nodeId) {
    return volumes.entrySet().stream()
        .filter(entry -> nodeId.equals(entry.getValue().nodeId()))
        .map(entry -> new VolumeInfo(entry.getKey(), entry.getValue().environmentId(), entry.getValue().target(),
            entry.getValue().createdAt(), mounted(entry.getKey())))
        .sorted(Comparator.comparing(VolumeInfo::name))
        .toList();
  }

  @Override
  public VolumeRemoval removeManagedVolume(String nodeId, String name) {
    HollowVolume volume = volumes.get(name);
    if (volume == null || !nodeId.equals(volume.nodeId())) {
      return VolumeRemoval.NOT_FOUND;
    }
    if (mounted(name)) {
      return VolumeRemoval.IN_USE;
    }
    return volumes.remove(name) == null ? VolumeRemoval.NOT_FOUND : VolumeRemoval.REMOVED;
  }

  private void checkKept(VolumeMount volume, ContainerSpec spec) {
    HollowVolume kept = volumes.get(volume.volumeName());
    String node = spec.labels().get(EnvironmentNames.NODE_LABEL);
    if (kept == null || !kept.nodeId().equals(node)) {
      throw new RuntimeFailure("kept volume " + volume.volumeName() + " is not on this machine (node " + node + ")");
    }
    if (mounted(volume.volumeName())) {
      throw new RuntimeFailure("kept volume " + volume.volumeName() + " is mounted by another container");
    }
  }

  private boolean mounted(String volumeName) {
    return containers.values().stream()
        .anyMatch(container -> container.spec().volumes().stream().anyMatch(v -> v.volumeName().equals(volumeName)));
  }

  @Override
  public Closeable watchEvents(Consumer<ContainerEvent> listener) {
    listeners.add(listener);
    return () -> listeners.remove(listener);
  }

  /** Hollow containers join no network: there is nothing to relay on. */
  @Override
  public Closeable watchNetworkGateways(Consumer<String> listener) {
    return () -> {};
  }

  @Override
  public Closeable logs(String containerId, int tail, boolean follow, Instant since, boolean timestamps,
      Consumer<String> line, Runnable onEnd) {
    HollowContainer container = existing(containerId);
    line.accept("hollow container " + container.spec().name() + " has no output");
    onEnd.run();
    return () -> {};
  }

  @Override
  public ContainerStats stats(String containerId) {
    HollowContainer container = existing(containerId);
    return new ContainerStats(0, 0, container.spec().memoryBytes(), 0, 0, 0, 0, 0);
  }

  /** A hollow container runs nothing, so there is nothing to exec in: refused, by name. */
  @Override
  public ExecResult exec(String containerId, List<String> command, String stdin, Duration timeout, long maxOutputBytes) {
    HollowContainer container = existing(containerId);
    throw new RuntimeFailure("hollow container " + container.spec().name() + " runs no processes: nothing can be run in it");
  }

  @Override
  public ShellSession shell(String containerId, List<String> command, boolean tty) {
    throw nothingInside(containerId);
  }

  @Override
  public boolean putArchive(String containerId, String directory, InputStream archive, Duration timeout) {
    throw nothingInside(containerId);
  }

  @Override
  public Optional<InputStream> getArchive(String containerId, String path) {
    throw nothingInside(containerId);
  }

  /** A hollow container has no processes and no file system: a shell or files are refused, by name. */
  private RuntimeFailure nothingInside(String containerId) {
    return new RuntimeFailure("hollow container " + existing(containerId).spec().name() + " has no processes and no files");
  }

  @Override
  public void close() {
    listeners.clear();
  }

  /** By id or by name, as the engine resolves both. */
  private Optional<HollowContainer> find(String idOrName) {
    HollowContainer byId = containers.get(idOrName);
    if (byId != null) {
      return Optional.of(byId);
    }
    String id = idsByName.get(idOrName);
    return id == null ? Optional.empty() : Optional.ofNullable(containers.get(id));
  }

  private HollowContainer existing(String containerId) {
    return find(containerId).orElseThrow(() -> new RuntimeFailure("no such container: " + containerId));
  }

  private void publish(HollowContainer container, String action, Integer exitCode) {
    ContainerEvent event = new ContainerEvent(container.id(), action, container.spec().labels(), exitCode);
    listeners.forEach(listener -> listener.accept(event));
  }

  private void pretendToWork() {
    if (operationDelay.isZero()) {
      return;
    }
    try {
      Thread.sleep(operationDelay.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new RuntimeFailure("interrupted", e);
    }
  }
}
