package io.dcloud.gateway;

import java.time.Clock;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** The whole API: the feature routes under {@code /api/v1}, inside the error handling every answer goes through. */
final class ApiRoute extends AllDirectives {
  private final GatewaySettings settings;
  private final JsonYaml codec;
  private final EnvironmentRoutes environments;
  private final TemplateRoutes templates;
  private final CatalogRoutes catalog;
  private final NodeRoutes nodes;

  ApiRoute(ActorSystem<?> system, GatewayBackends backends, GatewaySettings settings) {
    this.settings = settings;
    this.codec = JsonYaml.create(system);
    ClusterAsks asks = new ClusterAsks(system, backends, settings.askTimeout());
    RequestBodies bodies = new RequestBodies(codec);
    EnvironmentCreation creation = new EnvironmentCreation(asks, codec, settings);
    this.environments = new EnvironmentRoutes(
        asks, codec, bodies, creation, new EnvironmentStreamRoutes(asks, codec, settings), settings.readAskTimeout());
    this.templates = new TemplateRoutes(
        asks, codec, bodies, creation, settings.defaultResources(), settings.specLimits());
    this.catalog = new CatalogRoutes(asks, codec, bodies);
    this.nodes = new NodeRoutes(asks, codec, Clock.systemUTC());
  }

  /**
   * The size limit, the exception and rejection handlers and the timeout answer wrap everything,
   * so no request gets anything but a 2xx or a problem+json.
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
