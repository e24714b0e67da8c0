package io.dcloud.node;

import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.deploy.ContainerRuntime.ContainerEvent;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.resources.Quantities;
import io.dcloud.spec.EnvironmentSpec;
import java.time.Instant;
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
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;

/**
 * The agent of one worker machine (the kubelet of DCloud). It owns the machine's container
 * engine: deploys, stops, starts and removes the containers its environments' entities ask for
 * ({@link ContainerOperations}), reports what the engine does to them (die, OOM), gossips the
 * machine's status to the cluster ({@link ClusterPresence}), and on start reconciles the
 * containers it finds with the entities ({@link Reconciliation}).
 *
 * <p>Every engine call blocks (opening the event stream included), so it runs on a dedicated
 * dispatcher and its result comes back as a message: the actor's state is read and changed on its
 * own thread only. At most one operation per environment is in flight; a command arriving
 * meanwhile waits for it (only the latest is kept: the entity re-sends what it still wants).
 */
public final class NodeActor extends AbstractBehavior<NodeActor.Message> implements Reconciliation.Containers {

  /** Everything this actor handles: the public protocol (wrapped), its own results, and its parts' steps. */
  sealed interface Message
      permits Protocol, OperationDone, EngineEventStream.Step, Reconciliation.Step, ReportsAfterRemoval.Step, ClusterPresence.Step, IdleCulling.Step, RuntimeLimits.Step, ReadinessProbes.Step, VolumeCounts.Tick {}

  private record Protocol(NodeProtocol.Command command) implements Message, NoSerializationVerificationNeeded {}

  private record OperationDone(ContainerOperations.Outcome outcome) implements Message, NoSerializationVerificationNeeded {}

  public static Behavior<NodeProtocol.Command> create(
      NodeSettings settings,
      ContainerRuntime runtime,
      MachineProfile machine,
      NodePeers peers) {
    return create(settings, runtime, machine, peers, DatasetMounts.NONE);
  }

  /** {@code datasets}: where environments' datasets come from ({@link DatasetCache}). */
  public static Behavior<NodeProtocol.Command> create(
      NodeSettings settings,
      ContainerRuntime runtime,
      MachineProfile machine,
      NodePeers peers,
      DatasetMounts datasets) {
    Behavior<Message> behavior = Behaviors.<Message>setup(
            context ->
                Behaviors.withTimers(
                    timers ->
                        DistributedData.withReplicatorMessageAdapter(
                            (ReplicatorMessageAdapter<Message, LWWMap<String, NodeStatus>> replicator) ->
                                new NodeActor(context, timers, replicator, settings, runtime, machine, peers, datasets))));
    return Behaviors.transformMessages(
        NodeProtocol.Command.class, behavior, pf -> pf.match(NodeProtocol.Command.class, Protocol::new));
  }

  private final NodeSettings settings;
  private final String nodeId;
  private final ContainerRuntime runtime;
  private final NodePeers peers;
  private final TimerScheduler<Message> timers;
  private final Executor blocking;
  private final ContainerOperations operations;
  private final ContainerAccess access;
  private final NodeVolumes volumes;
  private final VolumeCounts volumeCounts;
  private final KeptVolumeClaims claims;
  private final Reconciliation reconciliation;
  private final ReportsAfterRemoval reportsAfterRemoval;
  /** Stops hearing of the cluster's removals (see ReportsAfterRemoval). */
  private final Runnable stopHearingOfRemovals;
  private final ClusterPresence presence;
  private final UserSessions sessions;
  private final ContainerProxy containerProxy;
  private final ContainerActivity activity = new ContainerActivity();
  private final IdleCulling idle;
  private final RuntimeLimits runtimeLimits;
  private final ReadinessProbes readiness;

  /** Containers this node runs, by environment id. */
  private final Map<String, String> containers = new HashMap<>();
  /** Environments with an engine operation in flight. */
  private final Set<String> busy = new HashSet<>();
  /** The latest command that arrived while its environment was busy. */
  private final Map<String, NodeProtocol.Command> waiting = new LinkedHashMap<>();
  /** Containers being removed on purpose: their destroy event is not news. */
  private final Set<String> removing = new HashSet<>();
  private final EngineEventStream engineEvents;

  private NodeActor(
      ActorContext<Message> context,
      TimerScheduler<Message> timers,
      ReplicatorMessageAdapter<Message, LWWMap<String, NodeStatus>> replicator,
      NodeSettings settings,
      ContainerRuntime runtime,
      MachineProfile machine,
      NodePeers peers,
      DatasetMounts datasets) {
    super(context);
    // The node's parts log through this context: all under one logger, whichever logs first.
    context.setLoggerName(NodeActor.class);
    this.settings = settings;
    this.nodeId = settings.nodeId();
    this.runtime = runtime;
    this.timers = timers;
    this.blocking = context.getSystem().dispatchers().lookup(DispatcherSelector.fromConfig(NodeSettings.BLOCKING_DISPATCHER));
    this.access = new ContainerAccess(settings, runtime);
    this.volumes = new NodeVolumes(settings.nodeId(), runtime);
    this.volumeCounts = new VolumeCounts(settings.nodeId(), volumes::count, blocking, settings.volumeCountInterval());
    this.claims = new KeptVolumeClaims(settings.keptVolumeClaimTtl(), System::nanoTime);
    this.idle = new IdleCulling(context, nodeId, IdleSettings.fromConfig(context.getSystem().settings().config()), activity,
        peers, blocking, access::stats);
    this.runtimeLimits = new RuntimeLimits(context, nodeId,
        RuntimeLimits.Settings.fromConfig(context.getSystem().settings().config()), peers);
    this.readiness = new ReadinessProbes(context, nodeId, peers, context.getSystem().settings().config());
    this.peers = readiness.watching(runtimeLimits.watching(idle.watching(peers)));
    this.operations = new ContainerOperations(settings, runtime, this.peers, datasets, (delay, task) -> {
      org.apache.pekko.actor.Cancellable scheduled =
          context.getSystem().scheduler().scheduleOnce(delay, task, context.getSystem().executionContext());
      return scheduled::cancel;
    });
    this.reconciliation =
        new Reconciliation(context, nodeId, runtime, this.peers, operations, blocking, this, settings.claimRetryInterval());
    this.reportsAfterRemoval = new ReportsAfterRemoval(context, nodeId, runtime, this.peers, operations, blocking, this, readiness);
    this.presence = new ClusterPresence(context, replicator, settings, runtime, machine, blocking, datasets);
    this.sessions = new UserSessions(context.getSystem(), nodeId, runtime, activity);
    this.containerProxy = new ContainerProxy(context.getSystem(), activity);
    this.engineEvents = new EngineEventStream(context, timers, nodeId, runtime, blocking, settings.gossipInterval(),
        reconciliation::begin, this::onEngineEvent);

    ActorRef<NodeProtocol.Command> protocolRef = context.messageAdapter(NodeProtocol.Command.class, Protocol::new);
    context.getSystem().receptionist().tell(Receptionist.register(NodeProtocol.serviceKey(nodeId), protocolRef));
    presence.begin(timers);
    idle.begin(timers);
    runtimeLimits.begin(timers);
    readiness.begin(timers);
    volumeCounts.begin(timers);
    this.stopHearingOfRemovals = reportsAfterRemoval.begin();
    engineEvents.open(); // then reconciles: see EngineEventStream
    context.getLog().info(
        "Node {} started: {}, {} and {} GPUs allocatable", nodeId,
        Quantities.describeCores(machine.allocatable().milliCpus()),
        Quantities.describeBytes(machine.allocatable().memoryBytes()), machine.gpus().size());
  }

  @Override
  public Receive<Message> createReceive() {
    return newReceiveBuilder()
        .onMessage(Protocol.class, message -> {
          handle(message.command());
          return this;
        })
        .onMessage(OperationDone.class, this::onOperationDone)
        .onMessage(EngineEventStream.Step.class, step -> {
          engineEvents.on(step);
          return this;
        })
        .onMessage(Reconciliation.Step.class, step -> {
          reconciliation.on(step);
          return this;
        })
        .onMessage(ReportsAfterRemoval.Step.class, step -> {
          reportsAfterRemoval.on(step);
          return this;
        })
        .onMessage(IdleCulling.Step.class, step -> {
          idle.on(step, containers);
          return this;
        })
        .onMessage(RuntimeLimits.Step.class, step -> {
          runtimeLimits.on(step);
          return this;
        })
        .onMessage(ReadinessProbes.Step.class, step -> {
          readiness.on(step);
          return this;
        })
        .onMessageEquals(VolumeCounts.Tick.INSTANCE, () -> {
          volumeCounts.count();
          return this;
        })
        .onMessage(ClusterPresence.Step.class, step -> {
          presence.on(step, containers.size());
          return this;
        })
        .onSignal(PostStop.class, signal -> onStop())
        .build();
  }

  // ---------------------------------------------------------------- protocol

  private void handle(NodeProtocol.Command command) {
    if (command instanceof NodeProtocol.GetStats stats) {
      // Replied from the blocking pool: the reply needs nothing of this actor's state.
      CompletableFuture.supplyAsync(() -> access.stats(stats.containerId()), blocking).thenAccept(stats.replyTo()::tell);
      return;
    }
    if (command instanceof NodeProtocol.ExecIn exec) {
      activity.activity(exec.environmentId());
      // A user's command is not the environment's life cycle: it runs beside it, on the blocking pool.
      CompletableFuture.supplyAsync(() -> access.exec(exec), blocking).thenAccept(exec.replyTo()::tell);
      return;
    }
    if (command instanceof NodeProtocol.ListVolumes list) {
      CompletableFuture.supplyAsync(volumes::list, blocking).thenAccept(list.replyTo()::tell);
      return;
    }
    if (command instanceof NodeProtocol.ClaimVolume claim) {
      claim.replyTo().tell(new NodeProtocol.VolumeClaimed(claim.name(), claims.claim(claim.name(), claim.environmentId())));
      return;
    }
    if (command instanceof NodeProtocol.ReleaseVolumeClaim release) {
      claims.release(release.name(), release.environmentId());
      return;
    }
    if (command instanceof NodeProtocol.RemoveVolume remove) {
      Set<String> held = new HashSet<>(containers.keySet());
      held.addAll(busy);
      CompletableFuture.supplyAsync(() -> volumes.remove(remove.name(), held), blocking).thenAccept(remove.replyTo()::tell);
      return;
    }
    if (command instanceof NodeProtocol.ProxyTo proxy) {
      // Asynchronous (Pekko HTTP's client): the answer goes to the gateway from the client's stream.
      containerProxy.handle(proxy);
      return;
    }
    if (sessions.handle(command)) {
      return; // a shell or a file transfer: beside the life cycle, on the session dispatcher
    }
    if (command instanceof NodeProtocol.StreamLogs logs) {
      // Opening an engine log stream blocks too (it waits for the engine's answer).
      var system = getContext().getSystem();
      CompletableFuture.supplyAsync(() -> access.logs(logs, system), blocking).thenAccept(logs.replyTo()::tell);
      return;
    }
    String environmentId = environmentOf(command);
    if (busy.contains(environmentId)) {
      NodeProtocol.Command queued = waiting.get(environmentId);
      // New limits never displace a stop or removal waiting its turn (its entity sends them again until done).
      boolean displaces = !(command instanceof NodeProtocol.UpdateLimits) || queued == null || queued instanceof NodeProtocol.UpdateLimits;
      if (!(command instanceof NodeProtocol.Deploy) && displaces) {
        waiting.put(environmentId, command);
      }
      return;
    }
    busy.add(environmentId);
    if (command instanceof NodeProtocol.Deploy deploy) {
      idle.deployed(environmentId, deploy.spec());
      runtimeLimits.deployed(environmentId, deploy.spec());
      readiness.deployed(environmentId, deploy.spec());
      run(environmentId, () -> operations.deploy(deploy));
    } else if (command instanceof NodeProtocol.StartContainer start) {
      run(environmentId, () -> operations.start(start.environmentId()));
    } else if (command instanceof NodeProtocol.StopContainer stop) {
      run(environmentId, () -> operations.stop(stop.environmentId()));
    } else if (command instanceof NodeProtocol.RemoveContainer remove) {
      Optional.ofNullable(containers.get(environmentId)).ifPresent(removing::add);
      run(environmentId, () -> operations.remove(remove));
    } else if (command instanceof NodeProtocol.UpdateLimits update) {
      run(environmentId, () -> operations.updateLimits(update));
    }
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
    } else if (command instanceof NodeProtocol.UpdateLimits c) {
      return c.environmentId();
    }
    throw new IllegalArgumentException("not an environment operation: " + command);
  }

  /** Runs one engine operation off the actor; its outcome comes back as {@link OperationDone}. */
  private void run(String environmentId, Supplier<ContainerOperations.Outcome> operation) {
    reconciliation.operating(environmentId);
    getContext().pipeToSelf(
        CompletableFuture.supplyAsync(operation, blocking),
        (outcome, failure) -> new OperationDone(failure == null ? outcome : operations.failed(environmentId, failure)));
  }

  private Behavior<Message> onOperationDone(OperationDone done) {
    ContainerOperations.Outcome outcome = done.outcome();
    String environmentId = outcome.environmentId();
    busy.remove(environmentId);
    ContainerPhase phase = outcome.report().phase();
    if (phase == ContainerPhase.REMOVED || phase == ContainerPhase.MISSING || (phase == ContainerPhase.FAILED && outcome.containerId() == null)) {
      Optional.ofNullable(containers.remove(environmentId)).ifPresent(removing::remove);
    } else if (outcome.containerId() != null) {
      containers.put(environmentId, outcome.containerId());
    }
    peers.report(environmentId, outcome.report());
    NodeProtocol.Command next = waiting.remove(environmentId);
    if (next != null) {
      handle(next);
    }
    return this;
  }

  // ---------------------------------------------------------------- reconciliation's view of the bookkeeping

  @Override
  public void found(String environmentId, String containerId) {
    containers.put(environmentId, containerId);
  }

  @Override
  public boolean accountedFor(String environmentId) {
    return containers.containsKey(environmentId) || busy.contains(environmentId);
  }

  @Override
  public boolean operating(String environmentId) {
    return busy.contains(environmentId);
  }

  @Override
  public boolean holds(String environmentId, String containerId) {
    return containerId.equals(containers.get(environmentId));
  }

  @Override
  public void adopted(String environmentId, EnvironmentSpec spec, Instant runningSince) {
    idle.deployed(environmentId, spec);
    runtimeLimits.adopted(environmentId, spec, runningSince);
    readiness.deployed(environmentId, spec);
  }

  @Override
  public void removeOrphan(NodeProtocol.RemoveContainer remove) {
    containers.remove(remove.environmentId());
    handle(remove);
  }

  // ---------------------------------------------------------------- engine events

  private void onEngineEvent(ContainerEvent event) {
    String environmentId = event.labels().get(EnvironmentNames.ENV_LABEL);
    if (environmentId == null || !nodeId.equals(event.labels().get(EnvironmentNames.NODE_LABEL)) || busy.contains(environmentId)) {
      return;
    }
    switch (event.action()) {
      case "die" -> {
        getContext().getLog().info("Node {}: container of environment {} died (exit code {})", nodeId, environmentId, event.exitCode());
        busy.add(environmentId);
        run(environmentId, () -> operations.exited(environmentId, event.containerId()));
      }
      case "destroy" -> {
        if (!removing.remove(event.containerId()) && event.containerId().equals(containers.get(environmentId))) {
          containers.remove(environmentId);
          peers.report(environmentId, operations.report(ContainerPhase.MISSING, event.containerId(), List.of(), null, false, "container destroyed"));
        }
      }
      default -> {}
    }
  }

  private Behavior<Message> onStop() {
    stopHearingOfRemovals.run();
    engineEvents.close();
    return this;
  }
}
