package io.dcloud.node;

import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.deploy.ContainerRuntime.ContainerInfo;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import io.dcloud.deploy.ContainerRuntime.PortBinding;
import io.dcloud.deploy.ContainerRuntime.VolumeMount;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.node.NodeProtocol.ContainerReport;
import io.dcloud.secret.SecretBox;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.PublishedPort;
import java.io.Closeable;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a node carries out its commands on the container engine. Every method blocks on the runtime,
 * so it runs on the node's blocking dispatcher, and returns what became of the environment's
 * container. It holds no actor state: the NodeActor decides what runs when (one operation per
 * environment), this class how. Everything it touches is immutable or thread-safe.
 */
final class ContainerOperations {
  private static final Logger LOG = LoggerFactory.getLogger(ContainerOperations.class);
  /** Zero leaves the pids limit to the runtime (dcloud.deploy.container.pids-limit-default). */
  private static final long RUNTIME_DEFAULT_PIDS_LIMIT = 0;

  /** What one operation left behind: its container (null when there is none) and the environment's report. */
  record Outcome(String environmentId, String containerId, ContainerReport report) {}

  /** Runs a task after a delay (the actor system's scheduler); the answer cancels it: true when it will not run. */
  @FunctionalInterface
  interface Later {
    BooleanSupplier run(Duration delay, Runnable task);

    /** At once, on the caller's thread: nothing left to cancel. */
    Later NOW = (delay, task) -> {
      task.run();
      return () -> false;
    };
  }

  private final NodeSettings settings;
  private final String nodeId;
  private final ContainerRuntime runtime;
  private final NodePeers peers;
  /** Where the environments' datasets come from (see {@link DatasetCache}). */
  private final DatasetMounts datasets;
  private final Later later;
  /** Log follows open now: the pool threads that open them and the streams that end them both count. */
  private final AtomicInteger follows = new AtomicInteger();
  /** Users' commands running now (each on a blocking pool thread). */
  private final AtomicInteger execs = new AtomicInteger();

  ContainerOperations(
      NodeSettings settings, ContainerRuntime runtime, NodePeers peers) {
    this(settings, runtime, peers, DatasetMounts.NONE, Later.NOW);
  }

  /** {@code later} delays the STARTING report ({@code dcloud.node.starting-report-delay}). */
  ContainerOperations(NodeSettings settings, ContainerRuntime runtime, NodePeers peers, DatasetMounts datasets, Later later) {
    this.settings = settings;
    this.nodeId = settings.nodeId();
    this.runtime = runtime;
    this.peers = peers;
    this.datasets = datasets;
    this.later = later;
  }

  Outcome deploy(NodeProtocol.Deploy deploy) {
    String environmentId = deploy.environmentId();
    Optional<ContainerInfo> existing = findContainer(environmentId);
    if (existing.isPresent() && !sameGpus(existing.get(), deploy.gpuUuids())) {
      // Restarted with other GPUs than it was created with: its device request must change.
      LOG.info("Node {}: environment {} now has GPUs {}: recreating its container", nodeId, environmentId, deploy.gpuUuids());
      runtime.remove(existing.get().id(), List.of());
      existing = Optional.empty();
    }
    if (existing.isEmpty()) {
      try {
        DatasetMounts.Prepared prepared = new DatasetMounts.Prepared(List.of(), null);
        // Null in specs recorded without a dataset list.
        if (deploy.spec().datasets() != null && !deploy.spec().datasets().isEmpty()) {
          prepared = datasets.prepare(environmentId, deploy.spec().datasets(), new DatasetProgress(environmentId));
        }
        return create(deploy, prepared);
      } catch (RuntimeException noContainer) {
        // No container mounts its datasets after all, and nothing else would say so: a FAILED environment is
        // deleted without a word to its node.
        datasets.release(environmentId);
        throw noContainer;
      }
    }
    ContainerInfo container = existing.get();
    if (!container.running()) {
      startOrRemove(deploy, container.id());
    }
    return running(environmentId, container.id());
  }

  private Outcome create(NodeProtocol.Deploy deploy, DatasetMounts.Prepared prepared) {
    String environmentId = deploy.environmentId();
    if (!runtime.hasImage(deploy.recipe().tag())) {
      peers.report(environmentId, report(ContainerPhase.BUILDING, null, List.of(), null, false, "building image"));
      runtime.ensureImage(deploy.recipe(), line -> progress(environmentId, line));
    }
    ContainerReport starting = new ContainerReport(
        nodeId, ContainerPhase.STARTING, null, List.of(), null, false, "creating container", prepared.resolved());
    Runnable reportStarting = () -> peers.report(environmentId, starting);
    DelayedReport delayedStarting = new DelayedReport(reportStarting);
    BooleanSupplier cancelTimer = settings.startingReportDelay().isZero()
        ? Later.NOW.run(Duration.ZERO, delayedStarting)
        : later.run(settings.startingReportDelay(), delayedStarting);
    BooleanSupplier cancelStarting = () -> {
      cancelTimer.getAsBoolean();
      return delayedStarting.cancel();
    };
    Outcome outcome;
    try {
      String id = runtime.create(containerSpec(deploy, prepared.mounts()));
      LOG.info("Node {} created container {} for environment {}", nodeId, id, environmentId);
      // Just created, so not running: start it without asking the engine first.
      startOrRemove(deploy, id);
      outcome = running(environmentId, id);
    } catch (RuntimeException failed) {
      cancelStarting.getAsBoolean(); // the failure is the report
      throw failed;
    }
    if (!cancelStarting.getAsBoolean()) {
      return outcome;
    }
    if (outcome.report().phase() != ContainerPhase.RUNNING) {
      // Exited at once: its environment must have been STARTING for the exit to count.
      reportStarting.run();
      return outcome;
    }
    // Running before STARTING was due: the one report says what STARTING would have (the datasets mounted).
    ContainerReport running = outcome.report();
    return new Outcome(environmentId, outcome.containerId(), new ContainerReport(nodeId, running.phase(),
        running.containerId(), running.ports(), running.exitCode(), running.oomKilled(), running.message(),
        prepared.resolved(), running.ready()));
  }

  /** A container that cannot start (e.g. GPUs without an NVIDIA runtime) is removed, not left behind. */
  private void startOrRemove(NodeProtocol.Deploy deploy, String containerId) {
    try {
      runtime.start(containerId);
    } catch (RuntimeException startFailed) {
      LOG.warn("Node {}: container {} of environment {} did not start ({}); removing it",
          nodeId, containerId, deploy.environmentId(), startFailed.getMessage());
      runtime.remove(containerId, deploy.spec().volumeNames(nodeId, deploy.environmentId(), EnvironmentSpec.Lifecycle.TEMPORARY));
      throw startFailed;
    }
  }

  Outcome start(String environmentId) {
    Optional<ContainerInfo> container = findContainer(environmentId);
    if (container.isEmpty()) {
      return new Outcome(environmentId, null, report(ContainerPhase.MISSING, null, List.of(), null, false, "no container"));
    }
    if (!container.get().running()) {
      runtime.start(container.get().id());
    }
    return running(environmentId, container.get().id());
  }

  Outcome stop(String environmentId) {
    Optional<ContainerInfo> container = findContainer(environmentId);
    if (container.isEmpty()) {
      return new Outcome(environmentId, null, report(ContainerPhase.EXITED, null, List.of(), null, false, "no container to stop"));
    }
    runtime.stop(container.get().id(), null); // the runtime's stop grace (dcloud.deploy.stop-grace-default)
    ContainerInfo stopped = runtime.inspect(container.get().id()).orElse(container.get());
    return new Outcome(
        environmentId, stopped.id(), report(ContainerPhase.EXITED, stopped.id(), List.of(), stopped.exitCode(), false, "stopped"));
  }

  Outcome remove(NodeProtocol.RemoveContainer remove) {
    String environmentId = remove.environmentId();
    Optional<ContainerInfo> container = findContainer(environmentId);
    String containerId = container.map(ContainerInfo::id).orElse(remove.containerId());
    runtime.remove(containerId, remove.volumes());
    datasets.release(environmentId);
    LOG.info("Node {} removed environment {} (container {}, volumes {})", nodeId, environmentId, containerId, remove.volumes());
    return new Outcome(environmentId, null, report(ContainerPhase.REMOVED, containerId, List.of(), null, false, "removed"));
  }

  /** After the engine said the container died: what it looks like now (it may run again already). */
  Outcome exited(String environmentId, String containerId) {
    Optional<ContainerInfo> info = runtime.inspect(containerId);
    if (info.isEmpty()) {
      return new Outcome(environmentId, null, report(ContainerPhase.MISSING, containerId, List.of(), null, false, "container gone"));
    }
    if (info.get().running()) {
      return running(environmentId, containerId);
    }
    return new Outcome(
        environmentId, containerId,
        report(ContainerPhase.EXITED, containerId, List.of(), info.get().exitCode(), info.get().oomKilled(), info.get().error()));
  }

  /** An operation that threw: the environment learns why, and the node forgets its container. */
  Outcome failed(String environmentId, Throwable failure) {
    return new Outcome(environmentId, null, report(ContainerPhase.FAILED, null, List.of(), null, false, Failures.rootMessage(failure)));
  }

  NodeProtocol.StatsReply stats(String containerId) {
    try {
      var stats = runtime.stats(containerId);
      return new NodeProtocol.Stats(
          stats.cpuPercent(), stats.memoryUsedBytes(), stats.memoryLimitBytes(), stats.networkRxBytes(),
          stats.networkTxBytes(), stats.blockReadBytes(), stats.blockWriteBytes(), stats.pids());
    } catch (RuntimeException e) {
      return new NodeProtocol.StatsUnavailable(Failures.rootMessage(e));
    }
  }

  /** Runs a user's command in the container; at most {@code max-execs} at once, as each holds a blocking thread. */
  NodeProtocol.ExecReply exec(NodeProtocol.ExecIn request) {
    if (execs.incrementAndGet() > settings.maxExecs()) {
      execs.decrementAndGet();
      LOG.info("Node {} refused a command in environment {}: it already runs {} (dcloud.node.max-execs)",
          nodeId, request.environmentId(), settings.maxExecs());
      return new NodeProtocol.ExecUnavailable("node " + nodeId + " is busy running " + settings.maxExecs()
          + " commands, its limit: try again later");
    }
    try {
      var result = runtime.exec(request.containerId(), request.command(), request.stdin(),
          Duration.ofMillis(request.timeoutMillis()), request.maxOutputBytes());
      LOG.info("Environment {}: ran {} on node {}: {}", request.environmentId(), request.command().get(0), nodeId,
          result.timedOut() ? "timed out after " + request.timeoutMillis() + " ms" : "exit code " + result.exitCode());
      return new NodeProtocol.ExecResult(
          result.exitCode(), result.stdout(), result.stderr(), result.truncated(), result.timedOut());
    } catch (RuntimeException e) {
      return new NodeProtocol.ExecUnavailable(Failures.rootMessage(e));
    } finally {
      execs.decrementAndGet();
    }
  }

  /**
   * Bridges the engine's log callback into a stream the gateway (maybe on another node) pulls through
   * a SourceRef. Follows never end by themselves, so at most {@code max-log-follows} run at once.
   */
  NodeProtocol.LogsReply logs(NodeProtocol.StreamLogs request, ActorSystem<?> system) {
    boolean counted = request.follow();
    if (counted && follows.incrementAndGet() > settings.maxLogFollows()) {
      follows.decrementAndGet();
      LOG.info("Node {} refused to follow the log of environment {}: it already follows {} (dcloud.node.max-log-follows)",
          nodeId, request.environmentId(), settings.maxLogFollows());
      return new NodeProtocol.LogsRefused("node " + nodeId + " already follows " + settings.maxLogFollows()
          + " logs, its limit: try again later", settings.maxLogFollows());
    }
    var materialized = Source.<String>queue(settings.logBufferLines(), OverflowStrategy.dropHead()).preMaterialize(system);
    var queue = materialized.first();
    Closeable follow;
    try {
      follow = runtime.logs(request.containerId(), request.tail(), request.follow(), queue::offer, queue::complete);
    } catch (RuntimeException e) {
      if (counted) {
        follows.decrementAndGet();
      }
      return new NodeProtocol.LogsUnavailable(Failures.rootMessage(e));
    }
    SourceRef<String> lines = materialized.second()
        .watchTermination((notUsed, done) -> done.whenComplete((ok, failure) -> {
          closeQuietly(follow);
          if (counted) {
            follows.decrementAndGet();
          }
        }))
        .runWith(StreamRefs.sourceRef(), system);
    return new NodeProtocol.Logs(lines);
  }

  private Outcome running(String environmentId, String containerId) {
    ContainerInfo info = runtime.inspect(containerId)
        .orElseThrow(() -> new IllegalStateException("container " + containerId + " vanished while starting"));
    if (!info.running()) {
      return new Outcome(
          environmentId, containerId,
          report(ContainerPhase.EXITED, containerId, List.of(), info.exitCode(), info.oomKilled(), "exited right after start"));
    }
    return new Outcome(environmentId, containerId, report(ContainerPhase.RUNNING, containerId, ports(info), null, false, "running"));
  }

  private static boolean sameGpus(ContainerInfo container, List<String> gpuUuids) {
    String created = container.labels().getOrDefault(EnvironmentNames.GPU_LABEL, "");
    return created.equals(String.join(",", gpuUuids));
  }

  /** By its name (one engine call, however many containers the node runs), checked by its labels. */
  private Optional<ContainerInfo> findContainer(String environmentId) {
    return runtime.inspect(EnvironmentNames.containerName(nodeId, environmentId))
        .filter(c -> environmentId.equals(c.labels().get(EnvironmentNames.ENV_LABEL))
            && nodeId.equals(c.labels().get(EnvironmentNames.NODE_LABEL)));
  }

  private ContainerSpec containerSpec(NodeProtocol.Deploy deploy, List<ContainerRuntime.BindMount> mounts) {
    EnvironmentSpec spec = deploy.spec();
    String environmentId = deploy.environmentId();
    List<PortBinding> ports = spec.ports().stream()
        .map(p -> new PortBinding(settings.publishHostIp(), p.hostPort(), p.containerPort(), p.protocol()))
        .toList();
    List<VolumeMount> volumes = new ArrayList<>();
    for (int i = 0; i < spec.storage().size(); i++) {
      volumes.add(new VolumeMount(EnvironmentNames.volumeName(nodeId, environmentId, i), spec.storage().get(i).target()));
    }
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(EnvironmentNames.ENV_LABEL, environmentId);
    labels.put(EnvironmentNames.NODE_LABEL, nodeId);
    if (!deploy.gpuUuids().isEmpty()) {
      labels.put(EnvironmentNames.GPU_LABEL, String.join(",", deploy.gpuUuids()));
    }
    return new ContainerSpec(
        EnvironmentNames.containerName(nodeId, environmentId),
        deploy.recipe().tag(),
        spec.command().isEmpty() ? settings.idleCommand() : spec.command(),
        variables(environmentId, spec),
        spec.resources().nanoCpus(),
        spec.resources().memoryBytes(),
        RUNTIME_DEFAULT_PIDS_LIMIT,
        deploy.gpuUuids(),
        ports,
        volumes,
        labels, deploy.owner(), mounts);
  }

  /**
   * {@code env}, the proxy's prefix ({@link ProxyWire#PREFIX_VARIABLE}) and the decrypted {@code
   * secret-env}: decrypted here, just before the engine gets them, so no message or event between
   * the gateway and this node ever held them in clear.
   */
  private Map<String, String> variables(String environmentId, EnvironmentSpec spec) {
    Map<String, String> variables = new LinkedHashMap<>(spec.env());
    variables.put(ProxyWire.PREFIX_VARIABLE, ProxyWire.prefix(environmentId));
    if (spec.secretEnv().isEmpty()) {
      return variables;
    }
    SecretBox box = settings.secrets();
    if (box == null) {
      throw new IllegalStateException("node " + nodeId + " cannot decrypt the secret-env of environment " + environmentId
          + ": it has no secrets key (dcloud.secrets.key)");
    }
    spec.secretEnv().forEach((name, sealed) -> variables.put(name, box.open(name, sealed)));
    return variables;
  }

  static List<PublishedPort> ports(ContainerInfo info) {
    return info.ports().stream()
        .map(p -> new PublishedPort(p.containerPort(), p.protocol(), p.hostIp(), p.hostPort()))
        .toList();
  }

  ContainerReport report(ContainerPhase phase, String containerId, List<PublishedPort> ports, Integer exitCode, boolean oom, String message) {
    return new ContainerReport(nodeId, phase, containerId, ports, exitCode, oom, message);
  }

  private void progress(String environmentId, String line) {
    peers.progress(environmentId, line);
  }

  /** A fetch of datasets makes the environment PREPARING, and its progress goes out as lines like a build's. */
  private final class DatasetProgress implements DatasetMounts.Progress {
    private final String environmentId;
    private boolean told;

    DatasetProgress(String environmentId) {
      this.environmentId = environmentId;
    }

    @Override
    public void fetched(long bytes, long totalBytes) {
      if (!told) {
        told = true;
        peers.report(environmentId, report(ContainerPhase.PREPARING, null, List.of(), null, false, "fetching datasets"));
      }
      progress(environmentId, DatasetFetchLine.of(bytes, totalBytes));
    }
  }

  static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException ignored) {
      // The stream is over either way.
    }
  }
}
