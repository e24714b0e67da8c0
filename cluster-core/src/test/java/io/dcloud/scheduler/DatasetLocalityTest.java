package io.dcloud.scheduler;

import static io.dcloud.resources.Quantities.GIB;
import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.node.NodeStatus;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.Placement.Policy;
import io.dcloud.scheduler.PlacementDecision.Fits;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Placement's data locality: a soft preference for nodes whose cache holds the request's dataset versions. */
class DatasetLocalityTest {
  private static final String CIFAR = "images/cifar/train";
  private static final String HOLDS_CIFAR_3 = "holds dataset images/cifar/train v3 in its cache";

  @Test
  void theNodeHoldingTheVersionWinsOverTheMostAvailableOne() {
    List<NodeCandidate> nodes = List.of(
        node("big", 16, 64, true, List.of()),
        node("small", 4, 8, true, List.of(CIFAR + "@3")));

    assertThat(Placement.decide(request(CIFAR + "@3"), nodes, Policy.SPREAD))
        .isEqualTo(new Fits("small", List.of(), HOLDS_CIFAR_3));
    assertThat(Placement.decide(request(CIFAR + "@3"), nodes, Policy.BINPACK))
        .isEqualTo(new Fits("small", List.of(), HOLDS_CIFAR_3));
    // Another version of the dataset, or none named: the policy decides, and says nothing of caches.
    assertThat(Placement.decide(request(CIFAR + "@2"), nodes, Policy.SPREAD)).isEqualTo(new Fits("big", List.of()));
    assertThat(Placement.decide(request(), nodes, Policy.SPREAD)).isEqualTo(new Fits("big", List.of()));
  }

  @Test
  void neverOverAHardConstraint() {
    List<NodeCandidate> tooSmall = List.of(
        node("big", 16, 64, true, List.of()), node("small", 4, 1, true, List.of(CIFAR + "@3")));
    List<NodeCandidate> cordoned = List.of(
        node("big", 16, 64, true, List.of()), node("small", 4, 8, false, List.of(CIFAR + "@3")));

    // 2 GiB asked: the caching node has 1 GiB.
    assertThat(Placement.decide(request(CIFAR + "@3"), tooSmall, Policy.SPREAD)).isEqualTo(new Fits("big", List.of()));
    assertThat(Placement.decide(request(CIFAR + "@3"), cordoned, Policy.SPREAD)).isEqualTo(new Fits("big", List.of()));
  }

  @Test
  void theOffSwitchLeavesThePolicyAlone() {
    List<NodeCandidate> nodes = List.of(
        node("big", 16, 64, true, List.of()), node("small", 4, 8, true, List.of(CIFAR + "@3")));

    assertThat(Placement.decide(request(CIFAR + "@3"), nodes, Policy.SPREAD, false)).isEqualTo(new Fits("big", List.of()));
    assertThat(Placement.decideAmong(request(CIFAR + "@3"), nodes, Policy.SPREAD, 1, false))
        .isEqualTo(new Fits("big", List.of()));
  }

  @Test
  void latestMatchesTheNewestVersionAnyNodeCaches() {
    List<NodeCandidate> nodes = List.of(
        node("a-stale", 16, 64, true, List.of(CIFAR + "@2")),
        node("b-fresh", 4, 8, true, List.of(CIFAR + "@3")),
        node("c-none", 32, 128, true, List.of()));

    assertThat(Placement.decide(request(CIFAR + "@latest"), nodes, Policy.SPREAD))
        .isEqualTo(new Fits("b-fresh", List.of(), HOLDS_CIFAR_3));
  }

  @Test
  void theNodeHoldingMoreOfTheDatasetsWinsAndTheReasonNamesThem() {
    List<NodeCandidate> nodes = List.of(
        node("one", 16, 64, true, List.of(CIFAR + "@3")),
        node("both", 4, 8, true, List.of("images/cifar/test@1", CIFAR + "@3")));

    assertThat(Placement.decide(request(CIFAR + "@3", "images/cifar/test@1"), nodes, Policy.SPREAD)).isEqualTo(new Fits(
        "both", List.of(), "holds datasets images/cifar/train v3 and images/cifar/test v1 in its cache"));
  }

  @Test
  void whenEveryNodeHoldsItThePolicyDecides() {
    List<NodeCandidate> nodes = List.of(
        node("big", 16, 64, true, List.of(CIFAR + "@3")), node("small", 4, 8, true, List.of(CIFAR + "@3")));

    assertThat(Placement.decide(request(CIFAR + "@3"), nodes, Policy.SPREAD)).isEqualTo(new Fits("big", List.of()));
  }

  @Test
  void onALargeClusterTheCachingNodeIsRankedWhereverTheRotationStarts() {
    List<NodeCandidate> nodes = new ArrayList<>();
    IntStream.range(0, 100).forEach(i -> nodes.add(node(
        String.format("n%03d", i), 8, 32, true, i == 57 ? List.of(CIFAR + "@3") : List.of())));

    for (int e = 0; e < 10; e++) {
      PlacementRequest request = new PlacementRequest("e" + e, new Resources(1000, 2 * GIB, 0, 0, null), Map.of(), null,
          List.of(CIFAR + "@3"));
      assertThat(Placement.decideAmong(request, nodes, Policy.SPREAD, 4)).isEqualTo(new Fits("n057", List.of(), HOLDS_CIFAR_3));
    }
  }

  private static PlacementRequest request(String... datasets) {
    return new PlacementRequest("e1", new Resources(1000, 2 * GIB, 0, 0, null), Map.of(), null,
        datasets.length == 0 ? null : List.of(datasets));
  }

  private static NodeCandidate node(String id, long cores, long memoryGib, boolean schedulable, List<String> cached) {
    NodeStatus status = new NodeStatus(id, "127.0.0.1", new Resources(cores * 1000, memoryGib * GIB, 0, 100 * GIB, null),
        List.of(), NodeStatus.Usage.NONE, Map.of(), true, "24.0.5", null, Instant.EPOCH, "member-" + id, cached);
    return new NodeCandidate(status, Resources.NONE, Set.of(), schedulable);
  }
}
