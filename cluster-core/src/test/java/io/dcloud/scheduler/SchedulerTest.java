package io.dcloud.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.node.NodeGossip;
import io.dcloud.node.NodeStatus;
import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Resources;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.Test;

/** Placing, queueing and refusing: what the scheduler answers, and that it never overcommits a node. */
class SchedulerTest extends SchedulerClusterFixture {

  @Test
  void placesQueuesRefusesAndPlacesFromTheQueueWhenCapacityFrees() {
    String nodeId = "n-" + UUID.randomUUID();
    String id = UUID.randomUUID().toString();
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS, answers));
    gossip(node(nodeId, 2, 4 * GIB, List.of(new GpuDevice(0, "GPU-a", "NVIDIA A100", 40960L))));

    awaitNode(scheduler, nodeId);

    scheduler.tell(new Scheduler.Place(request(nodeId, id + "-big", 2000, 3 * GIB, 1)));
    PlacementAnswer.Granted placed = expectFor(id + "-big", PlacementAnswer.Granted.class);
    assertThat(placed.nodeId()).isEqualTo(nodeId);
    assertThat(placed.gpuUuids()).containsExactly("GPU-a");

    scheduler.tell(new Scheduler.Place(request(nodeId, id + "-waits", 1000, GIB, 0)));
    PlacementAnswer.Waiting queued = expectFor(id + "-waits", PlacementAnswer.Waiting.class);
    assertThat(queued.position()).isEqualTo(1);

    scheduler.tell(new Scheduler.Place(request(nodeId, id + "-never", 1000, GIB, 64)));
    assertThat(expectFor(id + "-never", PlacementAnswer.Refused.class).reason()).contains("64 GPUs");

    TestProbe<Scheduler.Feasibility> feasibility = testKit.createTestProbe();
    scheduler.tell(new Scheduler.CheckFeasible(request(nodeId, id + "-check", 1000, GIB, 64), feasibility.getRef()));
    assertThat(feasibility.receiveMessage(WAIT).reason()).contains("64 GPUs");
    scheduler.tell(new Scheduler.CheckFeasible(request(nodeId, id + "-check", 1000, GIB, 0), feasibility.getRef()));
    assertThat(feasibility.receiveMessage(WAIT).feasible()).as("fits later, once capacity frees").isTrue();

    scheduler.tell(new Scheduler.Release(id + "-big"));
    assertThat(expectFor(id + "-waits", PlacementAnswer.Granted.class).nodeId()).isEqualTo(nodeId);
    testKit.stop(scheduler);
  }

  /** A resized environment's start asks for other resources than its reservation holds: it is placed anew, at its new size. */
  @Test
  void aPlaceForOtherResourcesThanItsReservationIsDecidedAnewAtTheNewSize() {
    String nodeId = "n-" + UUID.randomUUID();
    String id = UUID.randomUUID().toString();
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS, answers));
    gossip(node(nodeId, 2, 4 * GIB, List.of()));
    awaitNode(scheduler, nodeId);

    scheduler.tell(new Scheduler.Place(request(nodeId, id, 1000, GIB, 0)));
    assertThat(expectFor(id, PlacementAnswer.Granted.class).nodeId()).isEqualTo(nodeId);
    scheduler.tell(new Scheduler.Place(request(nodeId, id, 2000, 2 * GIB, 0)));
    assertThat(expectFor(id, PlacementAnswer.Granted.class).nodeId()).isEqualTo(nodeId);

    TestProbe<Scheduler.Nodes> nodes = testKit.createTestProbe();
    scheduler.tell(new Scheduler.GetNodes(nodes.getRef()));
    assertThat(view(nodes.receiveMessage(WAIT), nodeId).reserved())
        .as("the new size instead of the old, not both").isEqualTo(new Resources(2000, 2 * GIB, 0, 0, null));
    scheduler.tell(new Scheduler.Place(request(nodeId, id + "-other", 1000, GIB, 0)));
    assertThat(expectFor(id + "-other", PlacementAnswer.Waiting.class).position()).as("both cores are its now").isEqualTo(1);
    testKit.stop(scheduler);
  }

  @Test
  void aPreviewSaysWhereAndWhyAndReservesQueuesAndPersistsNothing() {
    String nodeId = "n-" + UUID.randomUUID();
    String id = UUID.randomUUID().toString();
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS, answers));
    gossip(node(nodeId, 2, 4 * GIB, List.of(new GpuDevice(0, "GPU-p", "NVIDIA A100", 40960L))));
    awaitNode(scheduler, nodeId);
    TestProbe<PlacementPreview> previews = testKit.createTestProbe();

    scheduler.tell(new Scheduler.Preview(request(nodeId, id, 1000, GIB, 1), previews.getRef()));
    PlacementPreview fits = previews.receiveMessage(WAIT);
    assertThat(fits.outcome()).isEqualTo(PlacementPreview.Outcome.FITS);
    assertThat(fits.nodeId()).isEqualTo(nodeId);
    assertThat(fits.gpuUuids()).containsExactly("GPU-p");
    assertThat(fits.reason()).contains("(spread)", nodeId, "1 core", "GPU-p");
    PersistenceTestKit.create(testKit.system()).expectNothingPersisted(Scheduler.PERSISTENCE_ID.id());
    TestProbe<Scheduler.Nodes> nodes = testKit.createTestProbe();
    scheduler.tell(new Scheduler.GetNodes(nodes.getRef()));
    NodeView untouched = view(nodes.receiveMessage(WAIT), nodeId);
    assertThat(untouched.reserved()).isEqualTo(Resources.NONE);
    assertThat(untouched.gpusInUse()).isEmpty();
    assertThat(untouched.environmentCount()).isZero();

    scheduler.tell(new Scheduler.Place(request(nodeId, id + "-big", 2000, 3 * GIB, 1)));
    assertThat(expectFor(id + "-big", PlacementAnswer.Granted.class).nodeId()).isEqualTo(nodeId);
    scheduler.tell(new Scheduler.Preview(request(nodeId, id, 1000, GIB, 0), previews.getRef()));
    PlacementPreview queued = previews.receiveMessage(WAIT);
    assertThat(queued.outcome()).isEqualTo(PlacementPreview.Outcome.QUEUED);
    assertThat(queued.nodeId()).isNull();
    assertThat(queued.reason()).contains("no node has room now", nodeId);
    scheduler.tell(new Scheduler.Preview(request(nodeId, id, 1000, GIB, 64), previews.getRef()));
    PlacementPreview never = previews.receiveMessage(WAIT);
    assertThat(never.outcome()).isEqualTo(PlacementPreview.Outcome.NEVER);
    assertThat(never.reason()).contains("64 GPUs");

    // Only the real placement holds the node; the previewed request is placed when it really asks.
    scheduler.tell(new Scheduler.GetNodes(nodes.getRef()));
    assertThat(view(nodes.receiveMessage(WAIT), nodeId).environmentCount()).isEqualTo(1);
    scheduler.tell(new Scheduler.Release(id + "-big"));
    scheduler.tell(new Scheduler.Place(request(nodeId, id, 1000, GIB, 0)));
    assertThat(expectFor(id, PlacementAnswer.Granted.class).nodeId()).isEqualTo(nodeId);
    testKit.stop(scheduler);
  }

  @Test
  void aThousandConcurrentRequestsNeverOvercommitANodeAndNoneIsLost() {
    String run = UUID.randomUUID().toString();
    List<String> nodeIds = List.of(run + "-a", run + "-b", run + "-c");
    String self = NodeGossip.memberId(Cluster.get(testKit.system()).selfMember().uniqueAddress());
    for (String nodeId : nodeIds) {
      gossip(new NodeStatus(nodeId, "host", new Resources(4000, 8 * GIB, 0, 100 * GIB, null), List.of(),
          NodeStatus.Usage.NONE, Map.of("run", run), true, "20.10", null, Instant.now(), self));
    }
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS, answers));
    nodeIds.forEach(nodeId -> awaitNode(scheduler, nodeId));

    int requests = 1000;
    for (int i = 0; i < requests; i++) {
      scheduler.tell(new Scheduler.Place(new PlacementRequest(
          run + "-env-" + i, new Resources(500, GIB / 2, 0, 0, null), Map.of("run", run))));
    }
    Set<String> answered = new HashSet<>();
    Map<String, String> placedOn = new HashMap<>();
    while (answered.size() < requests) {
      Answered answer = entities.receiveMessage(WAIT);
      if (!answer.environmentId().startsWith(run)) {
        continue;
      }
      if (answer.answer() instanceof PlacementAnswer.Granted placed) {
        placedOn.put(answer.environmentId(), placed.nodeId());
      } else {
        assertThat(answer.answer()).isInstanceOf(PlacementAnswer.Waiting.class);
      }
      answered.add(answer.environmentId());
    }
    // 4 cores / 0.5 = 8 per node, and 8 GiB / 0.5 GiB = 16: cores bound it at 8 each.
    assertThat(placedOn).hasSize(24);
    nodeIds.forEach(nodeId -> assertThat(placedOn.values().stream().filter(nodeId::equals).count()).isEqualTo(8));

    TestProbe<Scheduler.Nodes> nodes = testKit.createTestProbe();
    scheduler.tell(new Scheduler.GetNodes(nodes.getRef()));
    nodes.receiveMessage(WAIT).nodes().stream()
        .filter(view -> nodeIds.contains(view.status().nodeId()))
        .forEach(view -> assertThat(view.reserved().milliCpus()).isLessThanOrEqualTo(view.status().capacity().milliCpus()));
    testKit.stop(scheduler);

    // A round's decisions are one event: fewer events than decisions, and every decision in one.
    List<Object> journal = PersistenceTestKit.create(testKit.system()).persistedInStorage(Scheduler.PERSISTENCE_ID.id());
    assertThat(journal).allMatch(Scheduler.PlacementsDecided.class::isInstance).hasSizeLessThan(requests);
    List<Scheduler.PlacementsDecided> rounds = journal.stream().map(Scheduler.PlacementsDecided.class::cast).toList();
    assertThat(rounds.stream().mapToInt(round -> round.reserved().size()).sum()).isEqualTo(24);
    assertThat(rounds.stream().mapToInt(round -> round.enqueued().size()).sum()).isEqualTo(requests - 24);
  }

  @Test
  void aGrantedPlaceOnTheNodeCachingTheDatasetSaysSo() {
    String run = "loc-" + UUID.randomUUID();
    String self = NodeGossip.memberId(Cluster.get(testKit.system()).selfMember().uniqueAddress());
    // The larger node would win by spread; the smaller one holds the dataset version.
    gossip(new NodeStatus(run + "-big", "host", new Resources(16_000, 64 * GIB, 0, 100 * GIB, null), List.of(),
        NodeStatus.Usage.NONE, Map.of("run", run), true, "20.10", null, Instant.now(), self, List.of()));
    gossip(new NodeStatus(run + "-caching", "host", new Resources(4000, 8 * GIB, 0, 100 * GIB, null), List.of(),
        NodeStatus.Usage.NONE, Map.of("run", run), true, "20.10", null, Instant.now(), self,
        List.of("images/cifar/train@3")));
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS, answers));
    awaitNode(scheduler, run + "-big");
    awaitNode(scheduler, run + "-caching");

    PlacementRequest request = new PlacementRequest(run + "-env", new Resources(1000, GIB, 0, 0, null),
        Map.of("run", run), null, List.of("images/cifar/train@latest"));
    TestProbe<PlacementPreview> previews = testKit.createTestProbe();
    scheduler.tell(new Scheduler.Preview(request, previews.getRef()));
    // A dry run hears the same reason as the real placement.
    assertThat(previews.receiveMessage(WAIT).reason()).isEqualTo("holds dataset images/cifar/train v3 in its cache");
    scheduler.tell(new Scheduler.Place(request));

    PlacementAnswer.Granted granted = expectFor(run + "-env", PlacementAnswer.Granted.class);
    assertThat(granted.nodeId()).isEqualTo(run + "-caching");
    assertThat(granted.reason()).isEqualTo("holds dataset images/cifar/train v3 in its cache");
    testKit.stop(scheduler);
  }

  /**
   * A service's replicas go to different nodes, before data locality and whatever the policy: three
   * replicas asked at once (one round) over three nodes, the one caching their model the largest,
   * land one on each; a fourth goes where the cache is again. Another service's replicas do not count.
   */
  @Test
  void aServicesReplicasAreSpreadOverTheNodesBeforeDataLocality() {
    String run = "spread-" + UUID.randomUUID();
    String self = NodeGossip.memberId(Cluster.get(testKit.system()).selfMember().uniqueAddress());
    for (String id : List.of("a", "b", "c")) {
      boolean caching = id.equals("a");
      gossip(new NodeStatus(run + "-" + id, "host", new Resources(caching ? 32_000 : 8000, (caching ? 128 : 32) * GIB, 0,
          100 * GIB, null), List.of(), NodeStatus.Usage.NONE, Map.of("run", run), true, "20.10", null, Instant.now(), self,
          caching ? List.of("models/iris/bundle@1") : List.of()));
    }
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS, answers));
    List.of("a", "b", "c").forEach(id -> awaitNode(scheduler, run + "-" + id));

    scheduler.tell(new Scheduler.Place(replica(run, "other-0", "other-service")));
    assertThat(expectFor(run + "-other-0", PlacementAnswer.Granted.class).nodeId()).isEqualTo(run + "-a");
    for (int i = 0; i < 3; i++) {
      scheduler.tell(new Scheduler.Place(replica(run, "iris-" + i, "iris")));
    }
    java.util.Set<String> nodes = new java.util.HashSet<>();
    for (PlacementAnswer.Granted granted : expectForEach(PlacementAnswer.Granted.class,
        List.of(run + "-iris-0", run + "-iris-1", run + "-iris-2")).values()) {
      nodes.add(granted.nodeId());
      if (!granted.nodeId().equals(run + "-a")) {
        assertThat(granted.reason()).isEqualTo("spreads its service's replicas: holds 0 of them");
      }
    }
    assertThat(nodes).as("one replica a node").containsExactlyInAnyOrder(run + "-a", run + "-b", run + "-c");
    scheduler.tell(new Scheduler.Place(replica(run, "iris-3", "iris")));
    assertThat(expectFor(run + "-iris-3", PlacementAnswer.Granted.class).nodeId())
        .as("each node holds one: the cache decides").isEqualTo(run + "-a");
    testKit.stop(scheduler);
  }

  /**
   * {@code spread: required}: two replicas over two nodes take one each; the third waits, saying why,
   * though both nodes have room; a replica of a service that only prefers spreading joins one.
   */
  @Test
  void aServiceThatRequiresSpreadingWaitsRatherThanDoubleUpOnANode() {
    String run = "apart-" + UUID.randomUUID();
    String self = NodeGossip.memberId(Cluster.get(testKit.system()).selfMember().uniqueAddress());
    for (String id : List.of("a", "b")) {
      gossip(new NodeStatus(run + "-" + id, "host", new Resources(16_000, 64 * GIB, 0, 100 * GIB, null), List.of(),
          NodeStatus.Usage.NONE, Map.of("run", run), true, "20.10", null, Instant.now(), self, List.of()));
    }
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS, answers));
    List.of("a", "b").forEach(id -> awaitNode(scheduler, run + "-" + id));

    java.util.Set<String> nodes = new java.util.HashSet<>();
    for (int i = 0; i < 2; i++) {
      scheduler.tell(new Scheduler.Place(apart(run, "ha-" + i, "ha", true)));
      nodes.add(expectFor(run + "-ha-" + i, PlacementAnswer.Granted.class).nodeId());
    }
    scheduler.tell(new Scheduler.Place(apart(run, "ha-2", "ha", true)));

    assertThat(nodes).containsExactlyInAnyOrder(run + "-a", run + "-b");
    PlacementAnswer.Waiting waiting = expectFor(run + "-ha-2", PlacementAnswer.Waiting.class);
    assertThat(waiting.reason()).contains("runs a replica of its service already (spread: required)");
    // Asked once the third's answer is in: fishing for one answer passes over the others.
    scheduler.tell(new Scheduler.Place(apart(run, "soft-0", "ha", false)));
    assertThat(expectFor(run + "-soft-0", PlacementAnswer.Granted.class).nodeId()).startsWith(run);
    testKit.stop(scheduler);
  }

  private static PlacementRequest apart(String run, String id, String service, boolean required) {
    return new PlacementRequest(run + "-" + id, new Resources(1000, GIB, 0, 0, null), Map.of("run", run), null, null,
        service, required ? Boolean.TRUE : null);
  }

  /**
   * With nodes labelled by zone (the shipped {@code replica-spread-label}), a service's replicas go
   * over zones first, then over the nodes of a zone: the second to the small node of the other zone,
   * the third to the zone's node that holds none.
   */
  @Test
  void aServicesReplicasAreSpreadOverZonesThenNodes() {
    String run = "zones-" + UUID.randomUUID();
    String self = NodeGossip.memberId(Cluster.get(testKit.system()).selfMember().uniqueAddress());
    Map<String, Integer> cores = Map.of("a1", 8, "a2", 32, "b1", 4);
    cores.forEach((id, size) -> gossip(new NodeStatus(run + "-" + id, "host", new Resources(size * 1000L, size * 4 * GIB,
        0, 100 * GIB, null), List.of(), NodeStatus.Usage.NONE, Map.of("run", run, "zone", id.substring(0, 1)), true,
        "20.10", null, Instant.now(), self, List.of())));
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS, answers));
    cores.keySet().forEach(id -> awaitNode(scheduler, run + "-" + id));

    List<String> placed = new java.util.ArrayList<>();
    List<String> reasons = new java.util.ArrayList<>();
    for (int i = 0; i < 3; i++) {
      scheduler.tell(new Scheduler.Place(new PlacementRequest(run + "-web-" + i, new Resources(1000, GIB, 0, 0, null),
          Map.of("run", run), null, null, "web")));
      PlacementAnswer.Granted granted = expectFor(run + "-web-" + i, PlacementAnswer.Granted.class);
      placed.add(granted.nodeId().substring(run.length() + 1));
      reasons.add(granted.reason());
    }
    assertThat(placed).containsExactly("a2", "b1", "a1");
    assertThat(reasons).containsExactly(null, "spreads its service's replicas: its zone holds 0 of them",
        "spreads its service's replicas: holds 0 of them");
    testKit.stop(scheduler);
  }

  private static PlacementRequest replica(String run, String id, String service) {
    return new PlacementRequest(run + "-" + id, new Resources(1000, GIB, 0, 0, null), Map.of("run", run), null,
        List.of("models/iris/bundle@1"), service);
  }
}
