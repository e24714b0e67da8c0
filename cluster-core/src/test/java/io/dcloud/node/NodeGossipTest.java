package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import java.util.stream.IntStream;
import org.apache.pekko.cluster.ddata.Key;
import org.junit.jupiter.api.Test;

class NodeGossipTest {

  @Test
  void aNodeAlwaysGossipsUnderTheSameKeyAndAThousandNodesSpreadOverEveryPart() {
    Map<Key<?>, Integer> nodesPerPart = new HashMap<>();
    IntStream.rangeClosed(1, 1000).mapToObj(n -> String.format("hollow-%04d", n))
        .forEach(id -> nodesPerPart.merge(NodeGossip.keyFor(id), 1, Integer::sum));

    assertThat(NodeGossip.keyFor("gpu-box-7")).isEqualTo(NodeGossip.keyFor(new String("gpu-box-7")));
    assertThat(NodeGossip.keys()).hasSize(NodeGossip.PARTS).doesNotHaveDuplicates();
    assertThat(nodesPerPart.keySet()).containsExactlyInAnyOrderElementsOf(NodeGossip.keys());
    // No part holds more than a few times its share, or splitting would not bound a merge.
    assertThat(nodesPerPart.values()).allSatisfy(count -> assertThat(count).isLessThan(3 * 1000 / NodeGossip.PARTS));
  }
}
