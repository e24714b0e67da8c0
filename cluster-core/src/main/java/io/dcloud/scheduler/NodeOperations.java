package io.dcloud.scheduler;

import io.dcloud.node.NodeGossip;
import io.dcloud.node.NodeStatus;
import io.dcloud.scheduler.Scheduler.CheckLostNodes;
import io.dcloud.scheduler.Scheduler.Command;
import io.dcloud.scheduler.Scheduler.ConfirmLoss;
import io.dcloud.scheduler.Scheduler.Drain;
import io.dcloud.scheduler.Scheduler.Event;
import io.dcloud.scheduler.Scheduler.GossipUpdated;
import io.dcloud.scheduler.Scheduler.LossConfirmed;
import io.dcloud.scheduler.Scheduler.NodeAnswer;
import io.dcloud.scheduler.Scheduler.NodeCordoned;
import io.dcloud.scheduler.Scheduler.NodeDrainStarted;
import io.dcloud.scheduler.Scheduler.NodeLost;
import io.dcloud.scheduler.Scheduler.ResendLosses;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.persistence.typed.javadsl.EffectFactories;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * What the {@link SchedulerBehavior} does about nodes, apart from placing on them: an operator's
 * cordon, uncordon and drain, and a node's loss (found by membership or by its stale gossip), told
 * to each of its environments until they confirm it.
 */
final class NodeOperations {
  private final ActorContext<Command> context;
  private final SchedulerSettings settings;
  private final PlacementAnswer.Route answers;
  private final ReplicatorMessageAdapter<Command, LWWMap<String, NodeStatus>> replicator;
  private final GossipedNodes nodes;
  private final EffectFactories<Event, SchedulerState> effects;
  /** The behavior's: wakes the queue once a change may have made room. */
  private final Consumer<SchedulerState> placeQueuedSoon;

  NodeOperations(
      ActorContext<Command> context,
      SchedulerSettings settings,
      PlacementAnswer.Route answers,
      ReplicatorMessageAdapter<Command, LWWMap<String, NodeStatus>> replicator,
      GossipedNodes nodes,
      EffectFactories<Event, SchedulerState> effects,
      Consumer<SchedulerState> placeQueuedSoon) {
    this.context = context;
    this.settings = settings;
    this.answers = answers;
    this.replicator = replicator;
    this.nodes = nodes;
    this.effects = effects;
    this.placeQueuedSoon = placeQueuedSoon;
  }

  /** Cordons or uncordons ({@code event}) a node the scheduler knows; a cordon lifted may make room for the queue. */
  ReplyEffect<Event, SchedulerState> mark(String nodeId, Event event, ActorRef<NodeAnswer> replyTo) {
    if (!nodes.knows(nodeId)) {
      return effects.reply(replyTo, new NodeAnswer(nodeId, null));
    }
    context.getLog().info("Scheduler: node {} {}", nodeId, event instanceof NodeCordoned ? "cordoned" : "uncordoned");
    return effects.persist(event)
        .thenRun(placeQueuedSoon::accept)
        .thenReply(replyTo, after -> new NodeAnswer(nodeId, nodes.view(after, nodes.get(nodeId))));
  }

  /** Cordons the node and asks each of its environments to move; each releases its place once its container is gone. */
  ReplyEffect<Event, SchedulerState> drain(SchedulerState state, Drain cmd) {
    String nodeId = cmd.nodeId();
    if (!nodes.knows(nodeId)) {
      return effects.reply(cmd.replyTo(), new NodeAnswer(nodeId, null));
    }
    List<String> moving = state.environmentsOn(nodeId);
    context.getLog().info("Scheduler: draining node {}: moving {} environments", nodeId, moving.size());
    return effects.persist(new NodeDrainStarted(nodeId))
        .thenRun(after -> moving.forEach(id -> answers.tell(id, new PlacementAnswer.MoveOff(nodeId))))
        .thenReply(cmd.replyTo(), after -> new NodeAnswer(nodeId, nodes.view(after, nodes.get(nodeId))));
  }

  /** Periodically: finds nodes whose process is gone, and repeats the request to move off a draining node. */
  ReplyEffect<Event, SchedulerState> checkLostNodes(SchedulerState state, CheckLostNodes tick) {
    state.draining().forEach(nodeId ->
        state.environmentsOn(nodeId).forEach(id -> answers.tell(id, new PlacementAnswer.MoveOff(nodeId))));
    return loseNodes(state, nodes.lost(settings.lostNodeStaleAfter()));
  }

  /**
   * Repeats the loss of their node to environments that have not confirmed it. Often: the first
   * news goes out as the node is downed, while the shards it hosted are still moving, and an
   * environment whose shard was there only hears a repeat once its shard lives again.
   */
  ReplyEffect<Event, SchedulerState> resendLosses(SchedulerState state, ResendLosses tick) {
    state.unconfirmedLosses().forEach((id, nodeId) -> answers.tell(id, new PlacementAnswer.NodeGone(nodeId)));
    return effects.noReply();
  }

  /** An environment heard of its node's loss: it is no longer told again. */
  ReplyEffect<Event, SchedulerState> confirmLoss(SchedulerState state, ConfirmLoss cmd) {
    return state.unconfirmedLosses().containsKey(cmd.environmentId())
        ? effects.persist(new LossConfirmed(cmd.environmentId())).thenNoReply()
        : effects.noReply();
  }

  /**
   * The nodes' processes are gone and their containers with them: forget their reservations, tell
   * their environments (which re-place themselves per their restart policy) and drop them from
   * the gossip so no one places there again. A node that comes back gossips anew.
   */
  ReplyEffect<Event, SchedulerState> loseNodes(SchedulerState state, List<String> lost) {
    if (lost.isEmpty()) {
      return effects.noReply();
    }
    Map<String, List<String>> environments = new LinkedHashMap<>();
    lost.forEach(nodeId -> environments.put(nodeId, state.environmentsOn(nodeId)));
    List<Event> events = new ArrayList<>(lost.stream().map(NodeLost::new).toList());
    for (String nodeId : lost) {
      context.getLog().warn("Scheduler: node {} is lost with {} environments", nodeId, environments.get(nodeId).size());
      nodes.markDown(nodeId);
      replicator.askUpdate(
          replyTo -> new Replicator.Update<>(NodeGossip.keyFor(nodeId), LWWMap.empty(), Replicator.writeLocal(), replyTo,
              map -> map.remove(DistributedData.get(context.getSystem()).selfUniqueAddress(), nodeId)),
          response -> GossipUpdated.INSTANCE);
    }
    return effects.persist(events)
        .thenRun(after -> environments.forEach((nodeId, ids) ->
            ids.forEach(id -> answers.tell(id, new PlacementAnswer.NodeGone(nodeId)))))
        .thenNoReply();
  }
}
