package io.dcloud.scheduler;

import io.dcloud.node.NodeGossip;
import io.dcloud.node.NodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;

/**
 * The scheduler's view of which worker processes are alive, from cluster membership: members (any
 * status before removal) and the ones the failure detector calls unreachable. A node whose
 * process is no longer a member is lost — its containers went with it.
 */
final class NodeMembership {
  private final Set<String> members = new HashSet<>();
  private final Set<String> unreachable = new HashSet<>();
  /**
   * Members removed after leaving gracefully (Exiting, not Down), seen while this scheduler ran:
   * their containers run on, to be taken back when the node returns (as a new member). A status
   * such a member gossiped may outlive it (a withdrawal that did not spread before the process
   * ended): it is neither lost nor a candidate. One entry per graceful leave.
   */
  private final Set<String> left = new HashSet<>();

  NodeMembership(Iterable<Member> current, Set<Member> currentlyUnreachable) {
    current.forEach(member -> members.add(NodeGossip.memberId(member.uniqueAddress())));
    currentlyUnreachable.forEach(member -> unreachable.add(NodeGossip.memberId(member.uniqueAddress())));
  }

  /**
   * Returns the member id that was downed and removed with this event, or null. A member that
   * left gracefully (its operator stopped it) is not lost: its containers keep running and it
   * takes them back when it returns; it withdraws its own gossip as it leaves.
   */
  String apply(ClusterEvent.ClusterDomainEvent event) {
    if (event instanceof ClusterEvent.MemberRemoved removed) {
      String id = NodeGossip.memberId(removed.member().uniqueAddress());
      members.remove(id);
      unreachable.remove(id);
      if (removed.previousStatus() == MemberStatus.down()) {
        return id;
      }
      left.add(id);
      return null;
    }
    if (event instanceof ClusterEvent.MemberEvent memberEvent) {
      members.add(NodeGossip.memberId(memberEvent.member().uniqueAddress()));
    } else if (event instanceof ClusterEvent.UnreachableMember u) {
      unreachable.add(NodeGossip.memberId(u.member().uniqueAddress()));
    } else if (event instanceof ClusterEvent.ReachableMember r) {
      unreachable.remove(NodeGossip.memberId(r.member().uniqueAddress()));
    }
    return null;
  }

  boolean unreachable(NodeStatus status) {
    return unreachable.contains(status.member());
  }

  /**
   * Lost: its process is not a member and it stopped gossiping a while ago. Requiring both keeps a
   * node that is still joining (gossip may arrive before its membership event) from being lost.
   */
  boolean lost(NodeStatus status, Instant now, Duration staleAfter) {
    return !members.contains(status.member()) && !left(status) && status.updatedAt().plus(staleAfter).isBefore(now);
  }

  /** Its process left the cluster gracefully: see {@link #left}. */
  boolean left(NodeStatus status) {
    return left.contains(status.member());
  }
}
