package io.dcloud.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.node.NodeGossip;
import io.dcloud.node.NodeStatus;
import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Resources;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/** Nodes as the scheduler hears of them: their status written into the gossiped map of a test's one-node cluster. */
final class TestNodes {
  private static final long GIB = 1L << 30;

  private TestNodes() {}

  static void gossip(ActorTestKit testKit, NodeStatus status) {
    SelfUniqueAddress self = DistributedData.get(testKit.system()).selfUniqueAddress();
    TestProbe<Replicator.UpdateResponse<LWWMap<String, NodeStatus>>> written = testKit.createTestProbe();
    DistributedData.get(testKit.system()).replicator().tell(new Replicator.Update<>(
        NodeGossip.keyFor(status.nodeId()), LWWMap.empty(), Replicator.writeLocal(), written.getRef(),
        map -> map.put(self, status.nodeId(), status)));
    written.expectMessageClass(Replicator.UpdateSuccess.class, Duration.ofSeconds(10));
  }

  /** The node carries a label of its own id, which {@link #request}s require, so tests sharing a cluster do not meet. */
  static NodeStatus node(String id, int cores, long memory, List<GpuDevice> gpus, String member, Instant seen) {
    return new NodeStatus(id, "host-" + id, new Resources(cores * 1000L, memory, gpus.size(), 100 * GIB, null), gpus,
        NodeStatus.Usage.NONE, Map.of("test", id), true, "20.10", null, seen, member);
  }

  /** Until the scheduler knows the node (gossip reaches it a moment after it is written). */
  static void awaitNode(ActorTestKit testKit, ActorRef<Scheduler.Command> scheduler, String nodeId) {
    TestProbe<Scheduler.Nodes> nodes = testKit.createTestProbe();
    nodes.awaitAssert(Duration.ofSeconds(10), () -> {
      scheduler.tell(new Scheduler.GetNodes(nodes.getRef()));
      assertThat(nodes.receiveMessage().nodes()).extracting(view -> view.status().nodeId()).contains(nodeId);
      return null;
    });
  }

  static PlacementRequest request(String nodeId, String id, long milliCpus, long memory, int gpus) {
    return new PlacementRequest(id, new Resources(milliCpus, memory, gpus, 0, null), Map.of("test", nodeId));
  }
}
