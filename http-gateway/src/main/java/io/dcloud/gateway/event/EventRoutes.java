package io.dcloud.gateway.event;

import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.GatewayBackends;
import io.dcloud.gateway.common.GatewaySettings;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.identity.Caller;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Source;

/**
 * {@code GET /events}: the cluster's changes a caller may see, as Server-Sent Events, resumable
 * with {@code Last-Event-ID} (see {@link EventHub}).
 */
public final class EventRoutes extends AllDirectives {
  static final String EVENTS = "events";
  static final String LAST_EVENT_ID = "Last-Event-ID";

  /** Event-stream clients connected to this process's gateways (for the operators' dashboards). */
  private static final AtomicInteger CONNECTED = new AtomicInteger();

  static {
    Gauge.builder("dcloud.http.event.clients", CONNECTED, AtomicInteger::get)
        .description("Clients following GET /api/v1/events on this process's gateways")
        .register(Metrics.globalRegistry);
  }

  private final ActorRef<EventHub.Command> hub;
  private final EventSettings settings;
  private final Duration keepAlive;

  public EventRoutes(ActorSystem<?> system, GatewayBackends backends, JsonYaml codec, GatewaySettings gateway) {
    this.settings = EventSettings.fromConfig(system.settings().config());
    this.keepAlive = gateway.sseKeepAlive();
    // One hub per gateway (a test runs several in one actor system).
    this.hub = system.systemActorOf(
        EventHub.create(backends, settings, codec, gateway.proxy(), gateway.askTimeout(), CONNECTED),
        "gateway-events-" + UUID.randomUUID(), Props.empty());
  }

  public Route route() {
    return path(EVENTS, () -> CallerAttribute.of(caller -> get(() -> optionalHeaderValueByName(LAST_EVENT_ID, last ->
        completeOK(stream(caller, last.map(String::strip).filter(id -> !id.isEmpty()).orElse(null)),
            EventStreamMarshalling.toEventStream())))));
  }

  /** Subscribed when the response starts streaming; unsubscribed when it ends, however it ends. */
  private Source<ServerSentEvent, NotUsed> stream(Caller caller, String lastEventId) {
    return Source.<ServerSentEvent>queue(settings.clientBuffer())
        .watchTermination(Keep.both())
        .mapMaterializedValue(queueAndDone -> {
          var queue = queueAndDone.first();
          hub.tell(new EventHub.Subscribe(caller, lastEventId, queue));
          queueAndDone.second().whenComplete((done, failure) -> hub.tell(new EventHub.Unsubscribe(queue)));
          return NotUsed.getInstance();
        })
        .keepAlive(keepAlive, ServerSentEvent::heartbeat);
  }
}
