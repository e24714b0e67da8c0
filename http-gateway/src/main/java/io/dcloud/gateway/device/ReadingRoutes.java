package io.dcloud.gateway.device;

import com.typesafe.config.Config;
import io.dcloud.device.Reading;
import io.dcloud.device.ReadingStore;
import io.dcloud.device.ReadingsFeed;
import io.dcloud.gateway.common.DeviceBackends;
import io.dcloud.gateway.common.GatewaySettings;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A device's readings, for every signed-in user: {@code GET /devices/{id}/readings?since=&until=&limit=}
 * (kept ones, oldest first; default the last hour) and {@code GET /devices/{id}/readings/stream}
 * (accepted ones as they come, Server-Sent Events of type {@code reading}).
 */
public final class ReadingRoutes extends AllDirectives {
  public static final String READINGS = "readings";
  public static final String STREAM = "stream";
  static final String EVENT = "reading";
  private static final Duration DEFAULT_WINDOW = Duration.ofHours(1);
  private static final Logger log = LoggerFactory.getLogger(ReadingRoutes.class);

  /** What {@code GET .../readings} answers; {@code truncated}: more readings lie in the window than {@code limit}. */
  record Page(String device, List<Item> items, boolean truncated) {}

  record Item(Instant at, Instant receivedAt, Map<String, Object> values) {}

  private final DeviceRegistryAsks registry;
  private final ReadingStore store;
  private final ReadingsFeed feed;
  private final boolean brokerEnabled;
  private final JsonYaml codec;
  private final Clock clock;
  private final int defaultLimit;
  private final int maxLimit;
  private final int streamBuffer;
  private final Duration keepAlive;

  public ReadingRoutes(
      DeviceRegistryAsks registry, DeviceBackends backends, JsonYaml codec, Clock clock, Config config,
      GatewaySettings settings) {
    this.registry = registry;
    this.store = backends.readings();
    this.feed = backends.feed();
    this.brokerEnabled = backends.brokerEnabled();
    this.codec = codec;
    this.clock = clock;
    this.defaultLimit = config.getInt("dcloud.devices.readings.default-limit");
    this.maxLimit = config.getInt("dcloud.devices.readings.max-limit");
    this.streamBuffer = settings.sseBuffer();
    this.keepAlive = settings.sseKeepAlive();
  }

  public Route route() {
    return pathPrefix(DeviceRoutes.DEVICES, () -> concat(
        path(PathMatchers.segment().slash(READINGS), id -> get(() -> parameterMap(query ->
            completeWithFuture(query(id, query))))),
        path(PathMatchers.segment().slash(READINGS).slash(STREAM), id -> get(() -> {
          // Nothing would ever arrive: say why instead of an open stream that stays silent.
          if (!brokerEnabled) {
            throw DeviceBackends.brokerOff().exception();
          }
          return onSuccess(registry.device(id), device -> completeOK(stream(id), EventStreamMarshalling.toEventStream()));
        }))));
  }

  private CompletionStage<HttpResponse> query(String id, Map<String, String> query) {
    List<FieldError> errors = new ArrayList<>();
    Instant until = instant("until", query.get("until"), errors).orElseGet(clock::instant);
    Instant since = instant("since", query.get("since"), errors).orElse(until.minus(DEFAULT_WINDOW));
    int limit = limit(query.get("limit"), errors);
    if (errors.isEmpty() && !since.isBefore(until)) {
      errors.add(new FieldError("since", since + " is not before until " + until));
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    // One more than asked tells whether the window holds more.
    return registry.device(id)
        .thenCompose(device -> store.read(id, since, until, limit + 1))
        .thenApply(readings -> codec.jsonResponse(StatusCodes.OK, new Page(id,
            readings.stream().limit(limit).map(r -> new Item(r.at(), r.receivedAt(), r.values())).toList(),
            readings.size() > limit)));
  }

  private static Optional<Instant> instant(String field, String text, List<FieldError> errors) {
    if (text == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(Instant.parse(text));
    } catch (DateTimeParseException e) {
      errors.add(new FieldError(field, "must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, not "
          + io.dcloud.contract.ContractReader.quote(text, 40)));
      return Optional.empty();
    }
  }

  private int limit(String text, List<FieldError> errors) {
    if (text == null) {
      return defaultLimit;
    }
    try {
      int limit = Integer.parseInt(text);
      if (limit >= 1 && limit <= maxLimit) {
        return limit;
      }
    } catch (NumberFormatException e) {
      // answered below, as a number out of range is
    }
    errors.add(new FieldError("limit", "must be a whole number from 1 to " + maxLimit
        + " (dcloud.devices.readings.max-limit), not " + io.dcloud.contract.ContractReader.quote(text, 20)));
    return defaultLimit;
  }

  /**
   * Follows the device's feed while the response streams; the follow is closed when it ends,
   * however it ends. A client that reads slower than readings arrive misses the newest ones.
   */
  private Source<ServerSentEvent, NotUsed> stream(String id) {
    return Source.<ServerSentEvent>queue(streamBuffer)
        .watchTermination(Keep.both())
        .mapMaterializedValue(queueAndDone -> {
          var queue = queueAndDone.first();
          AutoCloseable follow = feed.follow(id, reading -> {
            if (queue.offer(event(reading)) == QueueOfferResult.dropped()) {
              log.debug("Device {}: a reading was dropped for a slow readings stream", id);
            }
          });
          queueAndDone.second().whenComplete((done, failure) -> {
            try {
              follow.close();
            } catch (Exception e) {
              log.warn("Device {}: its readings feed did not close: {}", id, e.toString());
            }
          });
          return NotUsed.getInstance();
        })
        .keepAlive(keepAlive, ServerSentEvent::heartbeat);
  }

  private ServerSentEvent event(Reading reading) {
    return ServerSentEvent.create(codec.toJsonString(reading), EVENT);
  }
}
