package io.dcloud.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.node.NodeGossip;
import io.dcloud.node.NodeStatus;
import io.dcloud.resources.Resources;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.Member$;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.UniqueAddress;
import org.junit.jupiter.api.Test;

/**
 * Which gone processes took their containers with them. A member the cluster downed did (its
 * environments are re-placed); one that left gracefully did not (its operator stopped it, its
 * containers run on): even when a status it gossiped outlives it, the scheduler neither declares
 * it lost nor places anything there.
 */
class NodeMembershipTest {
  private static final Duration STALE_AFTER = Duration.ofSeconds(10);
  private static final Instant LONG_AGO = Instant.parse("2026-01-01T00:00:00Z");

  private final Member worker = Member$.MODULE$.removed(new UniqueAddress(new Address("pekko", "dcloud", "127.0.0.1", 25520), 7L));
  private final NodeMembership membership = new NodeMembership(List.of(worker), Set.of());
  private final NodeStatus lingering = new NodeStatus("w1", "host-w1", new Resources(2000, 1L << 30, 0, 0, null), List.of(),
      NodeStatus.Usage.NONE, Map.of(), true, "20.10", null, LONG_AGO, NodeGossip.memberId(worker.uniqueAddress()));

  @Test
  void aMemberThatLeftGracefullyIsNeitherLostNorACandidateWhateverItsStaleStatus() {
    String removed = membership.apply(new ClusterEvent.MemberRemoved(worker, MemberStatus.exiting()));

    assertThat(removed).as("not a loss").isNull();
    assertThat(membership.lost(lingering, Instant.now(), STALE_AFTER)).isFalse();
    GossipedNodes nodes = new GossipedNodes(membership);
    assertThat(nodes.available(lingering)).as("no placement on a node that is gone").isFalse();
  }

  @Test
  void aMemberTheClusterDownedIsLostAndSoIsOneWhoseGossipWentSilent() {
    String removed = membership.apply(new ClusterEvent.MemberRemoved(worker, MemberStatus.down()));

    assertThat(removed).isEqualTo(NodeGossip.memberId(worker.uniqueAddress()));
    assertThat(membership.lost(lingering, Instant.now(), STALE_AFTER)).isTrue();
    assertThat(new NodeMembership(List.of(), Set.of()).lost(lingering, Instant.now(), STALE_AFTER))
        .as("gone before this scheduler started, silent for longer than %s", STALE_AFTER).isTrue();
  }
}
