package io.dcloud.gateway.node;

import io.dcloud.environment.EnvironmentView;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.Problem;
import io.dcloud.node.NodeProtocol;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the nodes say of their environment volumes, joined with what this gateway knows of the
 * environments that made them and of those that mount one again: for an operator's view of one
 * node, and a user's of their own volumes on every node.
 */
final class NodeVolumeListings {
  private final ClusterAsks asks;

  NodeVolumeListings(ClusterAsks asks) {
    this.asks = asks;
  }

  /** One node's volumes, by name. */
  CompletionStage<List<VolumeJson>> on(String nodeId) {
    return volumes(nodeId).thenCombine(keptOn(nodeId), (volumes, kept) -> shown(nodeId, volumes, kept));
  }

  List<VolumeJson> shown(String nodeId, NodeProtocol.Volumes volumes, Map<String, String> kept) {
    return volumes.volumes().stream()
        .map(volume -> VolumeJson.of(volume, nodeId, asks.folded(volume.environmentId()), kept.get(volume.name())))
        .sorted(Comparator.comparing(VolumeJson::name))
        .toList();
  }

  CompletionStage<NodeProtocol.Volumes> volumes(String nodeId) {
    return askNode(nodeId, NodeProtocol.ListVolumes::new).thenApply(reply -> {
      if (reply instanceof NodeProtocol.Volumes volumes) {
        return volumes;
      }
      throw unavailable(nodeId, reply);
    });
  }

  /**
   * The kept volumes the environments placed on the node mount, by name, with the environment that
   * mounts each: one may be building its image, its container (and so the engine's "in use") not made yet.
   */
  CompletionStage<Map<String, String>> keptOn(String nodeId) {
    return asks.listEnvironments(null, null, nodeId, null, null).thenApply(listing -> kept(listing.environments()));
  }

  /** The kept volumes {@code owner}'s environments (null: everyone's) mount, wherever they are. */
  CompletionStage<Map<String, String>> keptBy(String owner) {
    return asks.listEnvironments(null, null, null, owner, null).thenApply(listing -> kept(listing.environments()));
  }

  private static Map<String, String> kept(List<EnvironmentView> environments) {
    Map<String, String> kept = new HashMap<>();
    for (EnvironmentView view : environments) {
      if (view.spec() != null) {
        view.spec().storage().stream().filter(volume -> volume.kept() != null)
            .forEach(volume -> kept.put(volume.kept().name(), view.id()));
      }
    }
    return kept;
  }

  /** 404 for a node nobody knows; 503 for one the scheduler knows that has no actor registered (down, leaving). */
  CompletionStage<NodeProtocol.VolumesReply> askNode(
      String nodeId, Function<ActorRef<NodeProtocol.VolumesReply>, NodeProtocol.Command> command) {
    return asks.node(nodeId, command).thenCompose(reply -> reply.<CompletionStage<NodeProtocol.VolumesReply>>map(
        CompletableFuture::completedFuture).orElseGet(() -> asks.nodes().thenApply(nodes -> {
          boolean known = nodes.nodes().stream().anyMatch(node -> node.status().nodeId().equals(nodeId));
          throw (known
              ? Problem.of(Problem.Type.CLUSTER_UNAVAILABLE, "node " + nodeId + " is not reachable now: ask again once it is UP")
              : Problem.notFound("node " + nodeId)).exception();
        })));
  }

  static RuntimeException unavailable(String nodeId, NodeProtocol.VolumesReply reply) {
    String reason = reply instanceof NodeProtocol.VolumesUnavailable unavailable ? unavailable.reason() : String.valueOf(reply);
    return Problem.of(Problem.Type.CLUSTER_UNAVAILABLE, "node " + nodeId + " could not read its volumes: " + reason)
        .exception();
  }
}
