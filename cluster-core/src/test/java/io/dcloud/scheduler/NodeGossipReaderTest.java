package io.dcloud.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.node.NodeGossip;
import io.dcloud.node.NodeStatus;
import io.dcloud.testing.OneNodeCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The scheduler's reads of the node map, against a real replicator of a one-node cluster. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeGossipReaderTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final ActorTestKit testKit = OneNodeCluster.start(getClass().getSimpleName());
  private final TestProbe<Replicator.GetResponse<LWWMap<String, NodeStatus>>> replies = testKit.createTestProbe();
  private final NodeGossipReader reader =
      new NodeGossipReader(DistributedData.get(testKit.system()).replicator(), replies.getRef());

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void aPartIsNewsWhenItChangedAndOnceWhenItsLastNodeIsGone() {
    NodeStatus alpha = node("reader-alpha");
    Key<LWWMap<String, NodeStatus>> part = NodeGossip.keyFor(alpha.nodeId());

    // Every part is read; the first reads are news only for parts that hold nodes (none yet here).
    Map<Key<LWWMap<String, NodeStatus>>, Map<String, NodeStatus>> news = readAll();
    assertThat(news).doesNotContainKey(part);

    write(part, map -> map.put(self(), alpha.nodeId(), alpha));
    news = readAll();
    assertThat(news.get(part)).containsOnlyKeys(alpha.nodeId());
    // Read again without a write: the same object, no news.
    assertThat(readAll()).doesNotContainKey(part);

    NodeStatus later = node(alpha.nodeId());
    write(part, map -> map.put(self(), alpha.nodeId(), later));
    assertThat(readAll().get(part)).containsEntry(alpha.nodeId(), later);

    write(part, map -> map.remove(self(), alpha.nodeId()));
    assertThat(readAll().get(part)).isEmpty();
    assertThat(readAll()).doesNotContainKey(part);
  }

  /** Reads every part; the parts that were news, with their nodes. */
  private Map<Key<LWWMap<String, NodeStatus>>, Map<String, NodeStatus>> readAll() {
    reader.readAll();
    Map<Key<LWWMap<String, NodeStatus>>, Map<String, NodeStatus>> news = new HashMap<>();
    List<Key<LWWMap<String, NodeStatus>>> answered = new ArrayList<>();
    for (int i = 0; i < NodeGossip.PARTS; i++) {
      Replicator.GetResponse<LWWMap<String, NodeStatus>> response = replies.receiveMessage(WAIT);
      answered.add(response.key());
      Map<String, NodeStatus> changed = reader.changed(response);
      if (changed != null) {
        news.put(response.key(), changed);
      }
    }
    assertThat(answered).containsExactlyInAnyOrderElementsOf(NodeGossip.keys());
    return news;
  }

  private void write(Key<LWWMap<String, NodeStatus>> part,
      Function<LWWMap<String, NodeStatus>, LWWMap<String, NodeStatus>> change) {
    TestProbe<Replicator.UpdateResponse<LWWMap<String, NodeStatus>>> written = testKit.createTestProbe();
    DistributedData.get(testKit.system()).replicator().tell(
        new Replicator.Update<>(part, LWWMap.empty(), Replicator.writeLocal(), written.getRef(), change));
    written.expectMessageClass(Replicator.UpdateSuccess.class, WAIT);
  }

  private SelfUniqueAddress self() {
    return DistributedData.get(testKit.system()).selfUniqueAddress();
  }

  private NodeStatus node(String id) {
    return TestNodes.node(id, 4, 8L << 30, List.of(), "member", Instant.now());
  }
}
