package io.dcloud.node;

import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * Delivers commands to NodeActors by node id, one per process for every environment in it. It
 * subscribes to the receptionist for each node it is asked about, so it always holds the node's
 * current actor (a restarted node is known again as soon as it registers) and a hundred thousand
 * environments never ask the receptionist themselves.
 *
 * <p>Commands for a node whose actor is not known are dropped (after the first subscription, held
 * until the receptionist answers): node commands are idempotent and environments re-send them
 * until the node reports. Asks for stats or logs are answered at once with "not reachable".
 */
public final class NodeLocator {
  private NodeLocator() {}

  /** How many commands per node wait for the receptionist's first answer (the oldest go first). */
  private static final int HELD_PER_NODE = 1_000;

  public sealed interface Command extends NoSerializationVerificationNeeded {}

  /** Deliver {@code command} to node {@code nodeId}'s actor. */
  public record Send(String nodeId, NodeProtocol.Command command) implements Command {}

  private record ListingChanged(Receptionist.Listing listing) implements Command {}

  public static Behavior<Command> create() {
    return Behaviors.setup(context -> new Locating(context).behavior());
  }

  private static final class Locating {
    private final ActorContext<Command> context;
    private final ActorRef<Receptionist.Listing> listings;
    private final Map<String, ActorRef<NodeProtocol.Command>> known = new HashMap<>();
    private final Set<String> subscribed = new HashSet<>();
    private final Map<String, Deque<NodeProtocol.Command>> held = new HashMap<>();

    Locating(ActorContext<Command> context) {
      this.context = context;
      this.listings = context.messageAdapter(Receptionist.Listing.class, ListingChanged::new);
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Send.class, this::onSend)
          .onMessage(ListingChanged.class, this::onListingChanged)
          .build();
    }

    private Behavior<Command> onSend(Send send) {
      ActorRef<NodeProtocol.Command> node = known.get(send.nodeId());
      if (node != null) {
        node.tell(send.command());
      } else if (subscribed.add(send.nodeId())) {
        hold(send.nodeId(), send.command());
        context.getSystem().receptionist().tell(Receptionist.subscribe(NodeProtocol.serviceKey(send.nodeId()), listings));
      } else if (held.containsKey(send.nodeId())) {
        hold(send.nodeId(), send.command());
      } else {
        unreachable(send.nodeId(), send.command());
      }
      return Behaviors.same();
    }

    private void hold(String nodeId, NodeProtocol.Command command) {
      Deque<NodeProtocol.Command> queue = held.computeIfAbsent(nodeId, id -> new ArrayDeque<>());
      if (queue.size() == HELD_PER_NODE) {
        unreachable(nodeId, queue.removeFirst());
      }
      queue.addLast(command);
    }

    private Behavior<Command> onListingChanged(ListingChanged changed) {
      String nodeId = NodeProtocol.nodeIdOf(changed.listing().getKey());
      var instances = changed.listing().getServiceInstances(NodeProtocol.serviceKey(nodeId));
      Deque<NodeProtocol.Command> waiting = held.remove(nodeId);
      if (instances.isEmpty()) {
        known.remove(nodeId);
        context.getLog().debug("Node {} is not registered (now)", nodeId);
        if (waiting != null) {
          waiting.forEach(command -> unreachable(nodeId, command));
        }
        return Behaviors.same();
      }
      ActorRef<NodeProtocol.Command> node = instances.iterator().next();
      known.put(nodeId, node);
      if (waiting != null) {
        waiting.forEach(node::tell);
      }
      return Behaviors.same();
    }

    /** Entities re-send what they need; only asks wait for an answer, so they get one now. */
    private static void unreachable(String nodeId, NodeProtocol.Command command) {
      String reason = "node " + nodeId + " is not reachable";
      if (command instanceof NodeProtocol.GetStats stats) {
        stats.replyTo().tell(new NodeProtocol.StatsUnavailable(reason));
      } else if (command instanceof NodeProtocol.StreamLogs logs) {
        logs.replyTo().tell(new NodeProtocol.LogsUnavailable(reason));
      }
    }
  }
}
