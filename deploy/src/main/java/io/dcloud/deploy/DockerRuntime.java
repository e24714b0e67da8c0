package io.dcloud.deploy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Container;
import com.github.dockerjava.api.model.Event;
import com.github.dockerjava.api.model.EventType;
import com.github.dockerjava.api.model.Frame;
import com.github.dockerjava.api.model.Info;
import com.typesafe.config.Config;
import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.contracts.ImageRecipe;
import java.io.Closeable;
import java.io.InputStream;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link ContainerRuntime} over the local Docker Engine API (docker-java, Apache HttpClient 5
 * transport). Every daemon call has a DCloud deadline; every failure is a {@link RuntimeFailure}
 * whose message says what failed and what to do.
 */
public final class DockerRuntime implements ContainerRuntime {

  private static final Logger log = LoggerFactory.getLogger(DockerRuntime.class);

  /** Engine events a NodeActor acts on. */
  static final List<String> WATCHED_ACTIONS = List.of("start", "die", "oom", "stop", "destroy");

  private static final String EXIT_CODE_ATTRIBUTE = "exitCode";
  private static final String DCLOUD_LABEL_PREFIX = "dcloud.";
  private static final int SHORT_ID_LENGTH = 12;

  private final DockerSettings settings;
  private final DaemonCalls calls;
  private final EngineConnection engine;
  private final BaseImages baseImages;
  private final ImageBuilds imageBuilds;
  private final TenantNetworks networks;
  private final ContainerLifecycle lifecycle;
  private final ManagedVolumes volumes;

  private DockerRuntime(DockerSettings settings) {
    this.settings = settings;
    this.calls = new DaemonCalls(settings.dockerHost());
    this.engine = new EngineConnection(settings, calls);
    this.baseImages = new BaseImages(engine, calls, settings);
    this.imageBuilds = new ImageBuilds(engine, baseImages, settings.build());
    this.networks = new TenantNetworks(engine, calls, settings.network(), settings.callTimeout());
    this.lifecycle = new ContainerLifecycle(settings, calls, engine, networks);
    this.volumes = new ManagedVolumes(settings, calls, engine);
  }

  /**
   * A runtime for the engine named in {@code deployConfig} (the {@code dcloud.deploy} section).
   * Does not contact the engine: the first call does, so a node can start while Docker is down.
   */
  public static DockerRuntime create(Config deployConfig) {
    return new DockerRuntime(DockerSettings.fromConfig(deployConfig));
  }

  public DockerSettings settings() {
    return settings;
  }

  /** The underlying client, pinned to the engine's API version (for tests and diagnostics). */
  public DockerClient dockerClient() {
    return engine.client();
  }

  @Override
  public RuntimeInfo info() {
    try {
      EngineConnection.Pinned pinned = engine.pinned();
      Info info = calls.call("reading the Docker Engine's info", settings.callTimeout(), () -> pinned.client().infoCmd().exec());
      List<String> runtimes = info.getRuntimes() == null ? List.of() : info.getRuntimes().keySet().stream().sorted().toList();
      return new RuntimeInfo(
          true,
          pinned.engineVersion(),
          pinned.apiVersion(),
          runtimes,
          info.getMemTotal() == null ? 0 : info.getMemTotal(),
          info.getNCPU() == null ? 0 : info.getNCPU(),
          info.getDockerRootDir(),
          null);
    } catch (RuntimeException e) {
      log.warn("Docker Engine at {} is unavailable: {}", settings.dockerHost(), e.getMessage());
      return new RuntimeInfo(false, null, null, List.of(), 0, 0, null, e.getMessage());
    }
  }

  @Override
  public boolean hasImage(String tag) {
    return baseImages.exists(tag);
  }

  @Override
  public void ensureImage(ImageRecipe recipe, Consumer<String> progress) {
    imageBuilds.ensure(recipe, safe(progress));
  }

  @Override
  public String create(ContainerSpec spec) {
    return lifecycle.create(spec);
  }

  @Override
  public void start(String containerId) {
    lifecycle.start(containerId);
  }

  @Override
  public void updateLimits(String containerId, long nanoCpus, long memoryBytes) {
    lifecycle.updateLimits(containerId, nanoCpus, memoryBytes);
  }

  @Override
  public void stop(String containerId, Duration grace) {
    lifecycle.stop(containerId, grace);
  }

  @Override
  public void remove(String containerId, List<String> volumesToRemove) {
    lifecycle.remove(containerId, volumesToRemove);
  }

  @Override
  public Closeable watchNetworkGateways(Consumer<String> listener) {
    return networks.watchGateways(listener);
  }

  @Override
  public Optional<ContainerInfo> inspect(String containerId) {
    return calls.call("inspecting container " + shortId(containerId), settings.callTimeout(), () -> {
      try {
        return Optional.of(ContainerSpecs.info(engine.client().inspectContainerCmd(containerId).exec()));
      } catch (NotFoundException missing) {
        return Optional.empty();
      }
    });
  }

  @Override
  public List<ContainerInfo> listManaged(String nodeId) {
    List<Container> containers = calls.call("listing the containers of node " + nodeId, settings.callTimeout(), () ->
        engine.client().listContainersCmd()
            .withShowAll(true)
            .withLabelFilter(Map.of(EnvironmentNames.NODE_LABEL, nodeId))
            .exec());
    // The list lacks exit code and OOM state: inspect each (a node runs tens, not thousands).
    List<ContainerInfo> infos = new ArrayList<>();
    for (Container container : containers) {
      inspect(container.getId()).ifPresent(infos::add); // absent: removed meanwhile
    }
    return List.copyOf(infos);
  }

  @Override
  public List<VolumeInfo> listManagedVolumes(String nodeId) {
    return volumes.list(nodeId);
  }

  @Override
  public Map<String, Long> volumeUsage() {
    return volumes.usage();
  }

  @Override
  public VolumeRemoval removeManagedVolume(String nodeId, String name) {
    return volumes.remove(nodeId, name);
  }

  @Override
  public Closeable watchEvents(Consumer<ContainerEvent> listener) {
    return watchEvents(listener, error -> {});
  }

  @Override
  public Closeable watchEvents(Consumer<ContainerEvent> listener, Consumer<Throwable> onEnd) {
    // onEnd is for a stream that breaks while the caller holds it: not for a failed start (the
    // caller gets the exception) and not after the caller closed it.
    AtomicBoolean handedOut = new AtomicBoolean();
    AtomicBoolean closedByCaller = new AtomicBoolean();
    AtomicBoolean endReported = new AtomicBoolean();
    Consumer<Throwable> reportEnd = error -> {
      if (handedOut.get() && !closedByCaller.get() && endReported.compareAndSet(false, true)) {
        log.warn("the container event stream of {} ended{}", settings.dockerHost(),
            error == null ? "" : ": " + DaemonCalls.rootMessage(error));
        onEnd.accept(error);
      }
    };
    StreamCallback<Event> events = new StreamCallback<Event>("watching container events", event -> {
      ContainerEvent mapped = toContainerEvent(event);
      if (mapped != null) {
        listener.accept(mapped);
      }
    }).onEnd(reportEnd);
    engine.client().eventsCmd()
        .withEventTypeFilter(EventType.CONTAINER)
        .withLabelFilter(EnvironmentNames.ENV_LABEL)
        .withEventFilter(WATCHED_ACTIONS.toArray(String[]::new))
        .exec(events);
    awaitStreamStart(events, "watching container events");
    handedOut.set(true);
    if (events.hasEnded()) {
      reportEnd.accept(events.error()); // ended between the start and now
    }
    log.info("watching container events of {}", settings.dockerHost());
    return () -> {
      closedByCaller.set(true);
      events.close();
      log.info("stopped watching container events of {}", settings.dockerHost());
    };
  }

  /** Newer engines (API 1.52) drop {@code id}/{@code status}: use action and actor. */
  static ContainerEvent toContainerEvent(Event event) {
    String action = event.getAction() != null ? event.getAction() : event.getStatus();
    String id = event.getActor() != null && event.getActor().getId() != null ? event.getActor().getId() : event.getId();
    if (action == null || id == null || !WATCHED_ACTIONS.contains(action)) {
      return null;
    }
    Map<String, String> attributes = event.getActor() == null || event.getActor().getAttributes() == null
        ? Map.of()
        : event.getActor().getAttributes();
    Map<String, String> labels = attributes.entrySet().stream()
        .filter(e -> e.getKey().startsWith(DCLOUD_LABEL_PREFIX))
        .collect(Collectors.toUnmodifiableMap(Map.Entry::getKey, Map.Entry::getValue));
    return new ContainerEvent(id, action, labels, exitCode(attributes.get(EXIT_CODE_ATTRIBUTE)));
  }

  private static Integer exitCode(String value) {
    try {
      return value == null ? null : Integer.valueOf(value);
    } catch (NumberFormatException e) {
      return null;
    }
  }

  @Override
  public Closeable logs(String containerId, int tail, boolean follow, Instant since, boolean timestamps,
      Consumer<String> line, Runnable onEnd) {
    LogLines lines = new LogLines(safe(line), settings.logLineMaxBytes());
    String what = "reading the log of container " + shortId(containerId);
    StreamCallback<Frame> frames = new StreamCallback<>(what, lines).onEnd(error -> {
      lines.flush();
      onEnd.run();
    });
    var cmd = engine.client().logContainerCmd(containerId).withStdOut(true).withStdErr(true).withFollowStream(follow)
        .withTimestamps(timestamps);
    if (since != null) {
      // The engine takes whole seconds (a line of the second it names is kept), and docker-java an int:
      // a later instant than 2038's last is kept as that, still after every line written so far.
      cmd.withSince((int) Math.max(0, Math.min(since.getEpochSecond(), Integer.MAX_VALUE)));
    }
    (tail < 0 ? cmd.withTailAll() : cmd.withTail(tail)).exec(frames);
    awaitStreamStart(frames, what);
    return frames;
  }

  @Override
  public ContainerStats stats(String containerId) {
    String what = "sampling the resource use of container " + shortId(containerId);
    return StatsSamples.sample(engine.client(), containerId, settings.statsTimeout(), calls, what);
  }

  @Override
  public ExecResult exec(String containerId, List<String> command, String stdin, Duration timeout, long maxOutputBytes) {
    return ContainerExec.run(
        engine.client(), calls, settings.callTimeout(), containerId, command, stdin, timeout, maxOutputBytes);
  }

  @Override
  public ShellSession shell(String containerId, List<String> command, boolean tty) {
    return ContainerShell.open(engine.pinned(), calls, settings.callTimeout(), settings.dockerHost(), containerId, command, tty);
  }

  @Override
  public boolean putArchive(String containerId, String directory, InputStream archive, Duration timeout) {
    return ContainerArchives.put(engine.client(), calls, timeout, containerId, directory, archive);
  }

  @Override
  public Optional<InputStream> getArchive(String containerId, String path) {
    return ContainerArchives.get(engine.client(), calls, settings.callTimeout(), containerId, path);
  }

  /** Waits until the engine answered a streaming request, so a bad request fails the call itself. */
  private void awaitStreamStart(StreamCallback<?> stream, String what) {
    try {
      if (stream.awaitStarted(settings.callTimeout())) {
        return;
      }
    } catch (InterruptedException e) {
      stream.close();
      Thread.currentThread().interrupt();
      throw new RuntimeFailure(what + " was interrupted", e);
    }
    Throwable error = stream.error();
    stream.close();
    if (error instanceof NotFoundException missing) {
      throw new RuntimeFailure(what + " failed: " + DaemonCalls.engineMessage(missing), missing);
    }
    throw error != null ? calls.failure(what, error) : new RuntimeFailure(what + " got no answer from the Docker Engine at "
        + settings.dockerHost() + " within " + DaemonCalls.human(settings.callTimeout()));
  }

  /** A listener that throws must not break a build or a stream; its failure is only logged. */
  private static Consumer<String> safe(Consumer<String> consumer) {
    Objects.requireNonNull(consumer, "consumer");
    return value -> {
      try {
        consumer.accept(value);
      } catch (RuntimeException e) {
        log.warn("a progress/log listener failed on '{}'", value, e);
      }
    };
  }

  /** Container ids as docker prints them; names pass through. */
  static String shortId(String id) {
    return id != null && id.length() > SHORT_ID_LENGTH && id.matches("[0-9a-f]+") ? id.substring(0, SHORT_ID_LENGTH) : id;
  }

  @Override
  public void close() {
    engine.close();
    calls.close();
  }
}
