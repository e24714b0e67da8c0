package io.dcloud.environment;

import io.dcloud.environment.EnvironmentEntity.Event;
import io.dcloud.environment.EnvironmentEntity.PlacedOnNode;
import io.dcloud.environment.EnvironmentEntity.PlacementRefused;
import io.dcloud.environment.EnvironmentEntity.QueuedForCapacity;
import io.dcloud.environment.EnvironmentEntity.RelocationRequested;
import io.dcloud.node.NodeProtocol;
import io.dcloud.scheduler.PlacementAnswer;
import io.dcloud.scheduler.Scheduler;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * What an environment entity does with the scheduler's word about its place ({@link
 * EnvironmentEntity.FromScheduler}): granted, queued, refused, its node gone, or asked to move off
 * a draining node. Static: nothing here is kept per entity.
 */
final class SchedulerAnswers {
  private SchedulerAnswers() {}

  static ReplyEffect<Event, EnvironmentState> on(EnvironmentBehavior entity, EnvironmentState state, PlacementAnswer answer) {
    Instant at = entity.now();
    if (answer instanceof PlacementAnswer.Granted granted) {
      return onGranted(entity, state, granted);
    } else if (answer instanceof PlacementAnswer.Waiting waiting) {
      boolean moved = Transitions.waitingForPlace(state) && !Integer.valueOf(waiting.position()).equals(state.queuePosition());
      return moved ? entity.persist(new QueuedForCapacity(waiting.position(), waiting.reason(), at)) : entity.effects().noReply();
    } else if (answer instanceof PlacementAnswer.Refused refused) {
      return Transitions.waitingForPlace(state) ? entity.persist(new PlacementRefused(refused.reason(), at)) : entity.effects().noReply();
    } else if (answer instanceof PlacementAnswer.NodeGone gone) {
      return onNodeGone(entity, state, gone);
    } else if (answer instanceof PlacementAnswer.MoveOff move) {
      boolean applies = move.nodeId().equals(state.node()) && state.status() != EnvironmentStatus.STOPPING;
      return applies ? entity.persist(new RelocationRequested(move.nodeId(), at)) : entity.effects().noReply();
    }
    return entity.effects().noReply();
  }

  private static ReplyEffect<Event, EnvironmentState> onGranted(
      EnvironmentBehavior entity, EnvironmentState state, PlacementAnswer.Granted granted) {
    if (Transitions.waitingForPlace(state)) {
      // The scheduler's reservation is already durable, so the node starts while the place is
      // recorded: after a crash the entity asks again, gets the same place, and the node's repeated
      // deploy finds the container it made.
      PlacedOnNode placed = new PlacedOnNode(granted.nodeId(), granted.gpuUuids(), entity.now(), granted.reason());
      Convergence.toNode(entity.wiring(), granted.nodeId(),
          new NodeProtocol.Deploy(entity.environmentId(), state.spec(), state.recipe(), granted.gpuUuids(), state.owner()));
      return entity.effects().persist(placed).thenRun(next -> entity.loop().announce(next, List.of(placed))).thenNoReply();
    }
    boolean holdsThatPlace = Transitions.HOLDING_A_PLACE.contains(state.status()) && granted.nodeId().equals(state.node());
    // Stopped, failed or deleted while the scheduler was deciding: give the place back.
    return holdsThatPlace ? entity.effects().noReply() : entity.release();
  }

  /**
   * The loss is confirmed to the scheduler only once it is recorded: were it confirmed first and
   * the write failed, the environment would stay RUNNING on a dead node, and no one would say so again.
   */
  private static ReplyEffect<Event, EnvironmentState> onNodeGone(
      EnvironmentBehavior entity, EnvironmentState state, PlacementAnswer.NodeGone gone) {
    Scheduler.ConfirmLoss confirm = new Scheduler.ConfirmLoss(entity.environmentId());
    List<Event> events = Transitions.nodeGone(state, gone.nodeId(), entity.now());
    if (events.isEmpty()) {
      entity.wiring().scheduler().tell(confirm);
      return entity.effects().noReply();
    }
    entity.context().getLog().warn("Environment {} lost with node {}{}", entity.environmentId(), gone.nodeId(),
        events.size() > 1 ? ": re-placing" : "");
    return entity.effects().persist(events).thenRun(after -> {
      entity.loop().afterPersist(after, events);
      entity.wiring().scheduler().tell(confirm);
    }).thenNoReply();
  }
}
