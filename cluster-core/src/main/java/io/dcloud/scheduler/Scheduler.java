package io.dcloud.scheduler;

import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.Resources;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.node.NodeGossip;
import io.dcloud.node.NodeStatus;
import io.dcloud.serialization.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The cluster singleton that decides where environments run. Its reservations and queue are event
 * sourced, so a failover loses neither; its view of the nodes comes from gossip and is rebuilt on
 * start. Reservations are authoritative: placement subtracts them from gossiped capacity, so
 * gossip lag never overcommits a node.
 */
public final class Scheduler
    extends EventSourcedBehaviorWithEnforcedReplies<Scheduler.Command, Scheduler.Event, Scheduler.State> {

  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("dcloud-scheduler");

  // ---------------------------------------------------------------- protocol

  public sealed interface Command extends CborSerializable {}

  /** Find a place; the answer goes to the environment's entity (Placed, Queued or Refused). */
  public record Place(PlacementRequest request) implements Command {}

  /** The environment no longer needs its place (or its queue slot). Idempotent. */
  public record Release(String environmentId) implements Command {}

  public record GetNodes(ActorRef<Nodes> replyTo) implements Command {}

  /**
   * Could any known node ever hold this request? Asked before an environment is created, so a
   * request no machine could ever run is refused at once instead of being accepted and failing.
   */
  public record CheckFeasible(PlacementRequest request, ActorRef<Feasibility> replyTo) implements Command {}

  /** {@code reason} is null when the request could be placed now or later. */
  public record Feasibility(String reason) implements CborSerializable {
    public boolean feasible() {
      return reason == null;
    }
  }

  /** The environments the scheduler has placed on a node, for that node to reconcile with. */
  public record GetReservations(String nodeId, ActorRef<Reservations> replyTo) implements Command {}

  /** From an environment: it has handled the loss of its node (see {@link State#unconfirmedLosses}). */
  public record ConfirmLoss(String environmentId) implements Command {}

  /** No new environments on the node; what runs there stays. */
  public record Cordon(String nodeId, ActorRef<NodeAnswer> replyTo) implements Command {}

  /** Accept new environments again (also ends a drain). */
  public record Uncordon(String nodeId, ActorRef<NodeAnswer> replyTo) implements Command {}

  /** Cordon, and move every environment of the node elsewhere. */
  public record Drain(String nodeId, ActorRef<NodeAnswer> replyTo) implements Command {}

  /** {@code node} is null when no such node is known. */
  public record NodeAnswer(String nodeId, NodeView node) implements CborSerializable {}

  private record NodesChanged(Map<String, NodeStatus> nodes) implements Command, NoSerializationVerificationNeeded {}

  private record MembershipChanged(ClusterEvent.ClusterDomainEvent event)
      implements Command, NoSerializationVerificationNeeded {}

  private enum CheckLostNodes implements Command, NoSerializationVerificationNeeded { INSTANCE }

  public record Nodes(List<NodeView> nodes) implements CborSerializable {}

  public enum NodeState {
    UP,
    CORDONED,
    DRAINING,
    UNREACHABLE,
    DOWN
  }

  /** A node with its state and what the scheduler has reserved on it. */
  public record NodeView(
      NodeStatus status, NodeState state, Resources reserved, List<String> gpusInUse, List<String> environments)
      implements CborSerializable {}

  public record Reservations(String nodeId, List<String> environmentIds) implements CborSerializable {}

  // ---------------------------------------------------------------- events and state

  public sealed interface Event extends CborSerializable {}

  public record Reserved(String environmentId, String nodeId, Resources resources, List<String> gpuUuids)
      implements Event {}

  public record Enqueued(PlacementRequest request) implements Event {}

  public record Released(String environmentId) implements Event {}

  public record NodeCordoned(String nodeId) implements Event {}

  public record NodeUncordoned(String nodeId) implements Event {}

  public record NodeDrainStarted(String nodeId) implements Event {}

  /** The node's process left the cluster: its reservations go (its environments are re-placed). */
  public record NodeLost(String nodeId) implements Event {}

  public record LossConfirmed(String environmentId) implements Event {}

  public record Reservation(String nodeId, Resources resources, List<String> gpuUuids) implements CborSerializable {}

  /**
   * Reservations by environment id, the queue in arrival order, the nodes an operator took out, and
   * the environments told of their node's loss that have not confirmed it yet (node by environment):
   * the scheduler repeats the news until they do, since a message to an entity whose shard was on
   * the lost node can itself be lost.
   */
  public record State(
      Map<String, Reservation> reservations,
      List<PlacementRequest> queue,
      Set<String> cordoned,
      Set<String> draining,
      Map<String, String> unconfirmedLosses)
      implements CborSerializable {
    static final State EMPTY = new State(Map.of(), List.of(), Set.of(), Set.of(), Map.of());

    State reserve(Reserved e) {
      Map<String, Reservation> next = new LinkedHashMap<>(reservations);
      next.put(e.environmentId(), new Reservation(e.nodeId(), e.resources(), e.gpuUuids()));
      return new State(next, queue.stream().filter(r -> !r.environmentId().equals(e.environmentId())).toList(),
          cordoned, draining, unconfirmedLosses);
    }

    State enqueue(PlacementRequest request) {
      List<PlacementRequest> next = new ArrayList<>(queue);
      next.add(request);
      return new State(reservations, next, cordoned, draining, unconfirmedLosses);
    }

    State release(String environmentId) {
      Map<String, Reservation> next = new LinkedHashMap<>(reservations);
      next.remove(environmentId);
      return new State(next, queue.stream().filter(r -> !r.environmentId().equals(environmentId)).toList(),
          cordoned, draining, unconfirmedLosses);
    }

    State withNodeMarks(Set<String> newCordoned, Set<String> newDraining) {
      return new State(reservations, queue, Set.copyOf(newCordoned), Set.copyOf(newDraining), unconfirmedLosses);
    }

    State cordon(String nodeId) {
      Set<String> next = new HashSet<>(cordoned);
      next.add(nodeId);
      return withNodeMarks(next, draining);
    }

    State drain(String nodeId) {
      Set<String> next = new HashSet<>(draining);
      next.add(nodeId);
      return withNodeMarks(cordoned, next);
    }

    State uncordon(String nodeId) {
      Set<String> nextCordoned = new HashSet<>(cordoned);
      Set<String> nextDraining = new HashSet<>(draining);
      nextCordoned.remove(nodeId);
      nextDraining.remove(nodeId);
      return withNodeMarks(nextCordoned, nextDraining);
    }

    State lose(String nodeId) {
      Map<String, Reservation> next = new LinkedHashMap<>(reservations);
      Map<String, String> unconfirmed = new LinkedHashMap<>(unconfirmedLosses);
      environmentsOn(nodeId).forEach(id -> unconfirmed.put(id, nodeId));
      next.values().removeIf(r -> r.nodeId().equals(nodeId));
      return new State(next, queue, cordoned, draining, unconfirmed);
    }

    State lossConfirmed(String environmentId) {
      Map<String, String> unconfirmed = new LinkedHashMap<>(unconfirmedLosses);
      unconfirmed.remove(environmentId);
      return new State(reservations, queue, cordoned, draining, unconfirmed);
    }

    boolean schedulable(String nodeId) {
      return !cordoned.contains(nodeId) && !draining.contains(nodeId);
    }

    int queuePosition(String environmentId) {
      for (int i = 0; i < queue.size(); i++) {
        if (queue.get(i).environmentId().equals(environmentId)) {
          return i + 1;
        }
      }
      return 0;
    }

    Resources reservedOn(String nodeId) {
      return reservations.values().stream()
          .filter(r -> r.nodeId().equals(nodeId))
          .map(Reservation::resources)
          .reduce(Resources.NONE, Resources::plus);
    }

    Set<String> gpusInUseOn(String nodeId) {
      Set<String> inUse = new HashSet<>();
      reservations.values().stream().filter(r -> r.nodeId().equals(nodeId)).forEach(r -> inUse.addAll(r.gpuUuids()));
      return inUse;
    }

    List<String> environmentsOn(String nodeId) {
      return reservations.entrySet().stream()
          .filter(e -> e.getValue().nodeId().equals(nodeId))
          .map(Map.Entry::getKey)
          .toList();
    }
  }

  // ---------------------------------------------------------------- wiring

  /** Tunables from {@code dcloud.scheduler} (see reference.conf). */
  public record Settings(
      Placement.Policy policy,
      int snapshotEvery,
      Duration lostNodeCheckInterval,
      Duration lostNodeStaleAfter,
      BackoffSupervisorStrategy journalBackoff) {
    /** {@code root} is the whole configuration. */
    public static Settings fromConfig(com.typesafe.config.Config root) {
      com.typesafe.config.Config config = root.getConfig("dcloud.scheduler");
      return new Settings(
          Placement.Policy.valueOf(config.getString("policy").toUpperCase(java.util.Locale.ROOT)),
          config.getInt("snapshot-every"),
          config.getDuration("lost-node-check-interval"),
          config.getDuration("lost-node-stale-after"),
          JournalBackoff.fromConfig(root));
    }
  }

  public static Behavior<Command> create(Settings settings) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        DistributedData.withReplicatorMessageAdapter(
            (ReplicatorMessageAdapter<Command, LWWMap<String, NodeStatus>> replicator) -> {
              replicator.subscribe(NodeGossip.KEY, Scheduler::nodesChanged);
              Cluster cluster = Cluster.get(context.getSystem());
              cluster.subscriptions().tell(Subscribe.create(
                  context.messageAdapter(ClusterEvent.MemberEvent.class, MembershipChanged::new), ClusterEvent.MemberEvent.class));
              cluster.subscriptions().tell(Subscribe.create(
                  context.messageAdapter(ClusterEvent.ReachabilityEvent.class, MembershipChanged::new),
                  ClusterEvent.ReachabilityEvent.class));
              timers.startTimerWithFixedDelay(CheckLostNodes.INSTANCE, settings.lostNodeCheckInterval());
              NodeMembership current = new NodeMembership(
                  cluster.state().getMembers(), cluster.state().getUnreachable());
              return new Scheduler(context, settings, replicator, current);
            })));
  }

  private static Command nodesChanged(Replicator.SubscribeResponse<LWWMap<String, NodeStatus>> response) {
    if (response instanceof Replicator.Changed<LWWMap<String, NodeStatus>> changed) {
      return new NodesChanged(Map.copyOf(changed.get(NodeGossip.KEY).getEntries()));
    }
    return new NodesChanged(Map.of());
  }

  private final ActorContext<Command> context;
  private final Settings settings;
  private final ClusterSharding sharding;
  private final ReplicatorMessageAdapter<Command, LWWMap<String, NodeStatus>> replicator;
  private final NodeMembership membership;
  /** Nodes lost since this scheduler started, with their last status: listed as DOWN until they return. */
  private final Map<String, NodeStatus> down = new LinkedHashMap<>();
  /** The gossiped view of the workers; not persisted: gossip refills it within seconds of a failover. */
  private Map<String, NodeStatus> nodes = Map.of();

  private Scheduler(
      ActorContext<Command> context,
      Settings settings,
      ReplicatorMessageAdapter<Command, LWWMap<String, NodeStatus>> replicator,
      NodeMembership membership) {
    super(PERSISTENCE_ID, settings.journalBackoff());
    this.context = context;
    this.settings = settings;
    this.sharding = ClusterSharding.get(context.getSystem());
    this.replicator = replicator;
    this.membership = membership;
  }

  @Override
  public State emptyState() {
    return State.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> context.getLog().info(
            "Scheduler recovered: {} reservations, {} queued", state.reservations().size(), state.queue().size()))
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Place.class, this::onPlace)
        .onCommand(Release.class, this::onRelease)
        .onCommand(NodesChanged.class, this::onNodesChanged)
        .onCommand(GetNodes.class, (state, cmd) -> Effect().reply(cmd.replyTo(), nodesView(state)))
        .onCommand(Cordon.class, (state, cmd) -> mark(state, cmd.nodeId(), new NodeCordoned(cmd.nodeId()), cmd.replyTo()))
        .onCommand(Uncordon.class, (state, cmd) -> mark(state, cmd.nodeId(), new NodeUncordoned(cmd.nodeId()), cmd.replyTo()))
        .onCommand(Drain.class, this::onDrain)
        .onCommand(MembershipChanged.class, this::onMembershipChanged)
        .onCommand(CheckLostNodes.class, this::onCheckLostNodes)
        .onCommand(ConfirmLoss.class, (state, cmd) -> state.unconfirmedLosses().containsKey(cmd.environmentId())
            ? Effect().persist(new LossConfirmed(cmd.environmentId())).thenNoReply()
            : Effect().noReply())
        .onCommand(CheckFeasible.class, (state, cmd) -> Effect().reply(cmd.replyTo(), feasibility(state, cmd.request())))
        .onCommand(GetReservations.class, (state, cmd) -> Effect().reply(
            cmd.replyTo(), new Reservations(cmd.nodeId(), state.environmentsOn(cmd.nodeId()))))
        .build();
  }

  private ReplyEffect<Event, State> onPlace(State state, Place cmd) {
    String id = cmd.request().environmentId();
    Reservation existing = state.reservations().get(id);
    if (existing != null) {
      tellEntity(id, new EnvironmentEntity.Placed(existing.nodeId(), existing.gpuUuids()));
      return Effect().noReply();
    }
    int position = state.queuePosition(id);
    if (position > 0) {
      tellEntity(id, new EnvironmentEntity.Queued(position, "waiting for capacity"));
      return Effect().noReply();
    }
    PlacementDecision decision = Placement.decide(cmd.request(), candidatesFor(cmd.request(), state), settings.policy());
    if (decision instanceof PlacementDecision.Fits fits) {
      Reserved reserved = new Reserved(id, fits.nodeId(), cmd.request().resources(), fits.gpuUuids());
      return Effect().persist(reserved).thenRun(after -> announce(reserved)).thenNoReply();
    }
    if (decision instanceof PlacementDecision.NotNow notNow) {
      return Effect()
          .persist(new Enqueued(cmd.request()))
          .thenRun(after -> tellEntity(id, new EnvironmentEntity.Queued(after.queuePosition(id), notNow.reason())))
          .thenNoReply();
    }
    String reason = ((PlacementDecision.Never) decision).reason();
    context.getLog().info("Scheduler refuses environment {}: {}", id, reason);
    tellEntity(id, new EnvironmentEntity.Refused(reason));
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> onRelease(State state, Release cmd) {
    String id = cmd.environmentId();
    if (!state.reservations().containsKey(id) && state.queuePosition(id) == 0) {
      return Effect().noReply();
    }
    List<Event> events = new ArrayList<>();
    events.add(new Released(id));
    events.addAll(placementsFromQueue(state.release(id)));
    return persistAndAnnounce(events);
  }

  private ReplyEffect<Event, State> onNodesChanged(State state, NodesChanged cmd) {
    nodes = cmd.nodes();
    down.keySet().removeIf(nodeId -> nodes.containsKey(nodeId) && !lostNodes().contains(nodeId));
    List<Reserved> placements = placementsFromQueue(state);
    return placements.isEmpty() ? Effect().noReply() : persistAndAnnounce(new ArrayList<>(placements));
  }

  private ReplyEffect<Event, State> persistAndAnnounce(List<Event> events) {
    return Effect()
        .persist(events)
        .thenRun(after -> events.stream().filter(Reserved.class::isInstance).map(Reserved.class::cast).forEach(this::announce))
        .thenNoReply();
  }

  /**
   * Tries every queued request in arrival order against the current capacity, reserving as it
   * goes, so one pass never places two requests into the same room. Later requests may pass an
   * earlier one that does not fit yet (backfill), so one large request does not block small ones.
   */
  private List<Reserved> placementsFromQueue(State state) {
    State working = state;
    List<Reserved> placements = new ArrayList<>();
    for (PlacementRequest request : state.queue()) {
      PlacementDecision decision = Placement.decide(request, candidatesFor(request, working), settings.policy());
      if (decision instanceof PlacementDecision.Fits fits) {
        Reserved reserved = new Reserved(request.environmentId(), fits.nodeId(), request.resources(), fits.gpuUuids());
        placements.add(reserved);
        working = working.reserve(reserved);
      }
    }
    return placements;
  }

  private Feasibility feasibility(State state, PlacementRequest request) {
    PlacementDecision decision = Placement.decide(request, candidates(state), settings.policy());
    return new Feasibility(decision instanceof PlacementDecision.Never never ? never.reason() : null);
  }

  /** A pinned request sees only its node while that node is known; once it is gone, any node will do. */
  private List<NodeCandidate> candidatesFor(PlacementRequest request, State state) {
    List<NodeCandidate> all = candidates(state);
    String pinned = request.pinnedNode();
    if (pinned == null || !nodes.containsKey(pinned)) {
      return all;
    }
    return all.stream().filter(candidate -> candidate.status().nodeId().equals(pinned)).toList();
  }

  private List<NodeCandidate> candidates(State state) {
    List<NodeCandidate> candidates = new ArrayList<>(nodes.size());
    for (NodeStatus status : nodes.values()) {
      String id = status.nodeId();
      boolean schedulable = state.schedulable(id) && !membership.unreachable(status) && !down.containsKey(id);
      candidates.add(new NodeCandidate(status, state.reservedOn(id), state.gpusInUseOn(id), schedulable));
    }
    return candidates;
  }

  private Nodes nodesView(State state) {
    Map<String, NodeStatus> all = new LinkedHashMap<>(down);
    all.putAll(nodes);
    List<NodeView> views = new ArrayList<>();
    for (NodeStatus status : all.values()) {
      views.add(nodeView(state, status));
    }
    views.sort(java.util.Comparator.comparing(view -> view.status().nodeId()));
    return new Nodes(views);
  }

  private NodeView nodeView(State state, NodeStatus status) {
    String id = status.nodeId();
    return new NodeView(status, nodeState(state, status), state.reservedOn(id), List.copyOf(state.gpusInUseOn(id)),
        state.environmentsOn(id));
  }

  private NodeState nodeState(State state, NodeStatus status) {
    String id = status.nodeId();
    if (down.containsKey(id) && !nodes.containsKey(id)) {
      return NodeState.DOWN;
    }
    if (membership.unreachable(status)) {
      return NodeState.UNREACHABLE;
    }
    if (state.draining().contains(id)) {
      return NodeState.DRAINING;
    }
    return state.cordoned().contains(id) ? NodeState.CORDONED : NodeState.UP;
  }

  // ---------------------------------------------------------------- operators and failures

  private ReplyEffect<Event, State> mark(State state, String nodeId, Event event, ActorRef<NodeAnswer> replyTo) {
    if (!nodes.containsKey(nodeId)) {
      return Effect().reply(replyTo, new NodeAnswer(nodeId, null));
    }
    context.getLog().info("Scheduler: node {} {}", nodeId, event instanceof NodeCordoned ? "cordoned" : "uncordoned");
    List<Event> events = new ArrayList<>();
    events.add(event);
    if (event instanceof NodeUncordoned) {
      events.addAll(placementsFromQueue(state.uncordon(nodeId)));
    }
    return Effect().persist(events)
        .thenRun(after -> events.stream().filter(Reserved.class::isInstance).map(Reserved.class::cast).forEach(this::announce))
        .thenReply(replyTo, after -> new NodeAnswer(nodeId, nodeView(after, nodes.get(nodeId))));
  }

  /** Cordons the node and asks each of its environments to move; each releases its place once its container is gone. */
  private ReplyEffect<Event, State> onDrain(State state, Drain cmd) {
    String nodeId = cmd.nodeId();
    if (!nodes.containsKey(nodeId)) {
      return Effect().reply(cmd.replyTo(), new NodeAnswer(nodeId, null));
    }
    List<String> moving = state.environmentsOn(nodeId);
    context.getLog().info("Scheduler: draining node {}: moving {} environments", nodeId, moving.size());
    return Effect().persist(new NodeDrainStarted(nodeId))
        .thenRun(after -> moving.forEach(id -> tellEntity(id, new EnvironmentEntity.Relocate(nodeId))))
        .thenReply(cmd.replyTo(), after -> new NodeAnswer(nodeId, nodeView(after, nodes.get(nodeId))));
  }

  private ReplyEffect<Event, State> onMembershipChanged(State state, MembershipChanged changed) {
    String removed = membership.apply(changed.event());
    if (removed == null) {
      return Effect().noReply();
    }
    List<String> lost = nodes.values().stream().filter(s -> removed.equals(s.member())).map(NodeStatus::nodeId).toList();
    return loseNodes(state, lost);
  }

  /**
   * Periodically: finds nodes whose process is gone, and repeats what entities may have missed —
   * the loss of their node, and the request to move off a draining node.
   */
  private ReplyEffect<Event, State> onCheckLostNodes(State state, CheckLostNodes tick) {
    state.unconfirmedLosses().forEach((id, nodeId) -> tellEntity(id, new EnvironmentEntity.NodeLost(nodeId)));
    state.draining().forEach(nodeId -> state.environmentsOn(nodeId).forEach(id -> tellEntity(id, new EnvironmentEntity.Relocate(nodeId))));
    return loseNodes(state, lostNodes());
  }

  private List<String> lostNodes() {
    Instant now = Instant.now();
    return nodes.values().stream()
        .filter(status -> membership.lost(status, now, settings.lostNodeStaleAfter()))
        .map(NodeStatus::nodeId)
        .toList();
  }

  /**
   * The nodes' processes are gone and their containers with them: forget their reservations, tell
   * their environments (which re-place themselves per their restart policy) and drop them from
   * the gossip so no one places there again. A node that comes back gossips anew.
   */
  private ReplyEffect<Event, State> loseNodes(State state, List<String> lost) {
    if (lost.isEmpty()) {
      return Effect().noReply();
    }
    Map<String, List<String>> environments = new LinkedHashMap<>();
    lost.forEach(nodeId -> environments.put(nodeId, state.environmentsOn(nodeId)));
    List<Event> events = new ArrayList<>(lost.stream().map(NodeLost::new).toList());
    for (String nodeId : lost) {
      context.getLog().warn("Scheduler: node {} is lost with {} environments", nodeId, environments.get(nodeId).size());
      down.put(nodeId, nodes.get(nodeId));
      replicator.askUpdate(
          replyTo -> new Replicator.Update<>(NodeGossip.KEY, LWWMap.empty(), Replicator.writeLocal(), replyTo,
              map -> map.remove(DistributedData.get(context.getSystem()).selfUniqueAddress(), nodeId)),
          response -> new NodesChanged(nodes));
    }
    Map<String, NodeStatus> remaining = new LinkedHashMap<>(nodes);
    lost.forEach(remaining::remove);
    nodes = Map.copyOf(remaining);
    return Effect().persist(events)
        .thenRun(after -> environments.forEach((nodeId, ids) ->
            ids.forEach(id -> tellEntity(id, new EnvironmentEntity.NodeLost(nodeId)))))
        .thenNoReply();
  }

  private void announce(Reserved reserved) {
    context.getLog().info(
        "Scheduler placed environment {} on node {}{}", reserved.environmentId(), reserved.nodeId(),
        reserved.gpuUuids().isEmpty() ? "" : " with GPUs " + reserved.gpuUuids());
    tellEntity(reserved.environmentId(), new EnvironmentEntity.Placed(reserved.nodeId(), reserved.gpuUuids()));
  }

  private void tellEntity(String environmentId, EnvironmentEntity.Command message) {
    sharding.entityRefFor(EnvironmentEntity.TYPE_KEY, environmentId).tell(message);
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Reserved.class, State::reserve)
        .onEvent(Enqueued.class, (state, e) -> state.enqueue(e.request()))
        .onEvent(Released.class, (state, e) -> state.release(e.environmentId()))
        .onEvent(NodeCordoned.class, (state, e) -> state.cordon(e.nodeId()))
        .onEvent(NodeUncordoned.class, (state, e) -> state.uncordon(e.nodeId()))
        .onEvent(NodeDrainStarted.class, (state, e) -> state.drain(e.nodeId()))
        .onEvent(NodeLost.class, (state, e) -> state.lose(e.nodeId()))
        .onEvent(LossConfirmed.class, (state, e) -> state.lossConfirmed(e.environmentId()))
        .build();
  }
}
