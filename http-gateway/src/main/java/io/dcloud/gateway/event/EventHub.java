package io.dcloud.gateway.event;

import io.dcloud.ask.Asks;
import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.EnvironmentState;
import io.dcloud.gateway.common.GatewayBackends;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.ProxySettings;
import io.dcloud.gateway.environment.EnvironmentJson;
import io.dcloud.gateway.identity.Authentication;
import io.dcloud.gateway.node.NodeJson;
import io.dcloud.identity.Caller;
import io.dcloud.scheduler.NodeView;
import io.dcloud.scheduler.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;

/**
 * One gateway's event stream ({@code GET /events}): it is fed once — by the gateway's environment
 * directory (every change it applies) and, while a configurer or admin follows, by polling the
 * scheduler's nodes (state changes) — keeps
 * the recent events in an {@link EventLog}, and fans each out to the connected clients that may see
 * it. Each client has a bounded queue: one that falls behind is disconnected, so a slow reader never
 * holds the gateway back. Subscribing, replaying what a client missed and joining the live feed
 * happen in one message, so a resumed stream has no gap and no repeat. Node changes are only seen
 * while someone may see them: a configurer resuming from before the current polling began gets a
 * reset, as the nodes' changes in between are unknown.
 */
final class EventHub extends AbstractBehavior<EventHub.Command> {

  static final String ENVIRONMENT_EVENT = "environment";
  static final String NODE_EVENT = "node";
  static final String RESET_EVENT = "reset";

  sealed interface Command extends NoSerializationVerificationNeeded {}

  /** A client connected; {@code lastEventId} null when it is not resuming. */
  record Subscribe(Caller caller, String lastEventId, BoundedSourceQueue<ServerSentEvent> queue) implements Command {}

  record Unsubscribe(BoundedSourceQueue<ServerSentEvent> queue) implements Command {}

  private record EnvironmentChanged(EnvironmentState environment) implements Command {}

  private record NodesSeen(List<NodeView> nodes) implements Command {}

  private enum Tick implements Command { POLL_NODES, PRUNE }

  private final JsonYaml codec;
  private final ProxySettings proxy;
  private final Clock clock;
  private final ActorRef<Scheduler.Command> scheduler;
  private final Duration askTimeout;
  private final EventLog log;
  private final AtomicInteger connected;
  private final Map<BoundedSourceQueue<ServerSentEvent>, Caller> clients = new HashMap<>();
  /** Each node as last seen, less what changes all the time (usage, last seen); null before the first poll. */
  private Map<String, NodeJson> nodes;
  private final TimerScheduler<Command> timers;
  private final Duration nodePollInterval;
  /** Clients that see node events: the nodes are polled while there is one. */
  private int nodeWatchers;
  /** The log's last number when the current polling learnt the nodes; node events are complete after it. */
  private long nodesKnownFrom = Long.MAX_VALUE;

  /** {@code proxy} makes each environment's {@code url}, as {@code GET /environments/{id}} shows it. */
  static Behavior<Command> create(GatewayBackends backends, EventSettings settings, JsonYaml codec, ProxySettings proxy,
      Duration askTimeout, AtomicInteger connected) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      // Pruned even while nothing happens, so an idle gateway's old events stop being resumable on time.
      timers.startTimerWithFixedDelay(Tick.PRUNE, settings.retention().dividedBy(10));
      backends.directory().tell(new EnvironmentDirectory.Watch(
          context.messageAdapter(EnvironmentState.class, EnvironmentChanged::new)));
      return new EventHub(context, timers, backends.scheduler(), settings, codec, proxy, askTimeout, connected);
    }));
  }

  private EventHub(
      ActorContext<Command> context, TimerScheduler<Command> timers, ActorRef<Scheduler.Command> scheduler, EventSettings settings, JsonYaml codec,
      ProxySettings proxy, Duration askTimeout, AtomicInteger connected) {
    super(context);
    this.timers = timers;
    this.nodePollInterval = settings.nodePollInterval();
    this.scheduler = scheduler;
    this.codec = codec;
    this.proxy = proxy;
    this.askTimeout = askTimeout;
    this.connected = connected;
    this.clock = Clock.systemUTC();
    this.log = new EventLog(settings.retention(), settings.maxEntries());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Subscribe.class, this::onSubscribe)
        .onMessage(Unsubscribe.class, unsubscribe -> {
          Caller gone = clients.remove(unsubscribe.queue());
          if (gone != null) {
            left(gone);
          }
          return this;
        })
        .onMessage(EnvironmentChanged.class, changed -> {
          EnvironmentState environment = changed.environment();
          publish(log.append(ENVIRONMENT_EVENT,
              () -> codec.toJsonString(EnvironmentJson.of(environment.view(), codec.mapper(), proxy)),
              caller -> caller.maySee(environment.owner(), environment.sharedWith()), clock.instant()));
          return this;
        })
        .onMessage(NodesSeen.class, this::onNodesSeen)
        .onMessageEquals(Tick.POLL_NODES, () -> {
          Asks.<Scheduler.Command, Scheduler.Nodes, Command>ask(getContext(), scheduler, askTimeout, Scheduler.GetNodes::new, (answer, failure) -> {
            if (failure != null) {
              // The next poll asks again; a change is then seen late, not lost.
              getContext().getLog().debug("The event stream could not read the nodes: {}", failure.toString());
              return new NodesSeen(null);
            }
            return new NodesSeen(answer.nodes());
          });
          return this;
        })
        .onMessageEquals(Tick.PRUNE, () -> {
          log.prune(clock.instant());
          return this;
        })
        .build();
  }

  private Behavior<Command> onSubscribe(Subscribe subscribe) {
    Caller caller = subscribe.caller();
    boolean watchesNodes = watchesNodes(caller);
    if (subscribe.lastEventId() != null) {
      Optional<List<EventLog.Entry>> missed = log.after(subscribe.lastEventId());
      if (watchesNodes && log.number(subscribe.lastEventId()) < nodesKnownFrom) {
        missed = Optional.empty();
      }
      if (missed.isEmpty()) {
        getContext().getLog().debug("Event stream of {}: {} is not resumable here: reset", caller.username(),
            subscribe.lastEventId());
        subscribe.queue().offer(ServerSentEvent.create("{}", RESET_EVENT));
      } else {
        for (EventLog.Entry entry : missed.get()) {
          if (entry.audience().test(caller) && !offer(subscribe.queue(), caller, entry.event())) {
            return this;
          }
        }
      }
    }
    clients.put(subscribe.queue(), caller);
    connected.incrementAndGet();
    if (watchesNodes && nodeWatchers++ == 0) {
      timers.startTimerWithFixedDelay(Tick.POLL_NODES, Duration.ZERO, nodePollInterval);
    }
    return this;
  }

  private static boolean watchesNodes(Caller caller) {
    return caller.hasAny(Authentication.CONFIGURERS);
  }

  /** The last node watcher gone, the polling stops: what the nodes do meanwhile is not followed. */
  private void left(Caller caller) {
    connected.decrementAndGet();
    if (watchesNodes(caller) && --nodeWatchers == 0) {
      timers.cancel(Tick.POLL_NODES);
      nodes = null;
      nodesKnownFrom = Long.MAX_VALUE;
    }
  }

  private Behavior<Command> onNodesSeen(NodesSeen seen) {
    if (seen.nodes() == null || nodeWatchers == 0) {
      return this;
    }
    if (nodes == null) {
      nodesKnownFrom = log.last();
    }
    Map<String, NodeJson> now = new HashMap<>();
    for (NodeView view : seen.nodes()) {
      NodeJson node = NodeJson.of(view, clock.instant());
      NodeJson steady = node.steady();
      now.put(node.id(), steady);
      // The first poll only learns what is there: it changed nothing.
      if (nodes != null && !steady.equals(nodes.get(node.id()))) {
        publish(log.append(NODE_EVENT, () -> codec.toJsonString(node), EventHub::watchesNodes, clock.instant()));
      }
    }
    nodes = now;
    return this;
  }

  /** Rendered once for all the clients that may see it, and not at all when none may. */
  private void publish(EventLog.Entry entry) {
    ServerSentEvent event = null;
    Iterator<Map.Entry<BoundedSourceQueue<ServerSentEvent>, Caller>> each = clients.entrySet().iterator();
    while (each.hasNext()) {
      Map.Entry<BoundedSourceQueue<ServerSentEvent>, Caller> client = each.next();
      if (!entry.audience().test(client.getValue())) {
        continue;
      }
      if (event == null) {
        event = entry.event();
      }
      if (!offer(client.getKey(), client.getValue(), event)) {
        each.remove();
        left(client.getValue());
      }
    }
  }

  /** False when the client is gone, or so far behind that it is disconnected now. */
  private boolean offer(BoundedSourceQueue<ServerSentEvent> queue, Caller caller, ServerSentEvent event) {
    QueueOfferResult result = queue.offer(event);
    if (result == QueueOfferResult.dropped()) {
      getContext().getLog().warn(
          "Event stream of {}: the client reads slower than events come and fell {} behind: disconnected (it may resume)",
          caller.username(), queue.size());
      queue.fail(new IllegalStateException("the client fell too far behind"));
      return false;
    }
    return result == QueueOfferResult.enqueued();
  }
}
