package io.dcloud.scheduler;

import io.dcloud.node.NodeStatus;
import io.dcloud.scheduler.Scheduler.CheckFeasible;
import io.dcloud.scheduler.Scheduler.CheckLostNodes;
import io.dcloud.scheduler.Scheduler.Command;
import io.dcloud.scheduler.Scheduler.ConfirmLoss;
import io.dcloud.scheduler.Scheduler.Cordon;
import io.dcloud.scheduler.Scheduler.Drain;
import io.dcloud.scheduler.Scheduler.Enqueued;
import io.dcloud.scheduler.Scheduler.Event;
import io.dcloud.scheduler.Scheduler.Feasibility;
import io.dcloud.scheduler.Scheduler.GetNodes;
import io.dcloud.scheduler.Scheduler.GetReservations;
import io.dcloud.scheduler.Scheduler.GossipUpdated;
import io.dcloud.scheduler.Scheduler.LossConfirmed;
import io.dcloud.scheduler.Scheduler.MembershipChanged;
import io.dcloud.scheduler.Scheduler.NodeCordoned;
import io.dcloud.scheduler.Scheduler.NodeDrainStarted;
import io.dcloud.scheduler.Scheduler.NodeLost;
import io.dcloud.scheduler.Scheduler.NodeUncordoned;
import io.dcloud.scheduler.Scheduler.NodeGossipRead;
import io.dcloud.scheduler.Scheduler.Place;
import io.dcloud.scheduler.Scheduler.PlacePending;
import io.dcloud.scheduler.Scheduler.PlaceQueued;
import io.dcloud.scheduler.Scheduler.PlacementsDecided;
import io.dcloud.scheduler.Scheduler.ReadNodeGossip;
import io.dcloud.scheduler.Scheduler.Preview;
import io.dcloud.scheduler.Scheduler.Release;
import io.dcloud.scheduler.Scheduler.Released;
import io.dcloud.scheduler.Scheduler.ResendLosses;
import io.dcloud.scheduler.Scheduler.ResendWakeUps;
import io.dcloud.scheduler.Scheduler.Reservation;
import io.dcloud.scheduler.Scheduler.Reservations;
import io.dcloud.scheduler.Scheduler.Reserved;
import io.dcloud.scheduler.Scheduler.ResizeReservation;
import io.dcloud.scheduler.Scheduler.SnapshotStoreAnswered;
import io.dcloud.scheduler.Scheduler.StoreSnapshot;
import io.dcloud.scheduler.Scheduler.Uncordon;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotAdapter;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The {@link Scheduler}'s behaviour: how it places, answers, tracks nodes and recovers. Its
 * protocol and persisted events are declared in {@link Scheduler}, where their class names
 * (stored in the journal) have always been.
 */
final class SchedulerBehavior extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, SchedulerState> {
  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final SchedulerSettings settings;
  private final PlacementAnswer.Route answers;
  private final NodeGossipReader gossip;
  private final GossipedNodes nodes;
  /**
   * Place requests received but not decided yet. They are decided together and their decisions
   * persisted in one write, so the journal's latency is paid once per batch, not once per request.
   * Not persisted: an entity re-sends its request until it hears back.
   */
  private final Map<String, PlacementRequest> pending = new LinkedHashMap<>();
  private final WakeUps wakeUps;
  private final BackgroundSnapshots snapshots;
  private final NodeOperations operations;

  SchedulerBehavior(
      ActorContext<Command> context,
      TimerScheduler<Command> timers,
      SchedulerSettings settings,
      PlacementAnswer.Route answers,
      ReplicatorMessageAdapter<Command, LWWMap<String, NodeStatus>> replicator,
      NodeGossipReader gossip,
      GossipedNodes nodes) {
    super(Scheduler.PERSISTENCE_ID, settings.journalBackoff());
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.snapshots = new BackgroundSnapshots(context, Scheduler.PERSISTENCE_ID, new SnapshotPolicy(settings.snapshotEvery()));
    this.answers = answers;
    this.gossip = gossip;
    this.nodes = nodes;
    this.wakeUps = new WakeUps(context.getSelf(), settings.wakeUpResendInterval());
    this.operations = new NodeOperations(context, settings, answers, replicator, nodes, Effect(), this::placeQueuedSoon);
  }

  @Override
  public SchedulerState emptyState() {
    return new SchedulerState();
  }

  /** Reads the snapshots back on recovery ({@link BackgroundSnapshots} writes them). */
  @Override
  public SnapshotAdapter<SchedulerState> snapshotAdapter() {
    return SchedulerSnapshot.ADAPTER;
  }

  /**
   * Never Pekko's snapshot, which would stop the scheduler while it is stored: {@link
   * BackgroundSnapshots} copies the state here when one is due and stores it without stopping.
   */
  @Override
  public boolean shouldSnapshot(SchedulerState state, Event event, long sequenceNr) {
    snapshots.afterEvent(state, event instanceof PlacementsDecided decided ? decided.size() : 1, sequenceNr);
    return false;
  }

  @Override
  public SignalHandler<SchedulerState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          context.getLog().info(
              "Scheduler recovered: {} reservations, {} queued", state.reservationCount(), state.queue().size());
          snapshots.recovered(state.size(), lastSequenceNumber(context));
          startTimers();
        })
        .build();
  }

  /**
   * On every recovery, not once at creation: a journal failure restarts the scheduler (see {@link
   * io.dcloud.journal.JournalBackoff}), and Pekko's restart cancels the actor's timers.
   */
  private void startTimers() {
    timers.startTimerWithFixedDelay(ReadNodeGossip.INSTANCE, settings.nodeGossipReadInterval());
    context.getSelf().tell(ReadNodeGossip.INSTANCE);
    timers.startTimerWithFixedDelay(CheckLostNodes.INSTANCE, settings.lostNodeCheckInterval());
    timers.startTimerWithFixedDelay(ResendLosses.INSTANCE, settings.lossResendInterval());
    timers.startTimerWithFixedDelay(ResendWakeUps.INSTANCE, settings.wakeUpResendInterval());
  }

  @Override
  public CommandHandlerWithReply<Command, Event, SchedulerState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Place.class, this::onPlace)
        .onCommand(PlacePending.class, this::onPlacePending)
        .onCommand(PlaceQueued.class, this::onPlaceQueued)
        .onCommand(ResendWakeUps.class, this::onResendWakeUps)
        .onCommand(Release.class, this::onRelease)
        .onCommand(ResizeReservation.class, this::onResizeReservation)
        .onCommand(ReadNodeGossip.class, read -> {
          gossip.readAll();
          return Effect().noReply();
        })
        .onCommand(NodeGossipRead.class, this::onNodeGossipRead)
        .onCommand(GossipUpdated.class, updated -> Effect().noReply())
        .onCommand(GetNodes.class, (state, cmd) -> Effect().reply(cmd.replyTo(), nodes.view(state)))
        .onCommand(Cordon.class, (state, cmd) -> operations.mark(cmd.nodeId(), new NodeCordoned(cmd.nodeId()), cmd.replyTo()))
        .onCommand(Uncordon.class, (state, cmd) -> operations.mark(cmd.nodeId(), new NodeUncordoned(cmd.nodeId()), cmd.replyTo()))
        .onCommand(Drain.class, operations::drain)
        .onCommand(MembershipChanged.class, (state, changed) ->
            operations.loseNodes(state, nodes.membershipChanged(changed.event())))
        .onCommand(CheckLostNodes.class, operations::checkLostNodes)
        .onCommand(ResendLosses.class, operations::resendLosses)
        .onCommand(ConfirmLoss.class, operations::confirmLoss)
        .onCommand(CheckFeasible.class, (state, cmd) -> Effect().reply(cmd.replyTo(), feasibility(state, cmd.request())))
        .onCommand(Preview.class, (state, cmd) -> Effect().reply(
            cmd.replyTo(), new PlacementRound(state, nodes, settings).preview(cmd.request())))
        .onCommand(GetReservations.class, (state, cmd) -> Effect().reply(
            cmd.replyTo(), new Reservations(cmd.nodeId(), state.environmentsOn(cmd.nodeId()))))
        .onCommand(StoreSnapshot.class, cmd -> {
          snapshots.storeIfWritten(lastSequenceNumber(context));
          return Effect().noReply();
        })
        .onCommand(SnapshotStoreAnswered.class, (state, answered) -> {
          snapshots.answered(answered.answer(), state, lastSequenceNumber(context));
          return Effect().noReply();
        })
        .build();
  }

  // ---------------------------------------------------------------- placing

  private ReplyEffect<Event, SchedulerState> onPlace(SchedulerState state, Place cmd) {
    String id = cmd.request().environmentId();
    Reservation held = state.reservation(id);
    if (held != null && !held.resources().equals(cmd.request().resources())) {
      // Resized (and restarted): its place is given back, then decided anew at its new size (pinned to its node).
      context.getLog().info("Scheduler: environment {} asks for other resources than it holds on node {}: placing it anew",
          id, held.nodeId());
      return Effect().persist(new Released(id)).thenRun(after -> {
        pending.put(id, cmd.request());
        wakeUps.send(PlacePending.INSTANCE);
      }).thenNoReply();
    }
    if (!answerKnown(state, id)) {
      pending.put(id, cmd.request());
      wakeUps.send(PlacePending.INSTANCE);
    }
    return Effect().noReply();
  }

  /** Tells an environment that already has a place or a queue slot about it; false when it has neither. */
  private boolean answerKnown(SchedulerState state, String id) {
    Reservation existing = state.reservation(id);
    if (existing != null) {
      answers.tell(id, new PlacementAnswer.Granted(existing.nodeId(), existing.gpuUuids()));
      return true;
    }
    int position = state.queuePosition(id);
    if (position > 0) {
      answers.tell(id, new PlacementAnswer.Waiting(position, "waiting for capacity"));
      return true;
    }
    return false;
  }

  /**
   * Decides up to max-placements-per-batch pending requests in arrival order against capacity
   * minus what this batch already took, then persists every decision in one write.
   */
  private ReplyEffect<Event, SchedulerState> onPlacePending(SchedulerState state, PlacePending wakeUp) {
    wakeUps.arrived(wakeUp);
    PlacementRound.Batch batch = new PlacementRound(state, nodes, settings)
        .decideBatch(pending.values().iterator(), settings.maxPlacementsPerBatch(), id -> answerKnown(state, id));
    batch.refused().forEach((id, reason) -> {
      context.getLog().info("Scheduler refuses environment {}: {}", id, reason);
      PlacementCounts.count("refused");
      answers.tell(id, new PlacementAnswer.Refused(reason));
    });
    PlacementsDecided decided = batch.decided();
    if (!pending.isEmpty()) {
      wakeUps.send(PlacePending.INSTANCE);
    }
    if (decided.isEmpty()) {
      return Effect().noReply();
    }
    return Effect().persist(decided).thenRun(after -> {
      announce(decided.reserved());
      batch.queued().forEach((id, reason) -> answers.tell(id, new PlacementAnswer.Waiting(after.queuePosition(id), reason)));
    }).thenNoReply();
  }

  /** Capacity freed or a node came: places what it can from the queue (see {@link PlacementRound#fromQueue}). */
  private ReplyEffect<Event, SchedulerState> onPlaceQueued(SchedulerState state, PlaceQueued wakeUp) {
    wakeUps.arrived(wakeUp);
    List<Reserved> placements = new PlacementRound(state, nodes, settings).fromQueue();
    if (placements.isEmpty()) {
      return Effect().noReply();
    }
    return Effect().persist(new PlacementsDecided(placements, List.of())).thenRun(after -> announce(placements)).thenNoReply();
  }

  private ReplyEffect<Event, SchedulerState> onRelease(SchedulerState state, Release cmd) {
    String id = cmd.environmentId();
    if (state.reservation(id) == null && state.queuePosition(id) == 0) {
      return Effect().noReply();
    }
    return Effect().persist(new Released(id)).thenRun(this::placeQueuedSoon).thenNoReply();
  }

  /** See {@link ReservationResize}; a reservation that shrank leaves room the queue may take. */
  private ReplyEffect<Event, SchedulerState> onResizeReservation(SchedulerState state, ResizeReservation cmd) {
    ReservationResize.Decision decision = ReservationResize.decide(state, nodes, cmd.environmentId(), cmd.resources());
    ReservationResize.count(decision.answer().outcome());
    if (decision.reserved() == null) {
      return Effect().reply(cmd.replyTo(), decision.answer());
    }
    context.getLog().info("Scheduler: environment {} holds {} on node {} from now on", cmd.environmentId(),
        cmd.resources().describeRunning(), decision.reserved().nodeId());
    return Effect().persist(decision.reserved()).thenRun(this::placeQueuedSoon).thenReply(cmd.replyTo(), after -> decision.answer());
  }

  private void placeQueuedSoon(SchedulerState state) {
    if (!state.queue().isEmpty()) {
      wakeUps.send(PlaceQueued.INSTANCE);
    }
  }

  private ReplyEffect<Event, SchedulerState> onResendWakeUps(SchedulerState state, ResendWakeUps tick) {
    snapshots.storeIfWritten(lastSequenceNumber(context));
    int resent = wakeUps.resendLost();
    if (resent > 0) {
      context.getLog().info("Scheduler: sent {} lost wake-ups again ({} requests pending)", resent, pending.size());
    }
    return Effect().noReply();
  }

  private ReplyEffect<Event, SchedulerState> onNodeGossipRead(SchedulerState state, NodeGossipRead read) {
    Map<String, NodeStatus> changed = gossip.changed(read.response());
    if (changed != null) {
      nodes.partChanged(read.response().key(), changed, settings.lostNodeStaleAfter());
      placeQueuedSoon(state);
    }
    return Effect().noReply();
  }

  private void announce(List<Reserved> placements) {
    for (Reserved reserved : placements) {
      // DEBUG: the hot path; each environment logs its own placement (Convergence, at INFO).
      if (context.getLog().isDebugEnabled()) {
        context.getLog().debug(
            "Scheduler placed environment {} on node {}{}{}", reserved.environmentId(), reserved.nodeId(),
            reserved.gpuUuids().isEmpty() ? "" : " with GPUs " + reserved.gpuUuids(),
            reserved.reason() == null ? "" : ": it " + reserved.reason());
      }
      answers.tell(reserved.environmentId(),
          new PlacementAnswer.Granted(reserved.nodeId(), reserved.gpuUuids(), reserved.reason()));
      PlacementCounts.count("placed");
    }
  }

  private Feasibility feasibility(SchedulerState state, PlacementRequest request) {
    PlacementDecision decision = new PlacementRound(state, nodes, settings).feasibility(request);
    return new Feasibility(decision instanceof PlacementDecision.Never never ? never.reason() : null);
  }

  @Override
  public EventHandler<SchedulerState, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(Reserved.class, SchedulerState::reserve)
        .onEvent(Enqueued.class, (state, e) -> state.enqueue(e.request()))
        .onEvent(PlacementsDecided.class, SchedulerState::decided)
        .onEvent(Released.class, (state, e) -> state.release(e.environmentId()))
        .onEvent(NodeCordoned.class, (state, e) -> state.cordon(e.nodeId()))
        .onEvent(NodeUncordoned.class, (state, e) -> state.uncordon(e.nodeId()))
        .onEvent(NodeDrainStarted.class, (state, e) -> state.drain(e.nodeId()))
        .onEvent(NodeLost.class, (state, e) -> state.lose(e.nodeId()))
        .onEvent(LossConfirmed.class, (state, e) -> state.lossConfirmed(e.environmentId()))
        .build();
  }
}
