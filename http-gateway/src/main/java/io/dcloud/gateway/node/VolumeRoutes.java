package io.dcloud.gateway.node;

import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.identity.Caller;
import io.dcloud.node.NodeProtocol;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /volumes}: the caller's environment volumes on every node (admins: everyone's, those
 * of collected environments too) — what a user names to mount a kept one again, as
 * {@code kubectl get pvc} lists one's claims — and the removal of one of theirs no environment holds. Every node is asked at once; one that cannot be is
 * named in {@code unreachable}, its volumes missing, rather than failing the whole listing.
 */
final class VolumeRoutes extends AllDirectives {
  private final ClusterAsks asks;
  private final NodeVolumeListings listings;
  private final VolumeRemovals removals;
  private final JsonYaml codec;

  VolumeRoutes(ClusterAsks asks, NodeVolumeListings listings, VolumeRemovals removals, JsonYaml codec) {
    this.asks = asks;
    this.listings = listings;
    this.removals = removals;
    this.codec = codec;
  }

  /** {@code GET /volumes}; {@code DELETE /volumes/{node}/{name}}: the caller's own (see {@link VolumeRemovals}). */
  Route route(Caller caller) {
    return concat(
        pathEndOrSingleSlash(() -> get(() -> parameterOptional("state", state ->
            completeWithFuture(list(caller, state.map(NodeVolumeRoutes::state)))))),
        pathPrefix(node -> path(name -> delete(() -> completeWithFuture(removals.remove(node, name, caller)
            .thenApply(removed -> HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)))))));
  }

  private record Answer(String node, Optional<NodeProtocol.Volumes> volumes) {}

  private CompletionStage<HttpResponse> list(Caller caller, Optional<VolumeJson.State> only) {
    CompletionStage<Map<String, String>> kept = listings.keptBy(caller.isAdmin() ? null : caller.username());
    return asks.nodes().thenCompose(nodes -> {
      List<CompletableFuture<Answer>> answers = nodes.nodes().stream()
          .map(node -> node.status().nodeId())
          .map(node -> listings.volumes(node)
              .thenApply(volumes -> new Answer(node, Optional.of(volumes)))
              .exceptionally(unreachable -> new Answer(node, Optional.empty()))
              .toCompletableFuture())
          .toList();
      return CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
          .thenCombine(kept, (all, mountedAgain) -> {
            List<VolumeJson> volumes = new ArrayList<>();
            List<String> unreachable = new ArrayList<>();
            for (CompletableFuture<Answer> each : answers) {
              Answer answer = each.join();
              answer.volumes().ifPresentOrElse(
                  found -> volumes.addAll(listings.shown(answer.node(), found, mountedAgain)),
                  () -> unreachable.add(answer.node()));
            }
            return codec.jsonResponse(StatusCodes.OK, new VolumeJson.Everywhere(volumes.stream()
                .filter(volume -> caller.isAdmin() || ownedBy(volume, caller))
                .filter(volume -> only.isEmpty() || volume.state() == only.get())
                .sorted(Comparator.comparing(VolumeJson::node).thenComparing(VolumeJson::name))
                .toList(), unreachable.stream().sorted().toList()));
          });
    });
  }

  /** The caller's: made by an environment of theirs this gateway still knows (a collected one's are no one's). */
  private static boolean ownedBy(VolumeJson volume, Caller caller) {
    return volume.environment() != null && caller.username().equals(volume.environment().owner());
  }
}
