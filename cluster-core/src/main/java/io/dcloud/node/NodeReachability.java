package io.dcloud.node;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a node's process answers, as this process's failure detector sees it, for callers that
 * choose among nodes (the gateway choosing a service's replica) and should not wait for a try to
 * time out on a node that is gone. Learnt from the receptionist: its listing of a node's actor
 * leaves out an instance on an unreachable member, and loses it when the member is removed. A
 * node is watched from the first question about it; until its listing arrives it counts as
 * reachable, and so does a node whose actor was never registered (this process knows nothing
 * against it). One per actor system.
 */
public final class NodeReachability implements Extension, NodeWatch {
  private static final Logger log = LoggerFactory.getLogger(NodeReachability.class);

  private final Set<String> watched = ConcurrentHashMap.newKeySet();
  private final Set<String> unavailable = ConcurrentHashMap.newKeySet();
  private final Map<String, Set<Runnable>> onLoss = new ConcurrentHashMap<>();
  private final Set<Consumer<String>> removalListeners = ConcurrentHashMap.newKeySet();
  private final AtomicBoolean removalsSubscribed = new AtomicBoolean();
  private final ActorSystem<?> system;
  private final Executor executor;
  private final ActorRef<Command> watcher;

  private NodeReachability(ActorSystem<?> system) {
    this.system = system;
    this.executor = system.executionContext();
    this.watcher = system.systemActorOf(watching(), "node-reachability", Props.empty());
    Gauge.builder("dcloud.reachability.unreachable.nodes", unavailable, Set::size)
        .description("Nodes this process was asked about (e.g. a service replica's) that its failure detector "
            + "calls unreachable or that left the cluster")
        .register(Metrics.globalRegistry);
  }

  public static NodeReachability get(ActorSystem<?> system) {
    return Id.INSTANCE.apply(system);
  }

  /** False while the node's actor is known only on an unreachable member, or since it left the cluster. */
  @Override
  public boolean reachable(String nodeId) {
    if (watched.add(nodeId)) {
      watcher.tell(new Watch(nodeId));
    }
    return !unavailable.contains(nodeId);
  }

  /**
   * Runs {@code lost} once, on the actor system's dispatcher, when the node becomes unreachable or
   * leaves -- at once if it already is -- unless the returned cancel is run first (the caller's own
   * call ended). The gateway uses it to give up a try on a replica whose machine died.
   */
  @Override
  public Runnable whenUnreachable(String nodeId, Runnable lost) {
    Set<Runnable> waiting = onLoss.computeIfAbsent(nodeId, id -> ConcurrentHashMap.newKeySet());
    waiting.add(lost);
    if (!reachable(nodeId) && waiting.remove(lost)) {
      executor.execute(lost);
    }
    return () -> waiting.remove(lost);
  }

  /** Subscribes to the cluster's removals at the first caller (a process without a cluster has none to ask). */
  @Override
  public Runnable whenMembersRemoved(Consumer<String> removed) {
    removalListeners.add(removed);
    if (removalsSubscribed.compareAndSet(false, true)) {
      ActorRef<ClusterEvent.MemberRemoved> listener = system.systemActorOf(
          Behaviors.receiveMessage(gone -> {
            String address = gone.member().address().toString();
            removalListeners.forEach(each -> executor.execute(() -> each.accept(address)));
            return Behaviors.same();
          }), "member-removals", Props.empty());
      Cluster.get(system).subscriptions().tell(Subscribe.create(listener, ClusterEvent.MemberRemoved.class));
    }
    return () -> removalListeners.remove(removed);
  }

  private void lost(String nodeId) {
    Set<Runnable> waiting = onLoss.get(nodeId);
    if (waiting != null) {
      for (Runnable lost : waiting) {
        if (waiting.remove(lost)) {
          executor.execute(lost);
        }
      }
    }
  }

  sealed interface Command extends NoSerializationVerificationNeeded {}

  private record Watch(String nodeId) implements Command {}

  private record ListingChanged(Receptionist.Listing listing) implements Command {}

  private Behavior<Command> watching() {
    return Behaviors.setup(context -> {
      ActorRef<Receptionist.Listing> listings = context.messageAdapter(Receptionist.Listing.class, ListingChanged::new);
      Set<String> registered = new HashSet<>();
      return Behaviors.receive(Command.class)
          .onMessage(Watch.class, watch -> {
            context.getSystem().receptionist().tell(Receptionist.subscribe(NodeProtocol.serviceKey(watch.nodeId()), listings));
            return Behaviors.same();
          })
          .onMessage(ListingChanged.class, changed -> {
            String nodeId = NodeProtocol.nodeIdOf(changed.listing().getKey());
            var key = NodeProtocol.serviceKey(nodeId);
            boolean answering = !changed.listing().getServiceInstances(key).isEmpty();
            if (!changed.listing().getAllServiceInstances(key).isEmpty()) {
              registered.add(nodeId);
            }
            if (answering || !registered.contains(nodeId)) {
              if (unavailable.remove(nodeId)) {
                log.info("node {} is reachable again", nodeId);
              }
            } else if (unavailable.add(nodeId)) {
              log.info("node {} is unreachable or gone: calls choose other nodes", nodeId);
              lost(nodeId);
            }
            return Behaviors.same();
          })
          .build();
    });
  }

  /** The extension's id: {@link #get} creates the one instance of an actor system. */
  public static final class Id extends ExtensionId<NodeReachability> {
    private static final Id INSTANCE = new Id();

    private Id() {}

    @Override
    public NodeReachability createExtension(ActorSystem<?> system) {
      return new NodeReachability(system);
    }
  }
}
