package io.dcloud.node;

import io.dcloud.ask.Asks;
import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime.ContainerEvent;
import io.dcloud.deploy.ContainerRuntime.ContainerInfo;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import io.dcloud.deploy.ContainerRuntime.PortBinding;
import io.dcloud.deploy.ContainerRuntime.RuntimeInfo;
import io.dcloud.deploy.ContainerRuntime.VolumeMount;
import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.environment.EnvironmentSpec;
import io.dcloud.environment.EnvironmentUpdate;
import io.dcloud.environment.PublishedPort;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.node.NodeProtocol.ContainerReport;
import io.dcloud.resources.Quantities;
import java.io.Closeable;
import java.io.IOException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent of one worker machine (the kubelet of DCloud). It owns the machine's container
 * engine: deploys, stops, starts and removes the containers its environments' entities ask for,
 * reports what the engine does to them (die, OOM), gossips the machine's status to the cluster,
 * and on start reconciles the containers it finds with the entities (adopt, report, remove).
 *
 * <p>Every engine call blocks, so it runs on a dedicated dispatcher and its result comes back as
 * a message. At most one operation per environment is in flight; a command arriving meanwhile
 * waits for it (only the latest is kept: the entity re-sends what it still wants).
 */
public final class NodeActor extends AbstractBehavior<NodeActor.Message> {

  /** For engine operations, which run off the actor's thread where its context must not be touched. */
  private static final Logger LOG = LoggerFactory.getLogger(NodeActor.class);
  /** Zero leaves the pids limit to the runtime (dcloud.deploy.container.pids-limit-default). */
  private static final long RUNTIME_DEFAULT_PIDS_LIMIT = 0;

  /** Everything this actor handles: the public protocol (wrapped) and its own results. */
  public sealed interface Message {}

  private record Protocol(NodeProtocol.Command command) implements Message, NoSerializationVerificationNeeded {}

  private enum Tick implements Message, NoSerializationVerificationNeeded { INSTANCE }

  private record RuntimeChecked(RuntimeInfo info, NodeStatus.Usage usage) implements Message, NoSerializationVerificationNeeded {}

  private record OperationDone(String environmentId, String containerId, ContainerReport report)
      implements Message, NoSerializationVerificationNeeded {}

  private record EngineEvent(ContainerEvent event) implements Message, NoSerializationVerificationNeeded {}

  private record ContainersListed(List<ContainerInfo> containers, Throwable failure)
      implements Message, NoSerializationVerificationNeeded {}

  private record ReservationsLoaded(List<String> environmentIds) implements Message, NoSerializationVerificationNeeded {}

  private record EntityAnswered(ContainerInfo container, NodePeers.Claim claim)
      implements Message, NoSerializationVerificationNeeded {}

  private record GossipWritten() implements Message, NoSerializationVerificationNeeded {}

  private record EngineEventsEnded(Throwable cause) implements Message, NoSerializationVerificationNeeded {}

  private enum WatchEngineAgain implements Message, NoSerializationVerificationNeeded { INSTANCE }

  public static Behavior<NodeProtocol.Command> create(
      NodeSettings settings,
      ContainerRuntime runtime,
      MachineProfile machine,
      NodePeers peers,
      ActorRef<Topic.Command<EnvironmentUpdate>> updates) {
    Behavior<Message> behavior = Behaviors.<Message>setup(
            context ->
                Behaviors.withTimers(
                    timers ->
                        DistributedData.withReplicatorMessageAdapter(
                            (ReplicatorMessageAdapter<Message, LWWMap<String, NodeStatus>> replicator) ->
                                new NodeActor(context, timers, replicator, settings, runtime, machine, peers, updates))));
    return Behaviors.transformMessages(
        NodeProtocol.Command.class, behavior, pf -> pf.match(NodeProtocol.Command.class, Protocol::new));
  }

  private final NodeSettings settings;
  private final ContainerRuntime runtime;
  private final MachineProfile machine;
  private final NodePeers peers;
  private final ActorRef<Topic.Command<EnvironmentUpdate>> updates;
  private final ReplicatorMessageAdapter<Message, LWWMap<String, NodeStatus>> replicator;
  private final TimerScheduler<Message> timers;
  private final SelfUniqueAddress selfAddress;
  private final Executor blocking;
  private final String nodeId;
  /** This process as a cluster member, gossiped so the scheduler notices when it is gone. */
  private final String member;

  /** Containers this node runs, by environment id. */
  private final Map<String, String> containers = new HashMap<>();
  /** Environments with an engine operation in flight. */
  private final Set<String> busy = new HashSet<>();
  /** The latest command that arrived while its environment was busy. */
  private final Map<String, NodeProtocol.Command> waiting = new LinkedHashMap<>();
  /** Containers being removed on purpose: their destroy event is not news. */
  private final Set<String> removing = new HashSet<>();
  private RuntimeInfo runtimeInfo;
  private NodeStatus.Usage usage = NodeStatus.Usage.NONE;
  private Closeable eventWatch;

  private NodeActor(
      ActorContext<Message> context,
      TimerScheduler<Message> timers,
      ReplicatorMessageAdapter<Message, LWWMap<String, NodeStatus>> replicator,
      NodeSettings settings,
      ContainerRuntime runtime,
      MachineProfile machine,
      NodePeers peers,
      ActorRef<Topic.Command<EnvironmentUpdate>> updates) {
    super(context);
    this.settings = settings;
    this.runtime = runtime;
    this.machine = machine;
    this.peers = peers;
    this.updates = updates;
    this.replicator = replicator;
    this.timers = timers;
    this.nodeId = settings.nodeId();
    this.member = NodeGossip.memberId(Cluster.get(context.getSystem()).selfMember().uniqueAddress());
    this.selfAddress = DistributedData.get(context.getSystem()).selfUniqueAddress();
    this.blocking = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(NodeSettings.BLOCKING_DISPATCHER));
    this.runtimeInfo = new RuntimeInfo(false, null, null, List.of(), 0, 0, "not checked yet");

    ActorRef<NodeProtocol.Command> protocolRef = context.messageAdapter(NodeProtocol.Command.class, Protocol::new);
    context.getSystem().receptionist().tell(Receptionist.register(NodeProtocol.serviceKey(nodeId), protocolRef));
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.gossipInterval());
    context.getSelf().tell(Tick.INSTANCE);
    watchEngine();
    reconcile();
    stopContainersIfDowned(context.getSystem());
    withdrawGossipOnLeaving(context.getSystem());
    context.getLog().info(
        "Node {} started: {}, {} and {} GPUs allocatable", nodeId,
        Quantities.describeCores(machine.allocatable().milliCpus()),
        Quantities.describeBytes(machine.allocatable().memoryBytes()), machine.gpus().size());
  }

  @Override
  public Receive<Message> createReceive() {
    return newReceiveBuilder()
        .onMessage(Protocol.class, message -> handle(message.command()))
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessage(RuntimeChecked.class, this::onRuntimeChecked)
        .onMessage(OperationDone.class, this::onOperationDone)
        .onMessage(EngineEvent.class, this::onEngineEvent)
        .onMessage(ContainersListed.class, this::onContainersListed)
        .onMessage(EntityAnswered.class, this::onEntityAnswered)
        .onMessage(ReservationsLoaded.class, this::onReservationsLoaded)
        .onMessage(GossipWritten.class, message -> this)
        .onMessage(EngineEventsEnded.class, this::onEngineEventsEnded)
        .onMessageEquals(WatchEngineAgain.INSTANCE, () -> {
          watchEngine();
          reconcile();
          return this;
        })
        .onSignal(PostStop.class, signal -> onStop())
        .build();
  }

  // ---------------------------------------------------------------- protocol

  private Behavior<Message> handle(NodeProtocol.Command command) {
    if (command instanceof NodeProtocol.GetStats stats) {
      return onGetStats(stats);
    }
    if (command instanceof NodeProtocol.StreamLogs logs) {
      return onStreamLogs(logs);
    }
    String environmentId = environmentOf(command);
    if (busy.contains(environmentId)) {
      if (!(command instanceof NodeProtocol.Deploy)) {
        waiting.put(environmentId, command);
      }
      return this;
    }
    busy.add(environmentId);
    if (command instanceof NodeProtocol.Deploy deploy) {
      run(environmentId, () -> deploy(deploy));
    } else if (command instanceof NodeProtocol.StartContainer start) {
      run(environmentId, () -> start(start.environmentId()));
    } else if (command instanceof NodeProtocol.StopContainer stop) {
      run(environmentId, () -> stop(stop.environmentId()));
    } else if (command instanceof NodeProtocol.RemoveContainer remove) {
      Optional.ofNullable(containers.get(environmentId)).ifPresent(removing::add);
      run(environmentId, () -> remove(remove));
    }
    return this;
  }

  private static String environmentOf(NodeProtocol.Command command) {
    if (command instanceof NodeProtocol.Deploy c) {
      return c.environmentId();
    } else if (command instanceof NodeProtocol.StartContainer c) {
      return c.environmentId();
    } else if (command instanceof NodeProtocol.StopContainer c) {
      return c.environmentId();
    } else if (command instanceof NodeProtocol.RemoveContainer c) {
      return c.environmentId();
    }
    throw new IllegalArgumentException("not an environment operation: " + command);
  }

  /** Runs one engine operation off the actor; its report comes back as {@link OperationDone}. */
  private void run(String environmentId, Supplier<OperationDone> operation) {
    getContext().pipeToSelf(
        CompletableFuture.supplyAsync(operation, blocking),
        (done, failure) -> failure == null
            ? done
            : new OperationDone(environmentId, null, report(ContainerPhase.FAILED, null, List.of(), null, false, rootMessage(failure))));
  }

  private Behavior<Message> onOperationDone(OperationDone done) {
    String environmentId = done.environmentId();
    busy.remove(environmentId);
    ContainerPhase phase = done.report().phase();
    if (phase == ContainerPhase.REMOVED || phase == ContainerPhase.MISSING || (phase == ContainerPhase.FAILED && done.containerId() == null)) {
      Optional.ofNullable(containers.remove(environmentId)).ifPresent(removing::remove);
    } else if (done.containerId() != null) {
      containers.put(environmentId, done.containerId());
    }
    tellEntity(environmentId, done.report());
    NodeProtocol.Command next = waiting.remove(environmentId);
    return next == null ? this : handle(next);
  }

  // ---------------------------------------------------------------- engine operations (blocking)

  private OperationDone deploy(NodeProtocol.Deploy deploy) {
    String environmentId = deploy.environmentId();
    Optional<ContainerInfo> existing = findContainer(environmentId);
    if (existing.isPresent() && !sameGpus(existing.get(), deploy.gpuUuids())) {
      // Restarted with other GPUs than it was created with: its device request must change.
      LOG.info("Node {}: environment {} now has GPUs {}: recreating its container", nodeId, environmentId, deploy.gpuUuids());
      runtime.remove(existing.get().id(), List.of());
      existing = Optional.empty();
    }
    if (existing.isEmpty()) {
      if (!runtime.hasImage(deploy.recipe().tag())) {
        tellEntity(environmentId, report(ContainerPhase.BUILDING, null, List.of(), null, false, "building image"));
        runtime.ensureImage(deploy.recipe(), line -> progress(environmentId, line));
      }
      tellEntity(environmentId, report(ContainerPhase.STARTING, null, List.of(), null, false, "creating container"));
      String id = runtime.create(containerSpec(deploy));
      LOG.info("Node {} created container {} for environment {}", nodeId, id, environmentId);
      // Just created, so not running: start it without asking the engine first.
      startOrRemove(deploy, id);
      return running(environmentId, id);
    }
    ContainerInfo container = existing.get();
    if (!container.running()) {
      startOrRemove(deploy, container.id());
    }
    return running(environmentId, container.id());
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

  private OperationDone start(String environmentId) {
    Optional<ContainerInfo> container = findContainer(environmentId);
    if (container.isEmpty()) {
      return new OperationDone(environmentId, null, report(ContainerPhase.MISSING, null, List.of(), null, false, "no container"));
    }
    if (!container.get().running()) {
      runtime.start(container.get().id());
    }
    return running(environmentId, container.get().id());
  }

  private OperationDone stop(String environmentId) {
    Optional<ContainerInfo> container = findContainer(environmentId);
    if (container.isEmpty()) {
      return new OperationDone(environmentId, null, report(ContainerPhase.EXITED, null, List.of(), null, false, "no container to stop"));
    }
    runtime.stop(container.get().id(), null); // the runtime's stop grace (dcloud.deploy.stop-grace-default)
    ContainerInfo stopped = runtime.inspect(container.get().id()).orElse(container.get());
    return new OperationDone(
        environmentId, stopped.id(), report(ContainerPhase.EXITED, stopped.id(), List.of(), stopped.exitCode(), false, "stopped"));
  }

  private OperationDone remove(NodeProtocol.RemoveContainer remove) {
    String environmentId = remove.environmentId();
    Optional<ContainerInfo> container = findContainer(environmentId);
    String containerId = container.map(ContainerInfo::id).orElse(remove.containerId());
    runtime.remove(containerId, remove.volumes());
    LOG.info("Node {} removed environment {} (container {}, volumes {})", nodeId, environmentId, containerId, remove.volumes());
    return new OperationDone(environmentId, null, report(ContainerPhase.REMOVED, containerId, List.of(), null, false, "removed"));
  }

  private OperationDone running(String environmentId, String containerId) {
    ContainerInfo info = runtime.inspect(containerId)
        .orElseThrow(() -> new IllegalStateException("container " + containerId + " vanished while starting"));
    if (!info.running()) {
      return new OperationDone(
          environmentId, containerId,
          report(ContainerPhase.EXITED, containerId, List.of(), info.exitCode(), info.oomKilled(), "exited right after start"));
    }
    return new OperationDone(environmentId, containerId, report(ContainerPhase.RUNNING, containerId, ports(info), null, false, "running"));
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

  private ContainerSpec containerSpec(NodeProtocol.Deploy deploy) {
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
        spec.env(),
        spec.resources().nanoCpus(),
        spec.resources().memoryBytes(),
        RUNTIME_DEFAULT_PIDS_LIMIT,
        deploy.gpuUuids(),
        ports,
        volumes,
        labels);
  }

  private static List<PublishedPort> ports(ContainerInfo info) {
    return info.ports().stream()
        .map(p -> new PublishedPort(p.containerPort(), p.protocol(), p.hostIp(), p.hostPort()))
        .toList();
  }

  private void progress(String environmentId, String line) {
    updates.tell(EnvironmentUpdate.publish(
        new EnvironmentUpdate(environmentId, EnvironmentUpdate.Kind.PROGRESS, null, line, Instant.now())));
  }

  // ---------------------------------------------------------------- stats and logs

  private Behavior<Message> onGetStats(NodeProtocol.GetStats request) {
    CompletableFuture.supplyAsync(() -> runtime.stats(request.containerId()), blocking)
        .whenComplete((stats, failure) -> request.replyTo().tell(failure == null
            ? new NodeProtocol.Stats(
                stats.cpuPercent(), stats.memoryUsedBytes(), stats.memoryLimitBytes(), stats.networkRxBytes(),
                stats.networkTxBytes(), stats.blockReadBytes(), stats.blockWriteBytes(), stats.pids())
            : new NodeProtocol.StatsUnavailable(rootMessage(failure))));
    return this;
  }

  /** Bridges the engine's log callback into a stream the gateway (maybe on another node) pulls through a SourceRef. */
  private Behavior<Message> onStreamLogs(NodeProtocol.StreamLogs request) {
    var materialized = Source.<String>queue(settings.logBufferLines(), OverflowStrategy.dropHead())
        .preMaterialize(getContext().getSystem());
    var queue = materialized.first();
    Closeable follow;
    try {
      follow = runtime.logs(request.containerId(), request.tail(), request.follow(), queue::offer, queue::complete);
    } catch (RuntimeException e) {
      request.replyTo().tell(new NodeProtocol.LogsUnavailable(rootMessage(e)));
      return this;
    }
    SourceRef<String> lines = materialized.second()
        .watchTermination((notUsed, done) -> done.whenComplete((ok, failure) -> closeQuietly(follow)))
        .runWith(StreamRefs.sourceRef(), getContext().getSystem());
    request.replyTo().tell(new NodeProtocol.Logs(lines));
    return this;
  }

  // ---------------------------------------------------------------- engine events

  private void watchEngine() {
    ActorRef<Message> self = getContext().getSelf();
    try {
      eventWatch = runtime.watchEvents(event -> self.tell(new EngineEvent(event)), cause -> self.tell(new EngineEventsEnded(cause)));
    } catch (RuntimeException e) {
      self.tell(new EngineEventsEnded(e));
    }
  }

  /** The engine restarted or the stream broke: watch again shortly, and reconcile what was missed meanwhile. */
  private Behavior<Message> onEngineEventsEnded(EngineEventsEnded ended) {
    getContext().getLog().warn(
        "Node {} lost the container event stream ({}); watching again in {}", nodeId,
        ended.cause() == null ? "it ended" : rootMessage(ended.cause()), settings.gossipInterval());
    timers.startSingleTimer(WatchEngineAgain.INSTANCE, settings.gossipInterval());
    return this;
  }

  private Behavior<Message> onEngineEvent(EngineEvent message) {
    ContainerEvent event = message.event();
    String environmentId = event.labels().get(EnvironmentNames.ENV_LABEL);
    if (environmentId == null || !nodeId.equals(event.labels().get(EnvironmentNames.NODE_LABEL)) || busy.contains(environmentId)) {
      return this;
    }
    switch (event.action()) {
      case "die" -> {
        getContext().getLog().info("Node {}: container of environment {} died (exit code {})", nodeId, environmentId, event.exitCode());
        busy.add(environmentId);
        run(environmentId, () -> exited(environmentId, event.containerId()));
      }
      case "destroy" -> {
        if (!removing.remove(event.containerId()) && event.containerId().equals(containers.get(environmentId))) {
          containers.remove(environmentId);
          tellEntity(environmentId, report(ContainerPhase.MISSING, event.containerId(), List.of(), null, false, "container destroyed"));
        }
      }
      default -> {}
    }
    return this;
  }

  private OperationDone exited(String environmentId, String containerId) {
    Optional<ContainerInfo> info = runtime.inspect(containerId);
    if (info.isEmpty()) {
      return new OperationDone(environmentId, null, report(ContainerPhase.MISSING, containerId, List.of(), null, false, "container gone"));
    }
    if (info.get().running()) {
      return running(environmentId, containerId);
    }
    return new OperationDone(
        environmentId, containerId,
        report(ContainerPhase.EXITED, containerId, List.of(), info.get().exitCode(), info.get().oomKilled(), info.get().error()));
  }

  /**
   * A node the cluster downed (cut off from the majority) must not keep running environments that
   * the majority is re-placing elsewhere: its containers are stopped (kept, not removed) as it
   * shuts down. A node stopped by its operator leaves them running, to be adopted on restart.
   */
  private void stopContainersIfDowned(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "dcloud-stop-containers-of-a-downed-node", () -> {
      boolean downed = shutdown.getShutdownReason().filter(CoordinatedShutdown.clusterDowningReason()::equals).isPresent();
      if (!downed) {
        return CompletableFuture.completedFuture(Done.getInstance());
      }
      return CompletableFuture.supplyAsync(() -> {
        List<ContainerInfo> running = runtime.listManaged(nodeId).stream().filter(ContainerInfo::running).toList();
        LOG.warn("Node {} was downed by the cluster: stopping its {} running containers", nodeId, running.size());
        running.parallelStream().forEach(container -> runtime.stop(container.id(), settings.downedStopGrace()));
        return Done.getInstance();
      }, blocking);
    });
  }

  /**
   * A node its operator stops leaves the cluster gracefully and keeps its containers running: it
   * withdraws its status from the gossip, so no scheduler mistakes its silence for a crash and
   * re-places what still runs here. It takes its environments back when it returns.
   */
  private void withdrawGossipOnLeaving(org.apache.pekko.actor.typed.ActorSystem<?> system) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeClusterShutdown(), "dcloud-withdraw-node-status", () -> {
      boolean downed = shutdown.getShutdownReason().filter(CoordinatedShutdown.clusterDowningReason()::equals).isPresent();
      if (downed) {
        return CompletableFuture.completedFuture(Done.getInstance());
      }
      SelfUniqueAddress self = DistributedData.get(system).selfUniqueAddress();
      return Asks.completedInline(AskPattern.<Replicator.Command, Replicator.UpdateResponse<LWWMap<String, NodeStatus>>>ask(
              DistributedData.get(system).replicator(),
              replyTo -> new Replicator.Update<>(NodeGossip.keyFor(nodeId), LWWMap.empty(),
                  new Replicator.WriteMajority(settings.leaveTimeout()), replyTo, map -> map.remove(self, nodeId)),
              settings.leaveTimeout().plus(settings.leaveTimeout()), system.scheduler()))
          .handle((response, failure) -> {
            LOG.info("Node {} leaves the cluster; its containers keep running", nodeId);
            return Done.getInstance();
          });
    });
  }

  // ---------------------------------------------------------------- reconciliation on start

  /** Like kubelet after a restart: find our containers, then ask their entities what should be. */
  private void reconcile() {
    getContext().pipeToSelf(
        CompletableFuture.supplyAsync(() -> runtime.listManaged(nodeId), blocking),
        ContainersListed::new);
  }

  private Behavior<Message> onContainersListed(ContainersListed listed) {
    if (listed.failure() != null) {
      getContext().getLog().warn("Node {} could not list its containers: {}", nodeId, rootMessage(listed.failure()));
      return this;
    }
    getContext().getLog().info("Node {} found {} containers of its own; reconciling", nodeId, listed.containers().size());
    for (ContainerInfo container : listed.containers()) {
      String environmentId = container.labels().get(EnvironmentNames.ENV_LABEL);
      if (environmentId == null) {
        continue;
      }
      getContext().pipeToSelf(
          peers.claim(environmentId, nodeId),
          (claim, failure) -> new EntityAnswered(container, failure == null ? claim : null));
    }
    getContext().pipeToSelf(
        peers.placedOn(nodeId),
        (placed, failure) -> new ReservationsLoaded(failure == null ? placed : List.of()));
    listed.containers().forEach(c -> Optional.ofNullable(c.labels().get(EnvironmentNames.ENV_LABEL))
        .ifPresent(env -> containers.put(env, c.id())));
    return this;
  }

  private Behavior<Message> onEntityAnswered(EntityAnswered answer) {
    ContainerInfo container = answer.container();
    String environmentId = container.labels().get(EnvironmentNames.ENV_LABEL);
    if (answer.claim() == null) {
      getContext().getLog().warn("Node {}: no answer about environment {}; keeping its container for now", nodeId, environmentId);
      return this;
    }
    if (!answer.claim().wanted()) {
      getContext().getLog().info("Node {} removes orphan container {} of environment {}", nodeId, container.id(), environmentId);
      containers.remove(environmentId);
      return handle(new NodeProtocol.RemoveContainer(environmentId, container.id(), answer.claim().temporaryVolumes()));
    }
    getContext().getLog().info("Node {} adopts container {} of environment {} ({})", nodeId, container.id(), environmentId, container.state());
    tellEntity(environmentId, container.running()
        ? report(ContainerPhase.RUNNING, container.id(), ports(container), null, false, "adopted after restart")
        : report(ContainerPhase.EXITED, container.id(), List.of(), container.exitCode(), container.oomKilled(), "exited while DCloud was down"));
    return this;
  }

  /** Environments placed here whose container is gone are told so; their entities decide what it means. */
  private Behavior<Message> onReservationsLoaded(ReservationsLoaded loaded) {
    for (String environmentId : loaded.environmentIds()) {
      if (!containers.containsKey(environmentId) && !busy.contains(environmentId)) {
        tellEntity(environmentId, report(ContainerPhase.MISSING, null, List.of(), null, false, "no container on node " + nodeId));
      }
    }
    return this;
  }

  // ---------------------------------------------------------------- gossip

  private Behavior<Message> onTick() {
    CompletableFuture.supplyAsync(() -> new RuntimeChecked(runtime.info(), machine.usage(containers.size())), blocking)
        .thenAccept(checked -> getContext().getSelf().tell(checked));
    return this;
  }

  private Behavior<Message> onRuntimeChecked(RuntimeChecked checked) {
    if (checked.info().available() != runtimeInfo.available()) {
      getContext().getLog().info(
          "Node {}: container runtime {}", nodeId,
          checked.info().available() ? "available (Docker " + checked.info().version() + ")" : "unavailable: " + checked.info().error());
    }
    runtimeInfo = checked.info();
    usage = checked.usage();
    NodeStatus status = new NodeStatus(
        nodeId, machine.hostname(), machine.allocatable(), machine.gpus(), usage, settings.labels(),
        runtimeInfo.available(), runtimeInfo.version(), runtimeInfo.error(), Instant.now(), member);
    replicator.askUpdate(
        replyTo -> new Replicator.Update<>(
            NodeGossip.keyFor(nodeId), LWWMap.empty(), Replicator.writeLocal(), replyTo,
            map -> map.put(selfAddress, nodeId, status)),
        response -> new GossipWritten());
    return this;
  }

  // ---------------------------------------------------------------- helpers

  private ContainerReport report(ContainerPhase phase, String containerId, List<PublishedPort> ports, Integer exitCode, boolean oom, String message) {
    return new ContainerReport(nodeId, phase, containerId, ports, exitCode, oom, message);
  }

  private void tellEntity(String environmentId, ContainerReport report) {
    peers.report(environmentId, report);
  }

  private static String rootMessage(Throwable failure) {
    Throwable cause = failure;
    while (cause.getCause() != null && (cause instanceof java.util.concurrent.CompletionException
        || cause instanceof java.util.concurrent.ExecutionException)) {
      cause = cause.getCause();
    }
    return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
  }

  private static void closeQuietly(Closeable closeable) {
    try {
      closeable.close();
    } catch (IOException ignored) {
      // The log stream is over either way.
    }
  }

  private Behavior<Message> onStop() {
    if (eventWatch != null) {
      closeQuietly(eventWatch);
    }
    return this;
  }
}
