package io.dcloud.scheduler;

import io.dcloud.node.NodeStatus;
import io.dcloud.resources.Resources;
import io.dcloud.serialization.CborSerializable;
import java.util.List;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * The cluster singleton that decides where environments run. Its reservations and queue are event
 * sourced, so a failover loses neither; its view of the nodes comes from gossip and is rebuilt on
 * start. Reservations are authoritative: placement subtracts them from gossiped capacity, so
 * gossip lag never overcommits a node. Here its protocol and persisted events; its behaviour is
 * {@link SchedulerBehavior}.
 */
public final class Scheduler {

  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("dcloud-scheduler");

  // ---------------------------------------------------------------- protocol

  public sealed interface Command extends CborSerializable {}

  /** Find a place; the answer goes to the environment (Granted, Waiting or Refused; see {@link PlacementAnswer}). */
  public record Place(PlacementRequest request) implements Command {}

  /** The environment no longer needs its place (or its queue slot). Idempotent. */
  public record Release(String environmentId) implements Command {}

  public record GetNodes(ActorRef<Nodes> replyTo) implements Command {}

  /**
   * Could any known node ever hold this request? Asked before an environment is created, so a
   * request no machine could ever run is refused at once instead of being accepted and failing.
   */
  public record CheckFeasible(PlacementRequest request, ActorRef<Feasibility> replyTo) implements Command {}

  /** Where would this request go now (see {@link PlacementPreview})? Reserves and queues nothing. */
  public record Preview(PlacementRequest request, ActorRef<PlacementPreview> replyTo) implements Command {}

  /**
   * A running environment asks for other CPU, RAM or GPUs on the node it runs on (see {@link
   * ReservationResize}): weighed against the reservations of that node here, where no placement can
   * take the room between the check and the change.
   */
  public record ResizeReservation(String environmentId, Resources resources, ActorRef<ResizeAnswer> replyTo)
      implements Command {}

  /** {@code reason}: why not, for {@link ResizeOutcome#REFUSED} and {@link ResizeOutcome#NOT_HELD}; null otherwise. */
  public record ResizeAnswer(ResizeOutcome outcome, String reason) implements CborSerializable {}

  public enum ResizeOutcome {
    /** Its reservation holds the new CPU and RAM now: its container's limits can change while it runs. */
    IN_PLACE,
    /** Its GPUs change, which takes a new container: its node has room now, and its restart is placed anew. */
    RESTART,
    /** Its node has no room for it to grow, or cannot take a change now: nothing changed. */
    REFUSED,
    /** It holds no place (it is not running): nothing to weigh here. */
    NOT_HELD
  }

  /** {@code reason} is null when the request could be placed now or later. */
  public record Feasibility(String reason) implements CborSerializable {
    public boolean feasible() {
      return reason == null;
    }
  }

  /** The environments the scheduler has placed on a node, for that node to reconcile with. */
  public record GetReservations(String nodeId, ActorRef<Reservations> replyTo) implements Command {}

  /** From an environment: it has recorded the loss of its node (see {@link SchedulerState#unconfirmedLosses}). */
  public record ConfirmLoss(String environmentId) implements Command {}

  /** No new environments on the node; what runs there stays. */
  public record Cordon(String nodeId, ActorRef<NodeAnswer> replyTo) implements Command {}

  /** Accept new environments again (also ends a drain). */
  public record Uncordon(String nodeId, ActorRef<NodeAnswer> replyTo) implements Command {}

  /** Cordon, and move every environment of the node elsewhere. */
  public record Drain(String nodeId, ActorRef<NodeAnswer> replyTo) implements Command {}

  /** {@code node} is null when no such node is known. */
  public record NodeAnswer(String nodeId, NodeView node) implements CborSerializable {}

  /** Time to read the parts of the gossiped node map (see {@link NodeGossipReader}). */
  enum ReadNodeGossip implements Command, NoSerializationVerificationNeeded { INSTANCE }

  /** The local replicator's answer for one part of the gossiped node map. */
  record NodeGossipRead(Replicator.GetResponse<LWWMap<String, NodeStatus>> response)
      implements Command, NoSerializationVerificationNeeded {}

  /** The replicator's answer to removing a lost node's status: the change itself is read with the others ({@link ReadNodeGossip}). */
  enum GossipUpdated implements Command, NoSerializationVerificationNeeded { INSTANCE }

  record MembershipChanged(ClusterEvent.ClusterDomainEvent event)
      implements Command, NoSerializationVerificationNeeded {}

  enum CheckLostNodes implements Command, NoSerializationVerificationNeeded { INSTANCE }

  enum ResendLosses implements Command, NoSerializationVerificationNeeded { INSTANCE }

  /** Decide every Place received since the last batch, and persist the decisions in one write. */
  enum PlacePending implements Command, NoSerializationVerificationNeeded { INSTANCE }

  /** Capacity was freed (or a node came back): try the queue. */
  enum PlaceQueued implements Command, NoSerializationVerificationNeeded { INSTANCE }

  /**
   * Periodically: send again the wake-ups an overfull stash dropped (see {@link WakeUps}), and store
   * a snapshot whose {@link StoreSnapshot} it dropped.
   */
  enum ResendWakeUps implements Command, NoSerializationVerificationNeeded { INSTANCE }

  /** The event a snapshot was copied after has been written: store the copy (see {@link BackgroundSnapshots}). */
  enum StoreSnapshot implements Command, NoSerializationVerificationNeeded { INSTANCE }

  /** The snapshot store's answer to a save or delete of {@link BackgroundSnapshots}. */
  record SnapshotStoreAnswered(Object answer) implements Command, NoSerializationVerificationNeeded {}

  public record Nodes(List<NodeView> nodes) implements CborSerializable {}

  public record Reservations(String nodeId, List<String> environmentIds) implements CborSerializable {}

  // ---------------------------------------------------------------- events and state

  public sealed interface Event extends CborSerializable {}

  /**
   * {@code reason}: why that node, when more than the policy decided (see {@link PlacementDecision.Fits}); else null.
   * {@code group}: the request's ({@link PlacementRequest#group}); null without one, and in events of earlier versions.
   */
  public record Reserved(
      String environmentId, String nodeId, Resources resources, List<String> gpuUuids, String reason, String group)
      implements Event {
    public Reserved(String environmentId, String nodeId, Resources resources, List<String> gpuUuids) {
      this(environmentId, nodeId, resources, gpuUuids, null, null);
    }

    public Reserved(String environmentId, String nodeId, Resources resources, List<String> gpuUuids, String reason) {
      this(environmentId, nodeId, resources, gpuUuids, reason, null);
    }
  }

  public record Enqueued(PlacementRequest request) implements Event {}

  /**
   * One round's decisions as one event: one journal row and one serialization for a whole batch,
   * where a row per decision made the journal's per-event work (binding, batching, Cassandra's
   * writes) most of a placement's cost. The queue entries are in arrival order. Journals written
   * before hold the single {@link Reserved} and {@link Enqueued} events, still read.
   */
  public record PlacementsDecided(List<Reserved> reserved, List<Enqueued> enqueued) implements Event {
    boolean isEmpty() {
      return size() == 0;
    }

    int size() {
      return reserved.size() + enqueued.size();
    }
  }

  public record Released(String environmentId) implements Event {}

  public record NodeCordoned(String nodeId) implements Event {}

  public record NodeUncordoned(String nodeId) implements Event {}

  public record NodeDrainStarted(String nodeId) implements Event {}

  /** The node's process left the cluster: its reservations go (its environments are re-placed). */
  public record NodeLost(String nodeId) implements Event {}

  public record LossConfirmed(String environmentId) implements Event {}

  /** {@code group}: as {@link Reserved#group}. */
  public record Reservation(String nodeId, Resources resources, List<String> gpuUuids, String group)
      implements CborSerializable {}

  // ---------------------------------------------------------------- wiring

  /** {@code answers} delivers the scheduler's answers to the environments (see {@link PlacementAnswer.Route}). */
  public static Behavior<Command> create(SchedulerSettings settings, PlacementAnswer.Route answers) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        DistributedData.withReplicatorMessageAdapter(
            (ReplicatorMessageAdapter<Command, LWWMap<String, NodeStatus>> replicator) -> {
              @SuppressWarnings("unchecked") // Pekko's adapters are keyed by the response's erased class
              Class<Replicator.GetResponse<LWWMap<String, NodeStatus>>> getResponse =
                  (Class<Replicator.GetResponse<LWWMap<String, NodeStatus>>>) (Class<?>) Replicator.GetResponse.class;
              NodeGossipReader gossip = new NodeGossipReader(DistributedData.get(context.getSystem()).replicator(),
                  context.messageAdapter(getResponse, NodeGossipRead::new));
              Cluster cluster = Cluster.get(context.getSystem());
              cluster.subscriptions().tell(Subscribe.create(
                  context.messageAdapter(ClusterEvent.MemberEvent.class, MembershipChanged::new), ClusterEvent.MemberEvent.class));
              cluster.subscriptions().tell(Subscribe.create(
                  context.messageAdapter(ClusterEvent.ReachabilityEvent.class, MembershipChanged::new),
                  ClusterEvent.ReachabilityEvent.class));
              GossipedNodes nodes = new GossipedNodes(new NodeMembership(
                  cluster.state().getMembers(), cluster.state().getUnreachable()));
              return new SchedulerBehavior(context, timers, settings, answers, replicator, gossip, nodes);
            })));
  }

  private Scheduler() {}
}
