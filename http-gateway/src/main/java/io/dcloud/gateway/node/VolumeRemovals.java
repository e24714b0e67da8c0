package io.dcloud.gateway.node;

import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.identity.Authentication;
import io.dcloud.identity.Caller;
import io.dcloud.node.NodeProtocol;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.util.concurrent.CompletionStage;

/**
 * Removing one of a node's environment volumes, and its data: refused (409) while its environment is
 * on that node — asked of the environment itself, not the read side a gateway fills at its start —
 * while an environment mounts it again, or while a container mounts it. Operators (configurers,
 * admins) remove any; a user only those their own environments made (another's answers 404, as one
 * that does not exist; a collected environment's is an operator's to remove).
 */
final class VolumeRemovals {
  private final ClusterAsks asks;
  private final NodeVolumeListings listings;
  private final AuditLog audit;
  private final Counter removed = Counter.builder("dcloud.volumes.removed")
      .description("Environment volumes removed from their node, by an operator or their owner")
      .register(Metrics.globalRegistry);

  VolumeRemovals(ClusterAsks asks, NodeVolumeListings listings, AuditLog audit) {
    this.asks = asks;
    this.listings = listings;
    this.audit = audit;
  }

  /** Completes when removed; a failed stage carries the 404, 409 or 503. */
  CompletionStage<Void> remove(String nodeId, String name, Caller caller) {
    boolean operator = caller.hasAny(Authentication.CONFIGURERS);
    return listings.volumes(nodeId).thenCombine(listings.keptOn(nodeId), (volumes, kept) -> {
      NodeProtocol.Volume volume = volumes.volumes().stream().filter(v -> v.name().equals(name)).findFirst()
          .orElseThrow(() -> notFound(name, nodeId));
      return new Found(volume, kept.get(name));
    }).thenCompose(found -> asks.<EnvironmentEntity.Reply>environment(found.volume().environmentId(), EnvironmentEntity.Get::new)
        .thenCompose(reply -> {
          EnvironmentView made = reply instanceof EnvironmentEntity.Ok ok ? ok.view() : null;
          if (!operator && (made == null || !caller.mayAccess(made.owner()))) {
            throw notFound(name, nodeId);
          }
          if (found.mountedBy() != null) {
            throw Problem.conflict("volume " + name + " on node " + nodeId + " is mounted again by environment "
                + found.mountedBy() + ": it goes when that environment no longer mounts it").exception();
          }
          if (made != null && VolumeJson.stateOf(made, nodeId) == VolumeJson.State.ATTACHED) {
            throw Problem.conflict("volume " + name + " belongs to environment " + made.id() + " (" + made.name() + ", "
                + made.status() + ") on node " + nodeId
                + ": it is removed with the environment's container, or kept when it is deleted").exception();
          }
          return listings.askNode(nodeId, replyTo -> new NodeProtocol.RemoveVolume(name, replyTo));
        }))
        .thenAccept(reply -> {
          if (!(reply instanceof NodeProtocol.VolumeRemoved outcome)) {
            throw NodeVolumeListings.unavailable(nodeId, reply);
          }
          switch (outcome.outcome()) {
            case NOT_FOUND -> throw notFound(name, nodeId);
            case IN_USE -> throw Problem.conflict("volume " + name + " on node " + nodeId
                + " is mounted by a container, or its environment is on that node now").exception();
            case REMOVED -> {
              removed.increment();
              audit.record(caller, "node.volume.remove", nodeId + "/" + name, "ok");
            }
          }
        });
  }

  private record Found(NodeProtocol.Volume volume, String mountedBy) {}

  private static RuntimeException notFound(String name, String nodeId) {
    return Problem.notFound("volume " + name + " on node " + nodeId).exception();
  }
}
