package io.dcloud.scheduler;

import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.Resources;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.node.NodeGossip;
import io.dcloud.node.NodeStatus;
import io.dcloud.serialization.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.SortedMap;
import java.util.TreeMap;
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
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
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
  /** A journal write takes milliseconds; a wake-up sent again while the first still waits is harmless. */
  private static final Duration WAKE_UP_LOST_AFTER = Duration.ofSeconds(1);

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

  /** One part of the gossiped node map (see {@link NodeGossip}) changed; {@code nodes} is that part's whole content. */
  private record NodesChanged(Key<LWWMap<String, NodeStatus>> part, Map<String, NodeStatus> nodes)
      implements Command, NoSerializationVerificationNeeded {}

  /** The replicator's answer to removing a lost node's status: the change itself arrives as {@link NodesChanged}. */
  private enum GossipUpdated implements Command, NoSerializationVerificationNeeded { INSTANCE }

  private record MembershipChanged(ClusterEvent.ClusterDomainEvent event)
      implements Command, NoSerializationVerificationNeeded {}

  private enum CheckLostNodes implements Command, NoSerializationVerificationNeeded { INSTANCE }

  /** Decide every Place received since the last batch, and persist the decisions in one write. */
  private enum PlacePending implements Command, NoSerializationVerificationNeeded { INSTANCE }

  /** Capacity was freed (or a node came back): try the queue. */
  private enum PlaceQueued implements Command, NoSerializationVerificationNeeded { INSTANCE }

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

  /** What the scheduler holds on one node, kept up to date event by event so placement never sums. */
  private static final class NodeLoad {
    private Resources reserved = Resources.NONE;
    private final Set<String> gpus = new HashSet<>();
    private final Set<String> environments = new LinkedHashSet<>();

    void add(String environmentId, Reservation reservation) {
      reserved = reserved.plus(reservation.resources());
      gpus.addAll(reservation.gpuUuids());
      environments.add(environmentId);
    }

    void remove(String environmentId, Reservation reservation) {
      reserved = reserved.minus(reservation.resources());
      reservation.gpuUuids().forEach(gpus::remove);
      environments.remove(environmentId);
    }
  }

  /**
   * Reservations by environment id (indexed by node), the queue in arrival order, the nodes an
   * operator took out, and the environments told of their node's loss that have not confirmed it
   * yet (node by environment): the scheduler repeats the news until they do, since a message to an
   * entity whose shard was on the lost node can itself be lost.
   *
   * <p>Mutable, for a scheduler that holds a hundred thousand reservations: only the event handler
   * changes it, and snapshots are taken as an immutable {@link Snapshot} copy on the actor's
   * thread ({@link #snapshotAdapter()}).
   */
  public static final class State implements CborSerializable {
    private final Map<String, Reservation> reservations = new HashMap<>();
    private final Map<String, NodeLoad> loads = new HashMap<>();
    private final Map<String, PlacementRequest> queue = new LinkedHashMap<>();
    private final Set<String> cordoned = new HashSet<>();
    private final Set<String> draining = new HashSet<>();
    private final Map<String, String> unconfirmedLosses = new LinkedHashMap<>();

    State reserve(Reserved e) {
      release(e.environmentId());
      Reservation reservation = new Reservation(e.nodeId(), e.resources(), e.gpuUuids());
      reservations.put(e.environmentId(), reservation);
      loads.computeIfAbsent(e.nodeId(), id -> new NodeLoad()).add(e.environmentId(), reservation);
      return this;
    }

    State enqueue(PlacementRequest request) {
      queue.put(request.environmentId(), request);
      return this;
    }

    State release(String environmentId) {
      Reservation reservation = reservations.remove(environmentId);
      if (reservation != null) {
        loads.get(reservation.nodeId()).remove(environmentId, reservation);
      }
      queue.remove(environmentId);
      return this;
    }

    State cordon(String nodeId) {
      cordoned.add(nodeId);
      return this;
    }

    State drain(String nodeId) {
      draining.add(nodeId);
      return this;
    }

    State uncordon(String nodeId) {
      cordoned.remove(nodeId);
      draining.remove(nodeId);
      return this;
    }

    State lose(String nodeId) {
      NodeLoad load = loads.remove(nodeId);
      if (load != null) {
        load.environments.forEach(id -> {
          reservations.remove(id);
          unconfirmedLosses.put(id, nodeId);
        });
      }
      return this;
    }

    State lossConfirmed(String environmentId) {
      unconfirmedLosses.remove(environmentId);
      return this;
    }

    Reservation reservation(String environmentId) {
      return reservations.get(environmentId);
    }

    int reservationCount() {
      return reservations.size();
    }

    Collection<PlacementRequest> queue() {
      return queue.values();
    }

    Set<String> draining() {
      return draining;
    }

    Map<String, String> unconfirmedLosses() {
      return unconfirmedLosses;
    }

    boolean schedulable(String nodeId) {
      return !cordoned.contains(nodeId) && !draining.contains(nodeId);
    }

    boolean cordoned(String nodeId) {
      return cordoned.contains(nodeId);
    }

    int queuePosition(String environmentId) {
      if (!queue.containsKey(environmentId)) {
        return 0;
      }
      int position = 1;
      for (String queued : queue.keySet()) {
        if (queued.equals(environmentId)) {
          break;
        }
        position++;
      }
      return position;
    }

    Resources reservedOn(String nodeId) {
      NodeLoad load = loads.get(nodeId);
      return load == null ? Resources.NONE : load.reserved;
    }

    Set<String> gpusInUseOn(String nodeId) {
      NodeLoad load = loads.get(nodeId);
      return load == null ? Set.of() : Collections.unmodifiableSet(load.gpus);
    }

    List<String> environmentsOn(String nodeId) {
      NodeLoad load = loads.get(nodeId);
      return load == null ? List.of() : List.copyOf(load.environments);
    }

    Snapshot snapshot() {
      List<Snapshot.Entry> entries = new ArrayList<>(reservations.size());
      reservations.forEach((id, r) -> entries.add(Snapshot.Entry.of(id, r)));
      return new Snapshot(entries, List.copyOf(queue.values()), Set.copyOf(cordoned), Set.copyOf(draining),
          Map.copyOf(unconfirmedLosses));
    }

    /**
     * Reads a snapshot written before snapshots became {@link Snapshot}s, when the state itself was
     * stored (an immutable record with these fields), so an upgraded scheduler recovers its
     * reservations instead of failing. Never used to write.
     */
    @JsonCreator
    static State fromEarlierSnapshot(
        @JsonProperty("reservations") Map<String, Reservation> reservations,
        @JsonProperty("queue") List<PlacementRequest> queue,
        @JsonProperty("cordoned") Set<String> cordoned,
        @JsonProperty("draining") Set<String> draining,
        @JsonProperty("unconfirmedLosses") Map<String, String> unconfirmedLosses) {
      State state = new State();
      orEmpty(reservations).forEach((id, r) -> state.reserve(new Reserved(id, r.nodeId(), r.resources(), r.gpuUuids())));
      orEmpty(queue).forEach(state::enqueue);
      state.cordoned.addAll(orEmpty(cordoned));
      state.draining.addAll(orEmpty(draining));
      state.unconfirmedLosses.putAll(orEmpty(unconfirmedLosses));
      return state;
    }

    private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
      return map == null ? Map.of() : map;
    }

    private static <T> Collection<T> orEmpty(Collection<T> items) {
      return items == null ? List.of() : items;
    }

    static State of(Snapshot snapshot) {
      State state = new State();
      snapshot.reservations().forEach(entry -> state.reserve(entry.reserved()));
      snapshot.queue().forEach(state::enqueue);
      state.cordoned.addAll(snapshot.cordoned());
      state.draining.addAll(snapshot.draining());
      state.unconfirmedLosses.putAll(snapshot.unconfirmedLosses());
      return state;
    }
  }

  /**
   * The scheduler's state as stored in a snapshot. Each reservation is written as a bare array (no
   * field names): a snapshot of 100,000 reservations stays a few megabytes, well under Cassandra's
   * mutation size limit.
   */
  public record Snapshot(
      List<Entry> reservations,
      List<PlacementRequest> queue,
      Set<String> cordoned,
      Set<String> draining,
      Map<String, String> unconfirmedLosses)
      implements CborSerializable {

    @JsonFormat(shape = JsonFormat.Shape.ARRAY)
    @JsonPropertyOrder({"environmentId", "nodeId", "milliCpus", "memoryBytes", "gpus", "storageBytes", "gpuModel", "gpuUuids"})
    public record Entry(
        String environmentId, String nodeId, long milliCpus, long memoryBytes, int gpus, long storageBytes,
        String gpuModel, List<String> gpuUuids) {

      static Entry of(String environmentId, Reservation r) {
        Resources res = r.resources();
        return new Entry(environmentId, r.nodeId(), res.milliCpus(), res.memoryBytes(), res.gpus(), res.storageBytes(),
            res.gpuModel(), r.gpuUuids());
      }

      Reserved reserved() {
        return new Reserved(environmentId, nodeId, new Resources(milliCpus, memoryBytes, gpus, storageBytes, gpuModel), gpuUuids);
      }
    }
  }

  // ---------------------------------------------------------------- wiring

  /** Tunables from {@code dcloud.scheduler} (see reference.conf). */
  public record Settings(
      Placement.Policy policy,
      int maxPlacementsPerBatch,
      int candidatesPerPlacement,
      int snapshotEvery,
      Duration lostNodeCheckInterval,
      Duration lostNodeStaleAfter,
      BackoffSupervisorStrategy journalBackoff) {
    /** {@code root} is the whole configuration. */
    public static Settings fromConfig(com.typesafe.config.Config root) {
      com.typesafe.config.Config config = root.getConfig("dcloud.scheduler");
      return new Settings(
          Placement.Policy.valueOf(config.getString("policy").toUpperCase(java.util.Locale.ROOT)),
          config.getInt("max-placements-per-batch"),
          config.getInt("candidates-per-placement"),
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
              // One adapter function for all parts (Pekko keeps one per response class): the part is the response's key.
              NodeGossip.keys().forEach(part -> replicator.subscribe(part, Scheduler::nodesChanged));
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
      return new NodesChanged(changed.key(), Map.copyOf(changed.dataValue().getEntries()));
    }
    return new NodesChanged(response.key(), Map.of());
  }

  private final ActorContext<Command> context;
  private final Settings settings;
  private final ClusterSharding sharding;
  private final ReplicatorMessageAdapter<Command, LWWMap<String, NodeStatus>> replicator;
  private final NodeMembership membership;
  /** Nodes lost since this scheduler started, with their last status: listed as DOWN until they return. */
  private final Map<String, NodeStatus> down = new LinkedHashMap<>();
  /**
   * The gossiped view of the workers, sorted by node id (placement ranks them in that order); not
   * persisted: gossip refills it within seconds of a failover.
   */
  private final SortedMap<String, NodeStatus> nodes = new TreeMap<>();
  /** The last content of each part of the gossiped node map, whose union is {@link #nodes}. */
  private final Map<Key<LWWMap<String, NodeStatus>>, Map<String, NodeStatus>> gossipParts = new HashMap<>();
  /** {@link #nodes}' values, for placement to walk by index. */
  private List<NodeStatus> sortedNodes = List.of();
  /**
   * Place requests received but not decided yet. They are decided together and their decisions
   * persisted in one write, so the journal's latency is paid once per batch, not once per request.
   * Not persisted: an entity re-sends its request until it hears back.
   */
  private final Map<String, PlacementRequest> pending = new LinkedHashMap<>();
  /** Wake-ups sent to self and not handled yet, with when they were sent (System.nanoTime). */
  private final Map<Command, Long> wakeUpsInFlight = new HashMap<>();

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
    return new State();
  }

  @Override
  public SnapshotAdapter<State> snapshotAdapter() {
    return new SnapshotAdapter<>() {
      @Override
      public Object toJournal(State state) {
        return state.snapshot();
      }

      @Override
      public State fromJournal(Object from) {
        // A State is a snapshot from before Snapshot existed (see State#fromEarlierSnapshot).
        return from instanceof State earlier ? earlier : State.of((Snapshot) from);
      }
    };
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2);
  }

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> context.getLog().info(
            "Scheduler recovered: {} reservations, {} queued", state.reservationCount(), state.queue().size()))
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Place.class, this::onPlace)
        .onCommand(PlacePending.class, this::onPlacePending)
        .onCommand(PlaceQueued.class, this::onPlaceQueued)
        .onCommand(Release.class, this::onRelease)
        .onCommand(NodesChanged.class, this::onNodesChanged)
        .onCommand(GossipUpdated.class, updated -> Effect().noReply())
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
    if (!answerKnown(state, cmd.request().environmentId())) {
      pending.put(cmd.request().environmentId(), cmd.request());
      sendOnce(PlacePending.INSTANCE);
    }
    return Effect().noReply();
  }

  /** Tells an environment that already has a place or a queue slot about it; false when it has neither. */
  private boolean answerKnown(State state, String id) {
    Reservation existing = state.reservation(id);
    if (existing != null) {
      tellEntity(id, new EnvironmentEntity.Placed(existing.nodeId(), existing.gpuUuids()));
      return true;
    }
    int position = state.queuePosition(id);
    if (position > 0) {
      tellEntity(id, new EnvironmentEntity.Queued(position, "waiting for capacity"));
      return true;
    }
    return false;
  }

  /**
   * Sends the wake-up unless one is on its way. A wake-up that arrives while the scheduler writes
   * is stashed, and an overfull stash drops it: one older than {@link #WAKE_UP_LOST_AFTER} counts as
   * lost and is sent again (entities keep re-sending Place, so this runs again soon).
   */
  private void sendOnce(Command wakeUp) {
    long now = System.nanoTime();
    Long sentAt = wakeUpsInFlight.get(wakeUp);
    if (sentAt == null || now - sentAt > WAKE_UP_LOST_AFTER.toNanos()) {
      wakeUpsInFlight.put(wakeUp, now);
      context.getSelf().tell(wakeUp);
    }
  }

  /**
   * Decides up to max-placements-per-batch pending requests in arrival order against capacity
   * minus what this batch already took, then persists every decision in one write.
   */
  private ReplyEffect<Event, State> onPlacePending(State state, PlacePending wakeUp) {
    wakeUpsInFlight.remove(wakeUp);
    Tentative tentative = new Tentative();
    List<Event> events = new ArrayList<>();
    Map<String, String> queuedBecause = new HashMap<>();
    var batch = pending.values().iterator();
    while (batch.hasNext() && events.size() < settings.maxPlacementsPerBatch()) {
      PlacementRequest request = batch.next();
      batch.remove();
      String id = request.environmentId();
      if (answerKnown(state, id)) {
        continue;
      }
      PlacementDecision decision = Placement.decideAmong(request, candidatesFor(request, state, tentative), settings.policy(), settings.candidatesPerPlacement());
      if (decision instanceof PlacementDecision.Fits fits) {
        Reserved reserved = new Reserved(id, fits.nodeId(), request.resources(), fits.gpuUuids());
        tentative.add(state, reserved);
        events.add(reserved);
      } else if (decision instanceof PlacementDecision.NotNow notNow) {
        events.add(new Enqueued(request));
        queuedBecause.put(id, notNow.reason());
      } else {
        String reason = ((PlacementDecision.Never) decision).reason();
        context.getLog().info("Scheduler refuses environment {}: {}", id, reason);
        tellEntity(id, new EnvironmentEntity.Refused(reason));
      }
    }
    if (!pending.isEmpty()) {
      sendOnce(PlacePending.INSTANCE);
    }
    if (events.isEmpty()) {
      return Effect().noReply();
    }
    return Effect().persist(events).thenRun(after -> {
      announce(events);
      queuedBecause.forEach((id, reason) -> tellEntity(id, new EnvironmentEntity.Queued(after.queuePosition(id), reason)));
    }).thenNoReply();
  }

  private ReplyEffect<Event, State> onPlaceQueued(State state, PlaceQueued wakeUp) {
    wakeUpsInFlight.remove(wakeUp);
    List<Reserved> placements = placementsFromQueue(state);
    return placements.isEmpty() ? Effect().noReply() : persistAndAnnounce(new ArrayList<>(placements));
  }

  private ReplyEffect<Event, State> onRelease(State state, Release cmd) {
    String id = cmd.environmentId();
    if (state.reservation(id) == null && state.queuePosition(id) == 0) {
      return Effect().noReply();
    }
    return Effect().persist(new Released(id)).thenRun(after -> placeQueuedSoon(after)).thenNoReply();
  }

  private void placeQueuedSoon(State state) {
    if (!state.queue().isEmpty()) {
      sendOnce(PlaceQueued.INSTANCE);
    }
  }

  private ReplyEffect<Event, State> onNodesChanged(State state, NodesChanged cmd) {
    Map<String, NodeStatus> before = gossipParts.put(cmd.part(), cmd.nodes());
    if (before != null) {
      nodes.keySet().removeAll(before.keySet());
    }
    nodes.putAll(cmd.nodes());
    sortedNodes = List.copyOf(nodes.values());
    if (!down.isEmpty()) {
      List<String> lost = lostNodes();
      down.keySet().removeIf(nodeId -> nodes.containsKey(nodeId) && !lost.contains(nodeId));
    }
    placeQueuedSoon(state);
    return Effect().noReply();
  }

  private ReplyEffect<Event, State> persistAndAnnounce(List<Event> events) {
    return Effect().persist(events).thenRun(after -> announce(events)).thenNoReply();
  }

  private void announce(List<Event> events) {
    for (Event event : events) {
      if (event instanceof Reserved reserved) {
        announce(reserved);
      }
    }
  }

  /**
   * Reservations decided in this batch but not persisted yet: placement counts them as taken. Each
   * node touched holds its total (state plus batch), so a candidate costs no copying.
   */
  private static final class Tentative {
    private final Map<String, Resources> reserved = new HashMap<>();
    private final Map<String, Set<String>> gpus = new HashMap<>();

    void add(State state, Reserved reservation) {
      String nodeId = reservation.nodeId();
      reserved.put(nodeId, reservedOn(state, nodeId).plus(reservation.resources()));
      if (!reservation.gpuUuids().isEmpty()) {
        gpus.computeIfAbsent(nodeId, id -> new HashSet<>(state.gpusInUseOn(id))).addAll(reservation.gpuUuids());
      }
    }

    Resources reservedOn(State state, String nodeId) {
      Resources total = reserved.get(nodeId);
      return total == null ? state.reservedOn(nodeId) : total;
    }

    Set<String> gpusInUseOn(State state, String nodeId) {
      Set<String> total = gpus.get(nodeId);
      return total == null ? state.gpusInUseOn(nodeId) : total;
    }
  }

  /**
   * Tries every queued request in arrival order against the current capacity, reserving as it
   * goes, so one pass never places two requests into the same room. Later requests may pass an
   * earlier one that does not fit yet (backfill), so one large request does not block small ones.
   */
  private List<Reserved> placementsFromQueue(State state) {
    Tentative tentative = new Tentative();
    List<Reserved> placements = new ArrayList<>();
    for (PlacementRequest request : state.queue()) {
      PlacementDecision decision = Placement.decideAmong(request, candidatesFor(request, state, tentative), settings.policy(), settings.candidatesPerPlacement());
      if (decision instanceof PlacementDecision.Fits fits) {
        Reserved reserved = new Reserved(request.environmentId(), fits.nodeId(), request.resources(), fits.gpuUuids());
        placements.add(reserved);
        tentative.add(state, reserved);
      }
    }
    return placements;
  }

  private Feasibility feasibility(State state, PlacementRequest request) {
    PlacementDecision decision = Placement.decide(request, candidates(state, new Tentative()), settings.policy());
    return new Feasibility(decision instanceof PlacementDecision.Never never ? never.reason() : null);
  }

  /** A pinned request sees only its node while that node is known; once it is gone, any node will do. */
  private List<NodeCandidate> candidatesFor(PlacementRequest request, State state, Tentative tentative) {
    String pinned = request.pinnedNode();
    if (pinned == null || !nodes.containsKey(pinned)) {
      return candidates(state, tentative);
    }
    return List.of(candidate(nodes.get(pinned), state, tentative));
  }

  /** Every node, sorted by id, as a view that builds each candidate only when placement looks at it. */
  private List<NodeCandidate> candidates(State state, Tentative tentative) {
    List<NodeStatus> sorted = sortedNodes;
    return new AbstractList<>() {
      @Override
      public NodeCandidate get(int index) {
        return candidate(sorted.get(index), state, tentative);
      }

      @Override
      public int size() {
        return sorted.size();
      }
    };
  }

  private NodeCandidate candidate(NodeStatus status, State state, Tentative tentative) {
    String id = status.nodeId();
    boolean schedulable = state.schedulable(id) && !membership.unreachable(status) && !down.containsKey(id);
    return new NodeCandidate(status, tentative.reservedOn(state, id), tentative.gpusInUseOn(state, id), schedulable);
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
    return state.cordoned(id) ? NodeState.CORDONED : NodeState.UP;
  }

  // ---------------------------------------------------------------- operators and failures

  private ReplyEffect<Event, State> mark(State state, String nodeId, Event event, ActorRef<NodeAnswer> replyTo) {
    if (!nodes.containsKey(nodeId)) {
      return Effect().reply(replyTo, new NodeAnswer(nodeId, null));
    }
    context.getLog().info("Scheduler: node {} {}", nodeId, event instanceof NodeCordoned ? "cordoned" : "uncordoned");
    return Effect().persist(event)
        .thenRun(this::placeQueuedSoon)
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
          replyTo -> new Replicator.Update<>(NodeGossip.keyFor(nodeId), LWWMap.empty(), Replicator.writeLocal(), replyTo,
              map -> map.remove(DistributedData.get(context.getSystem()).selfUniqueAddress(), nodeId)),
          response -> GossipUpdated.INSTANCE);
    }
    lost.forEach(nodes::remove);
    sortedNodes = List.copyOf(nodes.values());
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
