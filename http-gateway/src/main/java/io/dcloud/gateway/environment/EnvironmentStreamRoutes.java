package io.dcloud.gateway.environment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.contract.ContractReader;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentUpdate;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.GatewaySettings;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.identity.Caller;
import io.dcloud.node.NodeProtocol;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.http.javadsl.marshalling.sse.EventStreamMarshalling;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.StringUnmarshallers;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live side of an environment: its status feed as Server-Sent Events, its container's logs
 * and its resource usage. Each first asks the entity whether the environment exists, so an
 * unknown id is a 404 before any stream starts.
 */
public final class EnvironmentStreamRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(EnvironmentStreamRoutes.class);

  static final String STATUS_EVENT = "status";

  private final ClusterAsks asks;
  private final JsonYaml codec;
  private final GatewaySettings settings;
  /** When to try a refused log follow again: follows end when their clients go. */
  private static final long FOLLOW_RETRY_SECONDS = 5;

  public EnvironmentStreamRoutes(ClusterAsks asks, JsonYaml codec, GatewaySettings settings) {
    this.asks = asks;
    this.codec = codec;
    this.settings = settings;
  }

  /** The routes below {@code /environments/{rawId}/}. */
  public Route route(String rawId, Caller caller) {
    return concat(
        path("events", () -> get(() -> EnvironmentRoutes.withId(rawId, id -> events(id, caller)))),
        path("logs", () -> get(() -> EnvironmentRoutes.withId(rawId, id -> logs(id, caller)))),
        path("stats", () -> get(() -> EnvironmentRoutes.withId(rawId, id -> stats(id, caller)))));
  }

  // ---------------------------------------------------------------- events (SSE)

  /** One SSE event, and whether it is the environment's last word (it was deleted). */
  private record FeedItem(ServerSentEvent event, boolean last) {}

  private Route events(String id, Caller caller) {
    return onSuccess(EnvironmentReplies.view(asks, id, caller), known -> {
      log.debug("Environment {}: a client follows its events", id);
      return completeOK(feed(id, caller), EventStreamMarshalling.toEventStream());
    });
  }

  /**
   * The current state, then every update for {@code id} from the cluster-wide topic, until the
   * environment is deleted. The subscription is made when the stream starts and the current state
   * is read only after it, so no change falls between the two (at worst one arrives twice).
   */
  private Source<ServerSentEvent, NotUsed> feed(String id, Caller caller) {
    Source<FeedItem, NotUsed> live = ActorSource.<EnvironmentUpdate>actorRef(
            update -> false, update -> Optional.empty(), settings.sseBuffer(), OverflowStrategy.dropHead())
        .mapMaterializedValue(subscriber -> {
          asks.updates().tell(Topic.subscribe(subscriber));
          return NotUsed.getInstance();
        })
        .filter(update -> update.environmentId().equals(id))
        .map(this::updateItem);
    Source<FeedItem, NotUsed> current = Source.lazyCompletionStage(() -> EnvironmentReplies.view(asks, id, caller))
        .map(this::currentItem)
        .mapMaterializedValue(ignored -> NotUsed.getInstance());
    return current
        .concat(live)
        .takeWhile(item -> !item.last(), true)
        .map(FeedItem::event)
        .keepAlive(settings.sseKeepAlive(), ServerSentEvent::heartbeat);
  }

  private FeedItem currentItem(EnvironmentView view) {
    String data = codec.toJsonString(EnvironmentJson.of(view, codec.mapper(), settings.proxy()));
    return new FeedItem(ServerSentEvent.create(data, STATUS_EVENT), view.status() == EnvironmentStatus.DELETED);
  }

  private FeedItem updateItem(EnvironmentUpdate update) {
    String type = update.kind().name().toLowerCase(Locale.ROOT);
    boolean deleted = update.kind() == EnvironmentUpdate.Kind.STATUS
        && EnvironmentStatus.DELETED.name().equals(update.status());
    return new FeedItem(ServerSentEvent.create(updateJson(update), type), deleted);
  }

  /** A progress line with bytes of datasets fetched also says so as {@code progress}, the way GET shows it. */
  private String updateJson(EnvironmentUpdate update) {
    BuildProgress.Progress progress = BuildProgress.of(update);
    if (progress == null || progress.bytes() == null) {
      return codec.toJsonString(update);
    }
    ObjectNode json = codec.mapper().valueToTree(update);
    json.set("progress", codec.mapper().valueToTree(progress));
    return codec.toJsonString(json);
  }

  // ---------------------------------------------------------------- logs

  /**
   * {@code since} (an ISO-8601 instant): only the lines written from then on, of the last {@code
   * tail}; {@code timestamps}: each line begins with when it was written.
   */
  private Route logs(String id, Caller caller) {
    return parameterOptional(StringUnmarshallers.INTEGER, "tail", tail ->
        parameterOptional(StringUnmarshallers.BOOLEAN, "follow", follow ->
        parameterOptional("since", since ->
        parameterOptional(StringUnmarshallers.BOOLEAN, "timestamps", timestamps -> {
          int lines = tail.orElse(settings.logsDefaultTail());
          if (lines < 0 || lines > settings.logsMaxTail()) {
            return complete(Problem.of(
                    Problem.Type.MALFORMED_REQUEST, "tail must be between 0 and " + settings.logsMaxTail(), "tail",
                    lines + " is out of range: use 0 to " + settings.logsMaxTail())
                .toResponse());
          }
          Instant from;
          try {
            from = since.map(Instant::parse).orElse(null);
          } catch (DateTimeParseException notAnInstant) {
            return complete(Problem.of(Problem.Type.MALFORMED_REQUEST, "since is not an instant", "since",
                    "must be an ISO-8601 instant such as 2026-01-31T12:00:00Z, not " + ContractReader.quote(since.get(), 40))
                .toResponse());
          }
          boolean following = follow.orElse(false);
          boolean stamped = timestamps.orElse(false);
          var reply = EnvironmentReplies.view(asks, id, caller).thenCompose(known ->
              asks.<NodeProtocol.LogsReply>environment(
                  id, replyTo -> new EnvironmentEntity.StreamLogs(lines, following, replyTo, from, stamped)));
          return onSuccess(reply, answer -> logsAnswer(id, answer));
        }))));
  }

  private Route logsAnswer(String id, NodeProtocol.LogsReply answer) {
    if (answer instanceof NodeProtocol.Logs logs) {
      log.debug("Environment {}: streaming its logs to a client", id);
      Source<ByteString, NotUsed> body = logs.lines().getSource().map(EnvironmentStreamRoutes::asLine);
      return complete(HttpResponse.create()
          .withStatus(StatusCodes.OK)
          .withEntity(HttpEntities.createChunked(ContentTypes.TEXT_PLAIN_UTF8, body)));
    }
    if (answer instanceof NodeProtocol.LogsRefused refused) {
      // The node follows as many logs as it may (dcloud.node.max-log-follows): a moment later one may have ended.
      return complete(Problem.of(Problem.Type.TOO_MANY_FOLLOWS, "the node of environment " + id
              + " follows " + refused.limit() + " logs already, the most it allows: " + refused.reason())
          .toResponse()
          .addHeader(org.apache.pekko.http.javadsl.model.headers.RetryAfter.create(FOLLOW_RETRY_SECONDS)));
    }
    String reason = ((NodeProtocol.LogsUnavailable) answer).reason();
    return complete(Problem.conflict("the logs of environment " + id + " are not available: " + reason).toResponse());
  }

  /** One log line per text line, whether or not the node kept the line's own newline. */
  private static ByteString asLine(String line) {
    return ByteString.fromString(line.endsWith("\n") ? line : line + "\n");
  }

  // ---------------------------------------------------------------- stats

  private Route stats(String id, Caller caller) {
    var reply = EnvironmentReplies.view(asks, id, caller).thenCompose(known ->
        asks.<NodeProtocol.StatsReply>environment(id, EnvironmentEntity.GetStats::new));
    return onSuccess(reply, answer -> {
      if (answer instanceof NodeProtocol.Stats stats) {
        return complete(codec.jsonResponse(StatusCodes.OK, StatsJson.of(stats)));
      }
      String reason = ((NodeProtocol.StatsUnavailable) answer).reason();
      return complete(Problem.conflict("no stats for environment " + id + ": " + reason).toResponse());
    });
  }
}
