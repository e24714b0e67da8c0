package io.dcloud.gateway.node;

import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.identity.Caller;
import io.dcloud.node.NodeProtocol;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /nodes/{id}/volumes} and {@code DELETE /nodes/{id}/volumes/{name}}, for configurers and
 * admins: the volumes a node made for environments, and the removal of those whose environment is
 * gone or moved on. Persistent volumes outlive their environment by design (kept on delete, left on
 * a lost or drained machine), as Kubernetes' volumes with the Retain policy do; without this an
 * operator had to find them with {@code docker volume ls} on each machine.
 */
final class NodeVolumeRoutes extends AllDirectives {
  private final ClusterAsks asks;
  private final NodeVolumeListings listings;
  private final JsonYaml codec;
  private final AuditLog audit;
  private final Counter removed = Counter.builder("dcloud.volumes.removed")
      .description("Environment volumes an operator removed from their node")
      .register(Metrics.globalRegistry);

  NodeVolumeRoutes(ClusterAsks asks, NodeVolumeListings listings, JsonYaml codec, AuditLog audit) {
    this.asks = asks;
    this.listings = listings;
    this.codec = codec;
    this.audit = audit;
  }

  /** Below {@code /nodes/{nodeId}}; the caller is a configurer or an admin. */
  Route route(String nodeId, Caller caller) {
    return pathPrefix("volumes", () -> concat(
        pathEndOrSingleSlash(() -> get(() -> parameterOptional("state", state ->
            completeWithFuture(list(nodeId, state.map(NodeVolumeRoutes::state)))))),
        path(name -> delete(() -> completeWithFuture(remove(nodeId, name, caller))))));
  }

  static VolumeJson.State state(String value) {
    return Arrays.stream(VolumeJson.State.values()).filter(state -> state.name().equals(value)).findFirst()
        .orElseThrow(() -> Problem.of(Problem.Type.MALFORMED_REQUEST, "state " + value + " is not one of "
            + Arrays.toString(VolumeJson.State.values()), "state", "one of " + Arrays.toString(VolumeJson.State.values()))
            .exception());
  }

  private CompletionStage<HttpResponse> list(String nodeId, Optional<VolumeJson.State> only) {
    return listings.on(nodeId).thenApply(volumes -> codec.jsonResponse(StatusCodes.OK, new VolumeJson.Listing(nodeId,
        volumes.stream().filter(volume -> only.isEmpty() || volume.state() == only.get()).toList())));
  }

  /**
   * Asks the volume's environment itself (not the read side, which a gateway fills at its start):
   * an environment that exists on this node, or may come back to it, keeps its volume.
   */
  private CompletionStage<HttpResponse> remove(String nodeId, String name, Caller caller) {
    return listings.volumes(nodeId).thenCombine(listings.keptOn(nodeId), (volumes, kept) -> {
      String mountedBy = kept.get(name);
      if (mountedBy != null) {
        throw Problem.conflict("volume " + name + " on node " + nodeId + " is mounted again by environment " + mountedBy
            + ": it goes when that environment no longer mounts it").exception();
      }
      return volumes;
    }).thenCompose(volumes -> {
      NodeProtocol.Volume volume = volumes.volumes().stream().filter(v -> v.name().equals(name)).findFirst()
          .orElseThrow(() -> Problem.notFound("volume " + name + " on node " + nodeId).exception());
      return asks.<EnvironmentEntity.Reply>environment(volume.environmentId(), EnvironmentEntity.Get::new)
          .thenCompose(reply -> {
            if (reply instanceof EnvironmentEntity.Ok ok
                && VolumeJson.stateOf(ok.view(), nodeId) == VolumeJson.State.ATTACHED) {
              throw Problem.conflict("volume " + name + " belongs to environment " + volume.environmentId() + " ("
                  + ok.view().name() + ", " + ok.view().status() + ") on node " + nodeId
                  + ": it is removed with the environment's container, or kept when it is deleted").exception();
            }
            return listings.askNode(nodeId, replyTo -> new NodeProtocol.RemoveVolume(name, replyTo));
          });
    }).thenApply(reply -> {
      if (!(reply instanceof NodeProtocol.VolumeRemoved outcome)) {
        throw NodeVolumeListings.unavailable(nodeId, reply);
      }
      switch (outcome.outcome()) {
        case NOT_FOUND -> throw Problem.notFound("volume " + name + " on node " + nodeId).exception();
        case IN_USE -> throw Problem.conflict("volume " + name + " on node " + nodeId
            + " is mounted by a container, or its environment is on that node now").exception();
        case REMOVED -> {
          removed.increment();
          audit.record(caller, "node.volume.remove", nodeId + "/" + name, "ok");
          return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
        }
      }
      throw new IllegalStateException("unreachable");
    });
  }
}
