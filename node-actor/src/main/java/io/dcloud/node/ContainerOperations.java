package io.dcloud.node;

import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.deploy.ContainerRuntime.ContainerInfo;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.node.NodeProtocol.ContainerReport;
import io.dcloud.resources.Quantities;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.PublishedPort;
import java.io.Closeable;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.BooleanSupplier;
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
      // Resized while it was stopped: it starts with its spec's limits (the same ones change nothing).
      Resources resources = deploy.spec().resources();
      if (resources.nanoCpus() > 0 && resources.memoryBytes() > 0) {
        runtime.updateLimits(container.id(), resources.nanoCpus(), resources.memoryBytes());
      }
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
      String id = runtime.create(DeployContainerSpecs.of(settings, deploy, prepared.mounts()));
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

  /**
   * Changes a running container's CPU and RAM limits as it runs ({@code docker update}). Memory is
   * lowered only above what the container uses now: below it the kernel would reclaim and then kill
   * (cgroup v2) or refuse (v1). What cannot change is said (NOT_RESIZED), and the environment restarts
   * with its new limits instead; a container that no longer runs is reported as it is.
   */
  Outcome updateLimits(NodeProtocol.UpdateLimits update) {
    String environmentId = update.environmentId();
    Resources limits = update.resources();
    Optional<ContainerInfo> container = findContainer(environmentId);
    if (container.isEmpty()) {
      return new Outcome(environmentId, null, report(ContainerPhase.MISSING, null, List.of(), null, false, "no container"));
    }
    String containerId = container.get().id();
    if (!container.get().running()) {
      return exited(environmentId, containerId);
    }
    String refusal;
    try {
      boolean lowered = container.get().memoryBytes() == 0 || container.get().memoryBytes() > limits.memoryBytes();
      refusal = lowered ? memoryInUseAbove(containerId, limits.memoryBytes()) : null;
      if (refusal == null) {
        runtime.updateLimits(containerId, limits.nanoCpus(), limits.memoryBytes());
        LOG.info("Node {}: environment {} runs with {} from now on", nodeId, environmentId, limits.describeRunning());
      }
    } catch (RuntimeException engineRefused) {
      refusal = Failures.rootMessage(engineRefused);
    }
    if (refusal != null) {
      LOG.info("Node {}: the limits of environment {} cannot change as it runs: {}", nodeId, environmentId, refusal);
    }
    return new Outcome(environmentId, containerId, new ContainerReport(nodeId,
        refusal == null ? ContainerPhase.RESIZED : ContainerPhase.NOT_RESIZED, containerId, List.of(), null, false,
        refusal == null ? "limits changed" : refusal, null, null, limits));
  }

  /** Why memory cannot be lowered to {@code memoryBytes} now (it uses more), or null when it can. */
  private String memoryInUseAbove(String containerId, long memoryBytes) {
    long used = runtime.stats(containerId).memoryUsedBytes();
    return used < memoryBytes ? null
        : "it uses " + Quantities.describeBytes(used) + " of RAM, more than the " + Quantities.describeBytes(memoryBytes) + " asked";
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

  /** The ports as reported to the environment: with the container's address when this machine's callers may use it. */
  List<PublishedPort> ports(ContainerInfo info) {
    String address = settings.callContainerAddress() ? info.address() : null;
    return info.ports().stream()
        .map(p -> new PublishedPort(p.containerPort(), p.protocol(), p.hostIp(), p.hostPort(), address))
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
