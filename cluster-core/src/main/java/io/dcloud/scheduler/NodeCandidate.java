package io.dcloud.scheduler;

import io.dcloud.node.NodeStatus;
import io.dcloud.resources.Resources;
import java.util.Set;

/**
 * A node as placement sees it: its gossiped status, the sum of the scheduler's own reservations
 * on it (authoritative, so gossip lag never overcommits), the GPU UUIDs already allocated,
 * whether it accepts new work (not cordoned or draining), and how many environments of the
 * request's group (the replicas of its service) it holds already, and its spread domain (its zone,
 * see {@code dcloud.scheduler.replica-spread-label}) holds: 0 for a request without one.
 */
public record NodeCandidate(
    NodeStatus status, Resources reserved, Set<String> gpusInUse, boolean schedulable, int groupPeers,
    int groupPeersInDomain) {

  public NodeCandidate(NodeStatus status, Resources reserved, Set<String> gpusInUse, boolean schedulable) {
    this(status, reserved, gpusInUse, schedulable, 0, 0);
  }
}
