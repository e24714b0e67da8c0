package io.dcloud.gateway.service;

import io.dcloud.service.ServiceView;
import io.dcloud.spec.PublishedPort;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Whether this gateway calls a replica straight at its published port or through its environment
 * entity and node (an ask to each: most of a call's overhead). Directly only when the service's view
 * says where the port is published and this gateway can reach it: a replica on this gateway's own
 * node (loopback, the default {@code dcloud.node.publish-host-ip}), or with {@code other-nodes}, one
 * published on an address other machines reach. Even then, one call per replica every {@code
 * node-activity-interval} goes through its node, which marks the replica used (idle culling counts
 * proxied traffic, not direct calls), and a replica whose direct call found nothing is called
 * through its node for that long (the node knows whether it still runs there).
 */
final class DirectRoute {
  private static final String SCHEME = "http";

  private final DirectRouteSettings settings;
  private final String localNode;
  private final LongSupplier nanoTime;
  private final long intervalNanos;
  /** When each replica's last call went through its node. */
  private final Map<String, Long> throughNode = new ConcurrentHashMap<>();
  /** Until when each replica that refused a direct call is called through its node. */
  private final Map<String, Long> notBefore = new ConcurrentHashMap<>();

  DirectRoute(DirectRouteSettings settings, String localNode, LongSupplier nanoTime) {
    this.settings = settings;
    this.localNode = localNode;
    this.nanoTime = nanoTime;
    this.intervalNanos = settings.nodeActivityInterval().toNanos();
  }

  /** Where to call the replica directly (its base URL), or empty: through its node. */
  Optional<String> base(ServiceView.Replica replica) {
    PublishedPort published = replica.published();
    if (!settings.enabled() || published == null || replica.node() == null) {
      return Optional.empty();
    }
    boolean local = replica.node().equals(localNode);
    if (!local && (!settings.otherNodes() || published.machineLocal())) {
      return Optional.empty();
    }
    long now = nanoTime.getAsLong();
    Long refused = notBefore.get(replica.id());
    if (refused != null) {
      if (now - refused < 0) {
        return Optional.empty();
      }
      notBefore.remove(replica.id(), refused);
    }
    if (nodeDue(replica.id(), now)) {
      return Optional.empty();
    }
    // On its own machine past the engine's port proxy (the container's address), elsewhere at the published port.
    return Optional.of(local ? published.urlOnItsMachine(SCHEME) : published.url(SCHEME));
  }

  /** A direct call found nothing at the replica's port: through its node for a while. */
  void refused(String replicaId) {
    notBefore.put(replicaId, nanoTime.getAsLong() + intervalNanos);
  }

  /** Forgets replicas a service no longer has. */
  void forget(Collection<String> replicaIds) {
    replicaIds.forEach(id -> {
      throughNode.remove(id);
      notBefore.remove(id);
    });
  }

  /** True (and noted) when the replica's last call through its node is an interval old, or there was none. */
  private boolean nodeDue(String replicaId, long now) {
    Long last = throughNode.get(replicaId);
    if (last != null && now - last < intervalNanos) {
      return false;
    }
    boolean[] due = {false};
    throughNode.compute(replicaId, (id, noted) -> {
      // Another call may have noted it meanwhile: only one of them goes through the node.
      due[0] = noted == null || now - noted >= intervalNanos;
      return due[0] ? now : noted;
    });
    return due[0];
  }
}
