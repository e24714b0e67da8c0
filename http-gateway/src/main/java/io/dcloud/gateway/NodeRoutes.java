package io.dcloud.gateway;

import java.time.Clock;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /nodes}: the workers as the scheduler sees them. */
final class NodeRoutes extends AllDirectives {
  private final ClusterAsks asks;
  private final JsonYaml codec;
  private final Clock clock;

  NodeRoutes(ClusterAsks asks, JsonYaml codec, Clock clock) {
    this.asks = asks;
    this.codec = codec;
    this.clock = clock;
  }

  Route route() {
    return pathPrefix(ApiPaths.NODES, () -> pathEndOrSingleSlash(() -> get(() -> completeWithFuture(
        asks.nodes().thenApply(nodes -> codec.jsonResponse(StatusCodes.OK, new NodeJson.Listing(
            nodes.nodes().stream().map(node -> NodeJson.of(node, clock.instant())).toList())))))));
  }
}
