package io.dcloud.deploy;

import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.contracts.ImageRecipe;
import java.io.Closeable;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * An in-memory container engine for behaviour tests (other modules get it through deploy's
 * test-jar). It keeps {@link ContainerRuntime}'s contract as {@link DockerRuntime} does
 * ({@link ContainerRuntimeContract} runs against both), and a test can script it: have operations
 * wait at a {@link Gate}, make them fail, make a container exit (or be OOM-killed), break the event
 * stream, and read back which calls were made.
 *
 * <p>Events are delivered on the thread of the call that caused them, before it returns (Docker
 * delivers them a little later: a caller must not rely on either order).
 */
public final class ScriptedRuntime implements ContainerRuntime {
  /** What a container stopped with SIGTERM exits with under docker-init (128 + 15). */
  public static final int EXIT_ON_SIGTERM = 143;
  /** What a container killed by a forced remove exits with (128 + 9). */
  public static final int EXIT_ON_SIGKILL = 137;
  /** How long a held call waits for its gate before failing the test's engine call. */
  private static final Duration GATE_LIMIT = Duration.ofSeconds(30);
  /** Engine-chosen host ports start here, like Linux's ephemeral range. */
  private static final int FIRST_EPHEMERAL_PORT = 49152;

  /** One engine call, as the test sees it: e.g. {@code ("remove", containerId)}. */
  public record Call(String operation, String target) {}

  private final Set<String> images = ConcurrentHashMap.newKeySet();
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Map<String, Gate> gates = new ConcurrentHashMap<>();
  private final Map<String, RuntimeException> failures = new ConcurrentHashMap<>();
  private final List<Watch> watches = new CopyOnWriteArrayList<>();
  /** Guarded by {@code this}: containers by id, and the volumes that exist. */
  private final Map<String, Container> containers = new HashMap<>();
  private final Set<String> volumes = new HashSet<>();
  private int nextId;
  private int nextPort = FIRST_EPHEMERAL_PORT;

  private static final class Container {
    final String id;
    final ContainerSpec spec;
    String state = "created";
    Integer exitCode;
    boolean oomKilled;
    List<PortBinding> boundPorts = List.of();

    Container(String id, ContainerSpec spec) {
      this.id = id;
      this.spec = spec;
    }

    boolean running() {
      return "running".equals(state);
    }

    ContainerInfo info() {
      return new ContainerInfo(id, spec.name(), spec.labels(), running(), state, exitCode, oomKilled, null,
          running() ? boundPorts : List.of(), spec.image());
    }
  }

  private record Watch(Consumer<ContainerEvent> listener, Consumer<Throwable> onEnd) {}

  /** An engine with the given images already on the machine. */
  public ScriptedRuntime(String... images) {
    this.images.addAll(List.of(images));
  }

  // ---------------------------------------------------------------- scripting

  /** A point where the next call of {@code operation} waits until the test releases it. */
  public static final class Gate {
    private final CountDownLatch reached = new CountDownLatch(1);
    private final CountDownLatch released = new CountDownLatch(1);

    /** Waits until the held call arrived; fails the test when it does not within {@code timeout}. */
    public void awaitReached(Duration timeout) throws InterruptedException {
      if (!reached.await(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        throw new AssertionError("no engine call reached the gate within " + timeout);
      }
    }

    public void release() {
      released.countDown();
    }

    private void pass(String operation) {
      reached.countDown();
      try {
        if (!released.await(GATE_LIMIT.toMillis(), TimeUnit.MILLISECONDS)) {
          throw new RuntimeFailure(operation + " was held at a gate nobody released within " + GATE_LIMIT);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new RuntimeFailure(operation + " was interrupted at its gate", e);
      }
    }
  }

  /** The next call of {@code operation} ("create", "start", "stop", "remove", "inspect", ...) waits at the gate. */
  public Gate hold(String operation) {
    Gate gate = new Gate();
    gates.put(operation, gate);
    return gate;
  }

  /** Every call of {@code operation} throws {@code failure} until {@link #heal}. */
  public void fail(String operation, RuntimeException failure) {
    failures.put(operation, failure);
  }

  public void heal(String operation) {
    failures.remove(operation);
  }

  /** The running container exits by itself, as the engine reports it: an "oom" event first when OOM-killed, then "die". */
  public void exit(String containerId, int exitCode, boolean oomKilled) {
    Container container;
    synchronized (this) {
      container = existing(containerId);
      container.state = "exited";
      container.exitCode = exitCode;
      container.oomKilled = oomKilled;
    }
    if (oomKilled) {
      publish(container, "oom", null);
    }
    publish(container, "die", exitCode);
  }

  /** The event stream breaks (the engine restarted): every watcher is told, and no longer watches. */
  public void breakEvents(Throwable cause) {
    List<Watch> ended = List.copyOf(watches);
    watches.clear();
    ended.forEach(watch -> watch.onEnd().accept(cause));
  }

  /** Every call made so far of {@code operation}, by target, oldest first. */
  public List<String> calls(String operation) {
    return calls.stream().filter(c -> c.operation().equals(operation)).map(Call::target).toList();
  }

  public synchronized boolean volumeExists(String name) {
    return volumes.contains(name);
  }

  /** The spec a container was created from (what a test checks of a node's choices). */
  public synchronized Optional<ContainerSpec> specOf(String containerId) {
    return find(containerId).map(container -> container.spec);
  }

  // ---------------------------------------------------------------- the engine

  @Override
  public RuntimeInfo info() {
    call("info", "");
    return new RuntimeInfo(true, "scripted", "scripted", List.of("runc"), 0, 0, null);
  }

  @Override
  public boolean hasImage(String tag) {
    call("hasImage", tag);
    return images.contains(tag);
  }

  @Override
  public void ensureImage(ImageRecipe recipe, Consumer<String> progress) {
    call("ensureImage", recipe.tag());
    if (images.add(recipe.tag())) {
      progress.accept("built " + recipe.tag());
    }
  }

  @Override
  public String create(ContainerSpec spec) {
    call("create", spec.name());
    synchronized (this) {
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
      spec.volumes().forEach(volume -> volumes.add(volume.volumeName()));
      String id = String.format("scripted%056x", ++nextId);
      containers.put(id, new Container(id, spec));
      return id;
    }
  }

  @Override
  public void start(String containerId) {
    call("start", containerId);
    Container container;
    synchronized (this) {
      container = find(containerId).orElseThrow(
          () -> new RuntimeFailure("starting container " + containerId + " failed: it does not exist"));
      if (container.running()) {
        return;
      }
      container.state = "running";
      container.exitCode = null;
      container.oomKilled = false;
      container.boundPorts = container.spec.ports().stream()
          .map(p -> new PortBinding(p.hostIp(), p.hostPort() != null ? p.hostPort() : nextPort++, p.containerPort(), p.protocol()))
          .toList();
    }
    publish(container, "start", null);
  }

  @Override
  public void stop(String containerId, Duration grace) {
    call("stop", containerId);
    Container container;
    synchronized (this) {
      container = find(containerId).filter(Container::running).orElse(null);
      if (container == null) {
        return;
      }
      container.state = "exited";
      container.exitCode = EXIT_ON_SIGTERM;
    }
    publish(container, "die", EXIT_ON_SIGTERM);
  }

  @Override
  public void remove(String containerId, List<String> volumesToRemove) {
    call("remove", containerId);
    Container container;
    boolean wasRunning;
    synchronized (this) {
      container = find(containerId).orElse(null);
      wasRunning = container != null && container.running();
      if (container != null) {
        containers.remove(container.id);
      }
      volumesToRemove.forEach(volumes::remove);
    }
    if (wasRunning) {
      publish(container, "die", EXIT_ON_SIGKILL);
    }
    if (container != null) {
      publish(container, "destroy", null);
    }
  }

  @Override
  public Optional<ContainerInfo> inspect(String containerId) {
    call("inspect", containerId);
    synchronized (this) {
      return find(containerId).map(Container::info);
    }
  }

  @Override
  public List<ContainerInfo> listManaged(String nodeId) {
    call("listManaged", nodeId);
    synchronized (this) {
      return containers.values().stream()
          .filter(c -> nodeId.equals(c.spec.labels().get(EnvironmentNames.NODE_LABEL)))
          .map(Container::info)
          .toList();
    }
  }

  @Override
  public Closeable watchEvents(Consumer<ContainerEvent> listener) {
    return watchEvents(listener, cause -> {});
  }

  @Override
  public Closeable watchEvents(Consumer<ContainerEvent> listener, Consumer<Throwable> onEnd) {
    call("watchEvents", "");
    Watch watch = new Watch(listener, onEnd);
    watches.add(watch);
    return () -> watches.remove(watch);
  }

  /** Scripted containers join no network: the call is only recorded (and may be scripted to fail). */
  @Override
  public Closeable watchNetworkGateways(Consumer<String> listener) {
    call("watchNetworkGateways", "");
    return () -> {};
  }

  @Override
  public Closeable logs(String containerId, int tail, boolean follow, Consumer<String> line, Runnable onEnd) {
    call("logs", containerId);
    synchronized (this) {
      find(containerId).orElseThrow(() -> new RuntimeFailure("reading the log of container " + containerId + " failed: no such container"));
    }
    if (!follow) {
      onEnd.run();
      return () -> {};
    }
    // A follow stays open, as the engine's does, until its reader closes it.
    AtomicBoolean ended = new AtomicBoolean();
    return () -> {
      if (ended.compareAndSet(false, true)) {
        onEnd.run();
      }
    };
  }

  @Override
  public ContainerStats stats(String containerId) {
    call("stats", containerId);
    synchronized (this) {
      Container container = find(containerId).orElseThrow(
          () -> new RuntimeFailure("sampling the resource use of container " + containerId + " failed: no such container"));
      return new ContainerStats(0, 0, container.spec.memoryBytes(), 0, 0, 0, 0, container.running() ? 1 : 0);
    }
  }

  /**
   * Like {@code cat} when given stdin, {@code echo} of the command otherwise: exit code 0, the
   * output cut to {@code maxOutputBytes}. A stopped or missing container fails as the engine's does.
   */
  @Override
  public ExecResult exec(String containerId, List<String> command, String stdin, Duration timeout, long maxOutputBytes) {
    call("exec", containerId);
    synchronized (this) {
      Container container = find(containerId).orElseThrow(
          () -> new RuntimeFailure("running a command in container " + containerId + " failed: no such container"));
      if (!container.running()) {
        throw new RuntimeFailure("running a command in container " + containerId + " failed: it is not running");
      }
    }
    String output = stdin != null ? stdin : String.join(" ", command) + "\n";
    boolean truncated = output.length() > maxOutputBytes;
    return new ExecResult(0, truncated ? output.substring(0, (int) maxOutputBytes) : output, "", truncated, false);
  }

  /** Scripted containers have no processes or files: a shell or an archive fails as the engine's would for a stopped one. */
  @Override
  public ShellSession shell(String containerId, List<String> command, boolean tty) {
    call("shell", containerId);
    throw new RuntimeFailure("opening a shell in scripted container " + containerId + " failed: it runs no processes");
  }

  @Override
  public boolean putArchive(String containerId, String directory, InputStream archive, Duration timeout) {
    call("putArchive", containerId);
    throw new RuntimeFailure("copying files into scripted container " + containerId + " failed: it has no files");
  }

  @Override
  public Optional<InputStream> getArchive(String containerId, String path) {
    call("getArchive", containerId);
    throw new RuntimeFailure("copying files out of scripted container " + containerId + " failed: it has no files");
  }

  @Override
  public void close() {
    watches.clear();
  }

  // ---------------------------------------------------------------- inside

  /** Records the call, then lets a scripted failure or gate have it (outside the lock: a held call blocks nobody else). */
  private void call(String operation, String target) {
    calls.add(new Call(operation, target));
    RuntimeException failure = failures.get(operation);
    if (failure != null) {
      throw failure;
    }
    Gate gate = gates.remove(operation);
    if (gate != null) {
      gate.pass(operation);
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

  private Container existing(String containerId) {
    return find(containerId).orElseThrow(() -> new RuntimeFailure("no such container: " + containerId));
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

  /** Only containers labelled with an environment are watched, as DockerRuntime filters them. */
  private void publish(Container container, String action, Integer exitCode) {
    if (!container.spec.labels().containsKey(EnvironmentNames.ENV_LABEL)) {
      return;
    }
    ContainerEvent event = new ContainerEvent(container.id, action, container.spec.labels(), exitCode);
    watches.forEach(watch -> watch.listener().accept(event));
  }
}
