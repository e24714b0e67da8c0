package io.dcloud.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.node.NodeStatus;
import io.dcloud.resources.Resources;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The words a dry run shows for a granted placement: the policy's criterion and what the node keeps. */
class PlacementExplanationTest {
  private static final long GIB = 1L << 30;
  private static final NodeCandidate NODE = new NodeCandidate(
      new NodeStatus("n1", "host-n1", new Resources(8000, 16 * GIB, 2, 100 * GIB, null), List.of(), NodeStatus.Usage.NONE,
          Map.of(), true, "20.10", null, Instant.EPOCH, "member"),
      new Resources(2000, 4 * GIB, 0, 0, null), Set.of(), true);
  private static final PlacementRequest REQUEST = new PlacementRequest("e1", new Resources(1000, 2 * GIB, 1, 0, null), Map.of());

  @Test
  void spreadSaysMostFreeAndWhatTheNodeKeepsAfterTheRequestAndItsReservations() {
    assertThat(PlacementExplanation.whyFits(REQUEST, NODE, Placement.Policy.SPREAD, List.of("GPU-a")))
        .isEqualTo("most free cpu and memory (spread): n1 keeps 5 cores and 10 GiB free after this; allocated GPUs GPU-a");
  }

  @Test
  void binpackSaysFullestThatFits() {
    assertThat(PlacementExplanation.whyFits(REQUEST, NODE, Placement.Policy.BINPACK, List.of()))
        .isEqualTo("the fullest node that fits (binpack): n1 keeps 5 cores and 10 GiB free after this");
  }
}
