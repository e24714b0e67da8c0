package io.dcloud.scheduler;

import static io.dcloud.resources.Quantities.GIB;
import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.node.NodeStatus;
import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.Placement.Policy;
import io.dcloud.scheduler.PlacementDecision.Fits;
import io.dcloud.scheduler.PlacementDecision.Never;
import io.dcloud.scheduler.PlacementDecision.NotNow;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class PlacementTest {

  private static final long CORE = 1000;

  @Test
  void spreadPicksTheMostAvailableNodeAndBinpackTheLeast() {
    List<NodeCandidate> nodes = List.of(
        node("small").capacity(4, 8).build(),
        node("big").capacity(16, 64).build(),
        node("half-used").capacity(16, 64).reserved(8, 32).build());
    PlacementRequest request = request(1, 2);

    assertThat(Placement.decide(request, nodes, Policy.SPREAD)).isEqualTo(new Fits("big", List.of()));
    // After placement: big keeps 94% free, small 75%, half-used 45%.
    assertThat(Placement.decide(request, nodes, Policy.BINPACK)).isEqualTo(new Fits("half-used", List.of()));
  }

  @Test
  void aNullPolicyMeansSpread() {
    List<NodeCandidate> nodes = List.of(node("a").capacity(4, 8).build(), node("b").capacity(8, 16).build());

    assertThat(Placement.decide(request(1, 1), nodes, null)).isEqualTo(new Fits("b", List.of()));
  }

  @Test
  void tiesGoToTheSmallestNodeIdWhateverTheInputOrder() {
    List<NodeCandidate> nodes = List.of(
        node("node-c").capacity(8, 16).build(), node("node-a").capacity(8, 16).build(),
        node("node-b").capacity(8, 16).build());

    for (Policy policy : Policy.values()) {
      assertThat(Placement.decide(request(1, 1), nodes, policy)).isEqualTo(new Fits("node-a", List.of()));
      List<NodeCandidate> reversed = new ArrayList<>(nodes);
      Collections.reverse(reversed);
      assertThat(Placement.decide(request(1, 1), reversed, policy)).isEqualTo(new Fits("node-a", List.of()));
    }
  }

  @Test
  void reservationsAreRespectedSoANodeIsNeverOvercommitted() {
    // Place 2-core requests one by one on two 4-core nodes, reserving as the scheduler does.
    Map<String, Resources> reserved = new HashMap<>(Map.of("a", Resources.NONE, "b", Resources.NONE));
    List<String> placed = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      List<NodeCandidate> nodes = List.of(
          node("a").capacity(4, 16).reserved(reserved.get("a")).build(),
          node("b").capacity(4, 16).reserved(reserved.get("b")).build());
      PlacementDecision decision = Placement.decide(request(2, 1), nodes, Policy.SPREAD);
      if (decision instanceof Fits fits) {
        placed.add(fits.nodeId());
        reserved.merge(fits.nodeId(), new Resources(2 * CORE, GIB, 0, 0, null), Resources::plus);
      } else {
        assertThat(decision).isInstanceOf(NotNow.class);
        assertThat(((NotNow) decision).reason()).contains("not enough free cpu (asks for 2 cores) on a, b");
      }
    }
    assertThat(placed).containsExactly("a", "b", "a", "b");
  }

  @Test
  void checksMemoryAndStorageToo() {
    List<NodeCandidate> nodes = List.of(
        node("low-mem").capacity(8, 4).build(),
        node("low-disk").capacity(8, 64).storage(10).build(),
        node("ok").capacity(2, 64).storage(100).build());
    PlacementRequest request = new PlacementRequest("e", new Resources(CORE, 8 * GIB, 0, 50 * GIB, null), Map.of());

    assertThat(Placement.decide(request, nodes, Policy.SPREAD)).isEqualTo(new Fits("ok", List.of()));
  }

  @Test
  void allocatesTheLowestIndexFreeGpusOfTheAskedModelByUuid() {
    NodeCandidate node = node("gpu-1").capacity(32, 128)
        .gpu(0, "NVIDIA T4").gpu(1, "NVIDIA A100-SXM4-40GB").gpu(2, "NVIDIA A100-SXM4-40GB")
        .gpu(3, "NVIDIA A100-SXM4-40GB").inUse("GPU-1").build();
    PlacementRequest request = new PlacementRequest("e", new Resources(CORE, GIB, 2, 0, "a100"), Map.of());

    assertThat(Placement.decide(request, List.of(node), Policy.SPREAD))
        .isEqualTo(new Fits("gpu-1", List.of("GPU-2", "GPU-3")));
    PlacementRequest anyModel = new PlacementRequest("e", new Resources(CORE, GIB, 2, 0, null), Map.of());
    assertThat(Placement.decide(anyModel, List.of(node), Policy.SPREAD))
        .isEqualTo(new Fits("gpu-1", List.of("GPU-0", "GPU-2")));
  }

  @Test
  void aGpuRequestSkipsNodesWithoutEnoughFreeGpus() {
    List<NodeCandidate> nodes = List.of(
        node("cpu-only").capacity(64, 256).build(),
        node("busy-gpu").capacity(8, 32).gpu(0, "T4").inUse("GPU-0").build(),
        node("free-gpu").capacity(8, 32).gpu(0, "T4").build());

    assertThat(Placement.decide(request(1, 1, 1), nodes, Policy.SPREAD)).isEqualTo(new Fits("free-gpu", List.of("GPU-0")));
  }

  @Test
  void spreadCountsGpusOnlyWhenAskedFor() {
    List<NodeCandidate> nodes = List.of(
        node("gpus-mostly-free").capacity(8, 32).gpu(0, "T4").gpu(1, "T4").gpu(2, "T4").gpu(3, "T4").build(),
        node("gpus-mostly-used").capacity(8, 32).gpu(0, "T4").gpu(1, "T4").gpu(2, "T4").gpu(3, "T4")
            .inUse("GPU-0", "GPU-1", "GPU-2").build());

    assertThat(Placement.decide(request(1, 1, 1), nodes, Policy.SPREAD))
        .isEqualTo(new Fits("gpus-mostly-free", List.of("GPU-0")));
    assertThat(Placement.decide(request(1, 1, 1), nodes, Policy.BINPACK))
        .isEqualTo(new Fits("gpus-mostly-used", List.of("GPU-3")));
  }

  @Test
  void constraintsMustMatchNodeLabels() {
    List<NodeCandidate> nodes = List.of(
        node("eu-hdd").capacity(64, 256).labels(Map.of("zone", "eu", "disk", "hdd")).build(),
        node("eu-ssd").capacity(4, 8).labels(Map.of("zone", "eu", "disk", "ssd")).build(),
        node("us-ssd").capacity(64, 256).labels(Map.of("zone", "us", "disk", "ssd")).build());
    PlacementRequest request = new PlacementRequest("e", new Resources(CORE, GIB, 0, 0, null),
        Map.of("zone", "eu", "disk", "ssd"));

    assertThat(Placement.decide(request, nodes, Policy.SPREAD)).isEqualTo(new Fits("eu-ssd", List.of()));
    PlacementRequest nowhere = new PlacementRequest("e", new Resources(CORE, GIB, 0, 0, null), Map.of("zone", "ap"));
    assertThat(Placement.decide(nowhere, nodes, Policy.SPREAD)).isEqualTo(new Never("no node has the labels zone=ap"));
  }

  @Test
  void unschedulableAndRuntimeLessNodesAreSkipped() {
    List<NodeCandidate> nodes = List.of(
        node("cordoned").capacity(64, 256).schedulable(false).build(),
        node("no-docker").capacity(64, 256).runtime(false).build(),
        node("small").capacity(2, 4).build());

    assertThat(Placement.decide(request(1, 1), nodes, Policy.SPREAD)).isEqualTo(new Fits("small", List.of()));
    PlacementDecision big = Placement.decide(request(8, 1), nodes, Policy.SPREAD);
    assertThat(big).isEqualTo(new NotNow("no node has room now: not schedulable (cordoned or draining) on cordoned;"
        + " container runtime unavailable on no-docker; not enough free cpu (asks for 8 cores) on small"));
  }

  @Test
  void moreGpusThanAnyNodeHasIsNeverWithTheLargestNode() {
    List<NodeCandidate> nodes = List.of(
        node("node-0").capacity(8, 32).gpu(0, "T4").build(),
        node("node-1").capacity(16, (long) (62.8 * 1024), true).gpus(8, "A100").build());

    assertThat(Placement.decide(request(1, 1, 64), nodes, Policy.SPREAD)).isEqualTo(
        new Never("asks for 64 GPUs but the largest node (node-1) has 8 GPUs, 16 cores, 62.8 GiB memory"));
  }

  @Test
  void neverNamesTheShortDimension() {
    List<NodeCandidate> nodes = List.of(node("n1").capacity(16, 64).storage(100).build());

    assertThat(Placement.decide(request(32, 1), nodes, Policy.SPREAD))
        .isEqualTo(new Never("asks for 32 cores but the largest node (n1) has 0 GPUs, 16 cores, 64 GiB memory"));
    assertThat(Placement.decide(request(1, 128), nodes, Policy.SPREAD))
        .isEqualTo(new Never("asks for 128 GiB memory but the largest node (n1) has 0 GPUs, 16 cores, 64 GiB memory"));
    PlacementRequest disk = new PlacementRequest("e", new Resources(CORE, GIB, 0, 200 * GIB, null), Map.of());
    assertThat(((Never) Placement.decide(disk, nodes, Policy.SPREAD)).reason())
        .isEqualTo("asks for 200 GiB storage but the largest node (n1) has 0 GPUs, 16 cores, 64 GiB memory,"
            + " 100 GiB storage");
  }

  @Test
  void neverWhenNoNodeHasTheGpuModel() {
    List<NodeCandidate> nodes = List.of(node("n1").capacity(16, 64).gpus(4, "NVIDIA T4").build());
    PlacementRequest request = new PlacementRequest("e", new Resources(CORE, GIB, 1, 0, "H100"), Map.of());

    assertThat(Placement.decide(request, nodes, Policy.SPREAD))
        .isEqualTo(new Never("no node has a GPU whose name contains \"H100\""));
  }

  @Test
  void neverWhenEachDimensionFitsSomeNodeButNoNodeFitsAll() {
    List<NodeCandidate> nodes = List.of(
        node("many-cores").capacity(64, 8).build(),
        node("much-memory").capacity(4, 512).build());

    PlacementDecision decision = Placement.decide(request(32, 256), nodes, Policy.SPREAD);
    assertThat(decision).isInstanceOf(Never.class);
    assertThat(((Never) decision).reason()).startsWith("no node is large enough for all of it at once");
  }

  @Test
  void notNowWhenItWouldFitOnceCapacityFrees() {
    List<NodeCandidate> nodes = List.of(
        node("n1").capacity(8, 32).reserved(7, 4).build(),
        node("n2").capacity(8, 32).gpus(2, "T4").inUse("GPU-0", "GPU-1").build());

    assertThat(Placement.decide(request(2, 1), nodes, Policy.SPREAD)).isEqualTo(new Fits("n2", List.of()));
    assertThat(Placement.decide(request(2, 1, 1), nodes, Policy.SPREAD))
        .isEqualTo(new NotNow("no node has room now: not enough free GPUs (asks for 1 GPU) on n1, n2"));
    // A cordoned node still counts as one that could hold it later: NotNow, not Never.
    List<NodeCandidate> cordoned = List.of(node("n1").capacity(8, 32).schedulable(false).build());
    assertThat(Placement.decide(request(8, 32), cordoned, Policy.SPREAD)).isInstanceOf(NotNow.class);
  }

  @Test
  void anEmptyClusterIsNotNow() {
    assertThat(Placement.decide(request(1, 1), List.of(), Policy.SPREAD))
        .isEqualTo(new NotNow("no worker node is up yet"));
  }

  @Test
  void theSameInputsAlwaysGiveTheSameDecision() {
    List<NodeCandidate> nodes = new ArrayList<>();
    IntStream.range(0, 50).forEach(i -> nodes.add(node("n" + i).capacity(4 + i % 5, 16 + i % 7).reserved(i % 3, i % 4).build()));
    PlacementDecision first = Placement.decide(request(2, 3), nodes, Policy.BINPACK);
    for (int i = 0; i < 10; i++) {
      Collections.shuffle(nodes, new Random(i));
      assertThat(Placement.decide(request(2, 3), nodes, Policy.BINPACK)).isEqualTo(first);
    }
  }

  @Test
  void onALargeClusterOnlyTheFirstFittingNodesOfTheRotationAreRankedAndTheRestAreNotLookedAt() {
    List<NodeCandidate> nodes = new ArrayList<>();
    IntStream.range(0, 100).forEach(i -> nodes.add(node(String.format("n%03d", i)).capacity(8, 32).reserved(i % 8, 0).build()));
    List<Integer> looked = new ArrayList<>();
    List<NodeCandidate> watched = new AbstractList<>() {
      @Override
      public NodeCandidate get(int index) {
        looked.add(index);
        return nodes.get(index);
      }

      @Override
      public int size() {
        return nodes.size();
      }
    };

    PlacementDecision decision = Placement.decideAmong(request(1, 1), watched, Policy.SPREAD, 4);

    assertThat(looked).hasSize(4);
    List<NodeCandidate> ranked = looked.stream().map(nodes::get).toList();
    assertThat(decision).isEqualTo(Placement.decide(request(1, 1), ranked, Policy.SPREAD));
    assertThat(Placement.decideAmong(request(1, 1), nodes, Policy.SPREAD, 4)).isEqualTo(decision);
  }

  @Test
  void onALargeClusterRequestsStartTheirRotationAtDifferentNodesAndFindTheOneThatFits() {
    List<NodeCandidate> nodes = new ArrayList<>();
    IntStream.range(0, 100).forEach(i -> nodes.add(node(String.format("n%03d", i)).capacity(8, 32).build()));
    Set<PlacementDecision> chosen = new HashSet<>();
    IntStream.range(0, 20).forEach(i -> chosen.add(
        Placement.decideAmong(new PlacementRequest("env-" + i, new Resources(CORE, 1L << 30, 0, 0, null), Map.of()),
            nodes, Policy.SPREAD, 4)));
    assertThat(chosen).hasSizeGreaterThan(10);

    List<NodeCandidate> oneFits = new ArrayList<>();
    IntStream.range(0, 100).forEach(i -> oneFits.add(node(String.format("n%03d", i)).capacity(8, 32).reserved(i == 77 ? 0 : 8, 0).build()));
    assertThat(Placement.decideAmong(request(1, 1), oneFits, Policy.SPREAD, 4)).isEqualTo(new Fits("n077", List.of()));
    List<NodeCandidate> full = new ArrayList<>();
    IntStream.range(0, 100).forEach(i -> full.add(node(String.format("n%03d", i)).capacity(8, 32).reserved(8, 0).build()));
    assertThat(Placement.decideAmong(request(1, 1), full, Policy.SPREAD, 4)).isInstanceOf(NotNow.class);
  }

  // ---------------------------------------------------------------- fixtures

  private static PlacementRequest request(long cores, long memoryGib) {
    return request(cores, memoryGib, 0);
  }

  private static PlacementRequest request(long cores, long memoryGib, int gpus) {
    return new PlacementRequest("env-1", new Resources(cores * CORE, memoryGib * GIB, gpus, 0, null), Map.of());
  }

  private static NodeBuilder node(String id) {
    return new NodeBuilder(id);
  }

  /** A node in a few words: capacity in cores and GiB, GPUs with UUIDs "GPU-<index>". */
  private static final class NodeBuilder {
    private final String id;
    private long milliCpus;
    private long memoryBytes;
    private long storageBytes = 1000 * GIB;
    private final List<GpuDevice> gpus = new ArrayList<>();
    private final Set<String> inUse = new HashSet<>();
    private Map<String, String> labels = Map.of();
    private Resources reserved = Resources.NONE;
    private boolean schedulable = true;
    private boolean runtime = true;

    NodeBuilder(String id) {
      this.id = id;
    }

    NodeBuilder capacity(long cores, long memoryGib) {
      return capacity(cores, memoryGib * 1024, true);
    }

    /** Memory in MiB, for capacities such as 62.8 GiB. */
    NodeBuilder capacity(long cores, long memoryMib, boolean mib) {
      milliCpus = cores * CORE;
      memoryBytes = memoryMib * 1024 * 1024;
      return this;
    }

    NodeBuilder storage(long gib) {
      storageBytes = gib * GIB;
      return this;
    }

    NodeBuilder gpu(int index, String name) {
      gpus.add(new GpuDevice(index, "GPU-" + index, name, null));
      return this;
    }

    NodeBuilder gpus(int count, String name) {
      IntStream.range(0, count).forEach(i -> gpu(i, name));
      return this;
    }

    NodeBuilder inUse(String... uuids) {
      inUse.addAll(List.of(uuids));
      return this;
    }

    NodeBuilder labels(Map<String, String> labels) {
      this.labels = labels;
      return this;
    }

    NodeBuilder reserved(long cores, long memoryGib) {
      return reserved(new Resources(cores * CORE, memoryGib * GIB, 0, 0, null));
    }

    NodeBuilder reserved(Resources reserved) {
      this.reserved = reserved;
      return this;
    }

    NodeBuilder schedulable(boolean schedulable) {
      this.schedulable = schedulable;
      return this;
    }

    NodeBuilder runtime(boolean available) {
      this.runtime = available;
      return this;
    }

    NodeCandidate build() {
      NodeStatus status = new NodeStatus(id, "127.0.0.1", new Resources(milliCpus, memoryBytes, gpus.size(), storageBytes, null),
          List.copyOf(gpus), NodeStatus.Usage.NONE, labels, runtime, runtime ? "20.10" : null,
          runtime ? null : "docker not running", Instant.EPOCH, "member-" + id);
      return new NodeCandidate(status, reserved, Set.copyOf(inUse), schedulable);
    }
  }
}
