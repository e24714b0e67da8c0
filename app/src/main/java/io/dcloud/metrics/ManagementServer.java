package io.dcloud.metrics;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The management port: {@code GET /metrics} (Prometheus), {@code /ready} (503 until the node should
 * get traffic, see {@link Readiness}) and {@code /alive} (200 while the process serves). No token:
 * it binds loopback unless {@code dcloud.management.host} says otherwise, and shows no user data.
 */
public final class ManagementServer extends AllDirectives {
  private static final Logger LOG = LoggerFactory.getLogger(ManagementServer.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final Cluster cluster;
  private final NodeMetrics metrics;
  private final Readiness readiness;

  private ManagementServer(Cluster cluster, NodeMetrics metrics, Readiness readiness) {
    this.cluster = cluster;
    this.metrics = metrics;
    this.readiness = readiness;
  }

  public static CompletionStage<ServerBinding> start(
      ActorSystem<?> system, ManagementSettings settings, NodeMetrics metrics, Readiness readiness) {
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .bind(new ManagementServer(Cluster.get(system), metrics, readiness).route())
        .whenComplete((binding, failure) -> {
          if (failure != null) {
            LOG.error("Management port could not bind {}:{}", settings.host(), settings.port(), failure);
          } else {
            LOG.info("Management port: /metrics, /ready and /alive on http://{}:{}",
                binding.localAddress().getHostString(), binding.localAddress().getPort());
          }
        });
  }

  /** /metrics and /ready inside extractRequest: their answers are made per request, not once with the route. */
  Route route() {
    return get(() -> concat(
        path("metrics", () -> extractRequest(request ->
            complete(HttpResponse.create().withEntity(ContentTypes.TEXT_PLAIN_UTF8, metrics.scrape())))),
        path("alive", () -> complete(json(StatusCodes.OK, Map.of("status", "ALIVE")))),
        path("ready", () -> extractRequest(request -> {
          Readiness.Report report = readiness.check(cluster.selfMember().status());
          return complete(json(report.ready() ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE,
              Map.of("status", report.ready() ? "READY" : "NOT_READY", "checks", report.checks())));
        }))));
  }

  private static HttpResponse json(StatusCode status, Map<String, ?> body) {
    try {
      return HttpResponse.create().withStatus(status).withEntity(ContentTypes.APPLICATION_JSON, JSON.writeValueAsBytes(body));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a map of strings always serializes", e);
    }
  }
}
