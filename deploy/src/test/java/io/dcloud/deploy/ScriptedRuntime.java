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
 * <p>Each call is first handed to {@link ScriptedCalls} (recorded, maybe failed or held), then
 * changes the {@link ScriptedEngineState}; this class publishes the events that change causes.
 * Events are delivered on the thread of the call that caused them, before it returns (Docker
 * delivers them a little later: a caller must not rely on either order).
 */
public final class ScriptedRuntime implements ContainerRuntime {
  /** What a container stopped with SIGTERM exits with under docker-init (128 + 15). */
  public static final int EXIT_ON_SIGTERM = 143;
  /** What a container killed by a forced remove exits with (128 + 9). */
  public static final int EXIT_ON_SIGKILL = 137;
  /** How long a held call waits for its gate before failing the test's engine call. */
  private static final Duration GATE_LIMIT = Duration.ofSeconds(30);

  private final ScriptedCalls script = new ScriptedCalls();
  private final ScriptedEngineState state;
  private final List<Watch> watches = new CopyOnWriteArrayList<>();

  private record Watch(Consumer<ContainerEvent> listener, Consumer<Throwable> onEnd) {}

  /** An engine with the given images already on the machine. */
  public ScriptedRuntime(String... images) {
    this.state = new ScriptedEngineState(List.of(images));
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

    /** Called by {@link ScriptedCalls} on the held call's thread. */
    void pass(String operation) {
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
    return script.hold(operation);
  }

  /** Every call of {@code operation} throws {@code failure} until {@link #heal}. */
  public void fail(String operation, RuntimeException failure) {
    script.fail(operation, failure);
  }

  public void heal(String operation) {
    script.heal(operation);
  }

  /** The running container exits by itself, as the engine reports it: an "oom" event first when OOM-killed, then "die". */
  public void exit(String containerId, int exitCode, boolean oomKilled) {
    ScriptedEngineState.Container container = state.exit(containerId, exitCode, oomKilled);
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
    return script.targets(operation);
  }

  public boolean volumeExists(String name) {
    return state.volumeExists(name);
  }

  /** The spec a container was created from (what a test checks of a node's choices). */
  public Optional<ContainerSpec> specOf(String containerId) {
    return state.specOf(containerId);
  }

  // ---------------------------------------------------------------- the engine

  @Override
  public RuntimeInfo info() {
    script.record("info", "");
    return new RuntimeInfo(true, "scripted", "scripted", List.of("runc"), 0, 0, null, null);
  }

  @Override
  public boolean hasImage(String tag) {
    script.record("hasImage", tag);
    return state.hasImage(tag);
  }

  @Override
  public void ensureImage(ImageRecipe recipe, Consumer<String> progress) {
    script.record("ensureImage", recipe.tag());
    if (state.addImage(recipe.tag())) {
      progress.accept("built " + recipe.tag());
    }
  }

  @Override
  public String create(ContainerSpec spec) {
    script.record("create", spec.name());
    return state.create(spec);
  }

  @Override
  public void start(String containerId) {
    script.record("start", containerId);
    state.start(containerId).ifPresent(container -> publish(container, "start", null));
  }

  @Override
  public void updateLimits(String containerId, long nanoCpus, long memoryBytes) {
    script.record("updateLimits", containerId + " " + nanoCpus + " " + memoryBytes);
  }

  @Override
  public void stop(String containerId, Duration grace) {
    script.record("stop", containerId);
    state.stop(containerId, EXIT_ON_SIGTERM).ifPresent(container -> publish(container, "die", EXIT_ON_SIGTERM));
  }

  @Override
  public void remove(String containerId, List<String> volumesToRemove) {
    script.record("remove", containerId);
    state.remove(containerId, volumesToRemove).ifPresent(removed -> {
      if (removed.wasRunning()) {
        publish(removed.container(), "die", EXIT_ON_SIGKILL);
      }
      publish(removed.container(), "destroy", null);
    });
  }

  @Override
  public List<VolumeInfo> listManagedVolumes(String nodeId) {
    script.record("listManagedVolumes", nodeId);
    return state.listManagedVolumes(nodeId);
  }

  @Override
  public Map<String, Long> volumeUsage() {
    script.record("volumeUsage", "");
    return state.volumeUsage();
  }

  @Override
  public VolumeRemoval removeManagedVolume(String nodeId, String name) {
    script.record("removeManagedVolume", name);
    return state.removeManagedVolume(nodeId, name);
  }

  @Override
  public Optional<ContainerInfo> inspect(String containerId) {
    script.record("inspect", containerId);
    return state.inspect(containerId);
  }

  @Override
  public List<ContainerInfo> listManaged(String nodeId) {
    script.record("listManaged", nodeId);
    return state.listManaged(nodeId);
  }

  @Override
  public Closeable watchEvents(Consumer<ContainerEvent> listener) {
    return watchEvents(listener, cause -> {});
  }

  @Override
  public Closeable watchEvents(Consumer<ContainerEvent> listener, Consumer<Throwable> onEnd) {
    script.record("watchEvents", "");
    Watch watch = new Watch(listener, onEnd);
    watches.add(watch);
    return () -> watches.remove(watch);
  }

  /** Scripted containers join no network: the call is only recorded (and may be scripted to fail). */
  @Override
  public Closeable watchNetworkGateways(Consumer<String> listener) {
    script.record("watchNetworkGateways", "");
    return () -> {};
  }

  @Override
  public Closeable logs(String containerId, int tail, boolean follow, Instant since, boolean timestamps,
      Consumer<String> line, Runnable onEnd) {
    script.record("logs", containerId);
    state.requireForLogs(containerId);
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
    script.record("stats", containerId);
    return state.stats(containerId);
  }

  /**
   * Like {@code cat} when given stdin, {@code echo} of the command otherwise: exit code 0, the
   * output cut to {@code maxOutputBytes}. A stopped or missing container fails as the engine's does.
   */
  @Override
  public ExecResult exec(String containerId, List<String> command, String stdin, Duration timeout, long maxOutputBytes) {
    script.record("exec", containerId);
    state.requireForExec(containerId);
    String output = stdin != null ? stdin : String.join(" ", command) + "\n";
    boolean truncated = output.length() > maxOutputBytes;
    return new ExecResult(0, truncated ? output.substring(0, (int) maxOutputBytes) : output, "", truncated, false);
  }

  /** Scripted containers have no processes or files: a shell or an archive fails as the engine's would for a stopped one. */
  @Override
  public ShellSession shell(String containerId, List<String> command, boolean tty) {
    script.record("shell", containerId);
    throw new RuntimeFailure("opening a shell in scripted container " + containerId + " failed: it runs no processes");
  }

  @Override
  public boolean putArchive(String containerId, String directory, InputStream archive, Duration timeout) {
    script.record("putArchive", containerId);
    throw new RuntimeFailure("copying files into scripted container " + containerId + " failed: it has no files");
  }

  @Override
  public Optional<InputStream> getArchive(String containerId, String path) {
    script.record("getArchive", containerId);
    throw new RuntimeFailure("copying files out of scripted container " + containerId + " failed: it has no files");
  }

  @Override
  public void close() {
    watches.clear();
  }

  /** Only containers labelled with an environment are watched, as DockerRuntime filters them. */
  private void publish(ScriptedEngineState.Container container, String action, Integer exitCode) {
    if (!container.spec.labels().containsKey(EnvironmentNames.ENV_LABEL)) {
      return;
    }
    ContainerEvent event = new ContainerEvent(container.id, action, container.spec.labels(), exitCode);
    watches.forEach(watch -> watch.listener().accept(event));
  }
}
