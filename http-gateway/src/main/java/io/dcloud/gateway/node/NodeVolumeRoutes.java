package io.dcloud.gateway.node;

import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.identity.Caller;
import java.util.Arrays;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
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
  private final NodeVolumeListings listings;
  private final VolumeRemovals removals;
  private final JsonYaml codec;

  NodeVolumeRoutes(NodeVolumeListings listings, VolumeRemovals removals, JsonYaml codec) {
    this.listings = listings;
    this.removals = removals;
    this.codec = codec;
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

  private CompletionStage<HttpResponse> remove(String nodeId, String name, Caller caller) {
    return removals.remove(nodeId, name, caller).thenApply(removed -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT));
  }
}
