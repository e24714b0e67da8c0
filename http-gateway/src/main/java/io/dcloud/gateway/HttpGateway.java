package io.dcloud.gateway;

import java.time.Clock;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DCloud's HTTP API ({@code /api/v1}): JSON and YAML in, JSON out, problem+json for every error.
 * It only talks to actors (see {@link GatewayBackends}); any number of gateways may run.
 */
public final class HttpGateway extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(HttpGateway.class);

  private final GatewaySettings settings;
  private final EnvironmentRoutes environments;
  private final TemplateRoutes templates;
  private final CatalogRoutes catalog;
  private final NodeRoutes nodes;
  private final JsonYaml codec;

  private HttpGateway(ActorSystem<?> system, GatewayBackends backends, GatewaySettings settings) {
    this.settings = settings;
    this.codec = JsonYaml.create(system);
    ClusterAsks asks = new ClusterAsks(system, backends, settings.askTimeout());
    RequestBodies bodies = new RequestBodies(codec);
    EnvironmentCreation creation = new EnvironmentCreation(asks, codec, settings.defaultResources());
    this.environments = new EnvironmentRoutes(
        asks, codec, bodies, creation, new EnvironmentStreamRoutes(asks, codec, settings));
    this.templates = new TemplateRoutes(asks, codec, bodies, creation, settings.defaultResources());
    this.catalog = new CatalogRoutes(asks, codec, bodies);
    this.nodes = new NodeRoutes(asks, codec, Clock.systemUTC());
  }

  /**
   * Binds the API on {@code dcloud.http.host}:{@code dcloud.http.port} (see reference.conf).
   *
   * @return the binding, whose local address tells the port actually bound (useful with port 0)
   */
  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, GatewayBackends backends) {
    GatewaySettings settings = GatewaySettings.fromConfig(system.settings().config());
    Route route = new HttpGateway(system, backends, settings).route();
    ServerSettings server = ServerSettings.create(system.classicSystem())
        .withParsingErrorHandler(ProblemParsingErrorHandler.class.getName());
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .withSettings(server)
        .bind(route)
        .whenComplete((binding, failure) -> {
          if (failure != null) {
            log.error("HTTP gateway could not bind {}:{}", settings.host(), settings.port(), failure);
          } else {
            log.info("HTTP gateway serving {} on http://{}:{}", ApiPaths.ROOT, binding.localAddress().getHostString(),
                binding.localAddress().getPort());
          }
        });
  }

  /**
   * The whole API. The size limit, the exception and rejection handlers and the timeout answer
   * wrap everything, so no request can get anything but a 2xx or a problem+json.
   */
  Route route() {
    return withRequestTimeoutResponse(
        request -> Problem.of(Problem.Type.CLUSTER_UNAVAILABLE, "the gateway could not answer in time; try again")
            .toResponse(),
        () -> withSizeLimit(settings.maxBodyBytes(), () ->
            handleExceptions(ProblemExceptions.handler(settings.askTimeout()), () ->
                handleRejections(ProblemRejections.handler(), () ->
                    pathPrefix(ApiPaths.API, () -> pathPrefix(ApiPaths.VERSION, () -> concat(
                        environments.route(),
                        templates.route(),
                        catalog.route(),
                        nodes.route(),
                        health())))))));
  }

  private Route health() {
    return path(ApiPaths.HEALTH, () -> get(() -> complete(codec.jsonResponse(StatusCodes.OK, Map.of("status", "UP")))));
  }
}
