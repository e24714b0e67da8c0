package io.dcloud.gateway.node;

import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.identity.Authentication;
import io.dcloud.identity.Caller;
import io.dcloud.scheduler.Scheduler;
import java.time.Clock;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /nodes[/{id}]}: the workers as the scheduler sees them; cordon, drain, their volumes; {@code GET /volumes}. */
public final class NodeRoutes extends AllDirectives {
  private final ClusterAsks asks;
  private final JsonYaml codec;
  private final Clock clock;

  private final AuditLog audit;
  private final NodeVolumeRoutes volumes;
  private final VolumeRoutes ownVolumes;

  public NodeRoutes(ClusterAsks asks, JsonYaml codec, Clock clock, AuditLog audit) {
    this.audit = audit;
    NodeVolumeListings listings = new NodeVolumeListings(asks);
    VolumeRemovals removals = new VolumeRemovals(asks, listings, audit);
    this.volumes = new NodeVolumeRoutes(listings, removals, codec);
    this.ownVolumes = new VolumeRoutes(asks, listings, removals, codec);
    this.asks = asks;
    this.codec = codec;
    this.clock = clock;
  }

  /** Everyone reads the nodes' capacity (the new-environment form needs it); configurers and admins operate them. */
  public Route route() {
    return pathPrefix(ApiPaths.NODES, () -> CallerAttribute.of(caller -> concat(
        pathEndOrSingleSlash(() -> get(() -> completeWithFuture(
            asks.nodes().thenApply(nodes -> codec.jsonResponse(StatusCodes.OK, new NodeJson.Listing(
                nodes.nodes().stream().map(node -> shownTo(caller, NodeJson.of(node, clock.instant()))).toList())))))),
        pathPrefix(segment -> concat(
            pathEndOrSingleSlash(() -> get(() -> completeWithFuture(one(segment, caller)))),
            Authentication.requireAny(caller, Authentication.CONFIGURERS, () -> concat(
                post(() -> concat(
                    path("cordon", () -> operate(Scheduler.Cordon::new, segment, "cordon", caller)),
                    path("uncordon", () -> operate(Scheduler.Uncordon::new, segment, "uncordon", caller)),
                    path("drain", () -> operate(Scheduler.Drain::new, segment, "drain", caller)))),
                volumes.route(segment, caller))))))));
  }

  /** {@code GET /nodes/{id}}: one node as the list shows it, for a describe or a wait on it; 404 when none is known. */
  private CompletionStage<HttpResponse> one(String nodeId, Caller caller) {
    return asks.nodes().thenApply(nodes -> nodes.nodes().stream()
        .filter(node -> node.status().nodeId().equals(nodeId))
        .findFirst()
        .map(node -> codec.jsonResponse(StatusCodes.OK, shownTo(caller, NodeJson.of(node, clock.instant()))))
        .orElseThrow(() -> Problem.notFound("node " + nodeId).exception()));
  }

  /** {@code GET /volumes}: every signed-in user's own environment volumes, on whichever node (see {@link VolumeRoutes}). */
  public Route volumes() {
    return pathPrefix(ApiPaths.VOLUMES, () -> CallerAttribute.of(ownVolumes::route));
  }

  /** Configurers and admins see everything of a node; others its summary. */
  private static NodeJson shownTo(Caller caller, NodeJson node) {
    return caller.hasAny(Authentication.CONFIGURERS) ? node : node.summary();
  }

  /** Cordon, uncordon and drain: idempotent, answered with the node as it is now. */
  private Route operate(
      BiFunction<String, ActorRef<Scheduler.NodeAnswer>, Scheduler.Command> command,
      String nodeId,
      String action,
      Caller caller) {
    return completeWithFuture(asks.nodeCommand(command, nodeId).thenApply(answer -> {
      if (answer.node() == null) {
        throw Problem.notFound("node " + nodeId).exception();
      }
      audit.record(caller, "node." + action, nodeId, "ok");
      return codec.jsonResponse(StatusCodes.OK, NodeJson.of(answer.node(), clock.instant()));
    }));
  }
}
