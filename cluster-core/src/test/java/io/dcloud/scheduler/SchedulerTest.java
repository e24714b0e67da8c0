package io.dcloud.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.Resources;
import io.dcloud.node.GpuDevice;
import io.dcloud.node.NodeGossip;
import io.dcloud.node.NodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler on a one-node cluster: node status arrives through real Distributed Data gossip,
 * its answers reach environment entities through real sharding (a probe stands in for them), and
 * its state survives a restart (in-memory journal).
 */
class SchedulerTest {
  private static final Config CONFIG = PersistenceTestKitPlugin.getInstance().config()
      .withFallback(PersistenceTestKitSnapshotPlugin.config())
      .withFallback(ConfigFactory.parseString("""
          pekko.actor.provider = cluster
          pekko.remote.artery.canonical.hostname = 127.0.0.1
          pekko.remote.artery.canonical.port = 0
          pekko.actor.serialize-messages = on
          """))
      .withFallback(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create("scheduler-test", CONFIG);
  private static final Scheduler.Settings SETTINGS = Scheduler.Settings.fromConfig(CONFIG);
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long GIB = 1L << 30;
  /** What the scheduler told which environment (sharding delivers without the entity id, so the stand-in adds it). */
  private record Answered(String environmentId, EnvironmentEntity.Command message)
      implements org.apache.pekko.actor.NoSerializationVerificationNeeded {}

  private static TestProbe<Answered> entities;

  @BeforeAll
  static void joinAndShard() {
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    entities = testKit.createTestProbe();
    ActorRef<Answered> forward = entities.getRef();
    ClusterSharding.get(testKit.system()).init(Entity.of(EnvironmentEntity.TYPE_KEY,
        context -> Behaviors.receiveMessage(message -> {
          forward.tell(new Answered(context.getEntityId(), message));
          return Behaviors.same();
        })));
  }

  /** Every test starts a scheduler with an empty journal (they share the singleton's persistence id). */
  @BeforeEach
  void emptyJournal() {
    PersistenceTestKit.create(testKit.system()).clearAll();
    SnapshotTestKit.create(testKit.system()).clearAll();
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static void gossip(NodeStatus status) {
    SelfUniqueAddress self = DistributedData.get(testKit.system()).selfUniqueAddress();
    TestProbe<Replicator.UpdateResponse<LWWMap<String, NodeStatus>>> written = testKit.createTestProbe();
    DistributedData.get(testKit.system()).replicator().tell(new Replicator.Update<>(
        NodeGossip.keyFor(status.nodeId()), LWWMap.empty(), Replicator.writeLocal(), written.getRef(),
        map -> map.put(self, status.nodeId(), status)));
    written.expectMessageClass(Replicator.UpdateSuccess.class, WAIT);
  }

  /** Each test's node carries a label its requests require, so tests sharing the cluster do not meet. */
  private static NodeStatus node(String id, int cores, long memory, List<GpuDevice> gpus) {
    String self = NodeGossip.memberId(Cluster.get(testKit.system()).selfMember().uniqueAddress());
    return node(id, cores, memory, gpus, self, Instant.now());
  }

  private static NodeStatus node(String id, int cores, long memory, List<GpuDevice> gpus, String member, Instant seen) {
    return new NodeStatus(id, "host-" + id, new Resources(cores * 1000L, memory, gpus.size(), 100 * GIB, null), gpus,
        NodeStatus.Usage.NONE, Map.of("test", id), true, "20.10", null, seen, member);
  }

  private static PlacementRequest request(String nodeId, String id, long milliCpus, long memory, int gpus) {
    return new PlacementRequest(id, new Resources(milliCpus, memory, gpus, 0, null), Map.of("test", nodeId));
  }

  private <T extends EnvironmentEntity.Command> T expectFor(String environmentId, Class<T> type) {
    List<Answered> fished = entities.fishForMessage(WAIT, "answer for " + environmentId, answered ->
        answered.environmentId().equals(environmentId) && type.isInstance(answered.message())
            ? FishingOutcomes.complete()
            : FishingOutcomes.continueAndIgnore());
    return type.cast(fished.get(fished.size() - 1).message());
  }

  private static void awaitNode(ActorRef<Scheduler.Command> scheduler, String nodeId) {
    TestProbe<Scheduler.Nodes> nodes = testKit.createTestProbe();
    nodes.awaitAssert(WAIT, () -> {
      scheduler.tell(new Scheduler.GetNodes(nodes.getRef()));
      assertThat(nodes.receiveMessage().nodes()).extracting(view -> view.status().nodeId()).contains(nodeId);
      return null;
    });
  }

  @Test
  void placesQueuesRefusesAndPlacesFromTheQueueWhenCapacityFrees() {
    String nodeId = "n-" + UUID.randomUUID();
    String id = UUID.randomUUID().toString();
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS));
    gossip(node(nodeId, 2, 4 * GIB, List.of(new GpuDevice(0, "GPU-a", "NVIDIA A100", 40960L))));

    awaitNode(scheduler, nodeId);

    scheduler.tell(new Scheduler.Place(request(nodeId, id + "-big", 2000, 3 * GIB, 1)));
    EnvironmentEntity.Placed placed = expectFor(id + "-big", EnvironmentEntity.Placed.class);
    assertThat(placed.nodeId()).isEqualTo(nodeId);
    assertThat(placed.gpuUuids()).containsExactly("GPU-a");

    scheduler.tell(new Scheduler.Place(request(nodeId, id + "-waits", 1000, GIB, 0)));
    EnvironmentEntity.Queued queued = expectFor(id + "-waits", EnvironmentEntity.Queued.class);
    assertThat(queued.position()).isEqualTo(1);

    scheduler.tell(new Scheduler.Place(request(nodeId, id + "-never", 1000, GIB, 64)));
    assertThat(expectFor(id + "-never", EnvironmentEntity.Refused.class).reason()).contains("64 GPUs");

    TestProbe<Scheduler.Feasibility> feasibility = testKit.createTestProbe();
    scheduler.tell(new Scheduler.CheckFeasible(request(nodeId, id + "-check", 1000, GIB, 64), feasibility.getRef()));
    assertThat(feasibility.receiveMessage(WAIT).reason()).contains("64 GPUs");
    scheduler.tell(new Scheduler.CheckFeasible(request(nodeId, id + "-check", 1000, GIB, 0), feasibility.getRef()));
    assertThat(feasibility.receiveMessage(WAIT).feasible()).as("fits later, once capacity frees").isTrue();

    scheduler.tell(new Scheduler.Release(id + "-big"));
    assertThat(expectFor(id + "-waits", EnvironmentEntity.Placed.class).nodeId()).isEqualTo(nodeId);
    testKit.stop(scheduler);
  }

  @Test
  void placingTheSameEnvironmentTwiceReservesOnceAndReservationsSurviveARestart() {
    String nodeId = "n-" + UUID.randomUUID();
    String id = UUID.randomUUID().toString();
    gossip(node(nodeId, 64, 64 * GIB, List.of()));
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS));
    awaitNode(scheduler, nodeId);
    TestProbe<Scheduler.Reservations> reservations = testKit.createTestProbe();
    scheduler.tell(new Scheduler.Place(request(nodeId, id, 1000, GIB, 0)));
    String placedOn = expectFor(id, EnvironmentEntity.Placed.class).nodeId();
    scheduler.tell(new Scheduler.Place(request(nodeId, id, 1000, GIB, 0)));
    assertThat(expectFor(id, EnvironmentEntity.Placed.class).nodeId()).isEqualTo(placedOn);

    testKit.stop(scheduler);
    ActorRef<Scheduler.Command> recovered = testKit.spawn(Scheduler.create(SETTINGS));
    recovered.tell(new Scheduler.GetReservations(placedOn, reservations.getRef()));
    assertThat(reservations.receiveMessage(WAIT).environmentIds()).containsOnlyOnce(id);
    testKit.stop(recovered);
  }

  @Test
  void reservationsGpusAndTheQueueSurviveARestartFromASnapshot() {
    String nodeId = "n-" + UUID.randomUUID();
    List<GpuDevice> gpus = List.of(new GpuDevice(0, "GPU-s0", "NVIDIA A100", 40960L), new GpuDevice(1, "GPU-s1", "NVIDIA A100", 40960L));
    gossip(node(nodeId, 4, 8 * GIB, gpus));
    Scheduler.Settings snapshotOften = new Scheduler.Settings(
        SETTINGS.policy(), SETTINGS.maxPlacementsPerBatch(), SETTINGS.candidatesPerPlacement(), 2, SETTINGS.lostNodeCheckInterval(),
        SETTINGS.lostNodeStaleAfter(), SETTINGS.journalBackoff());
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(snapshotOften));
    awaitNode(scheduler, nodeId);
    List<String> ids = List.of("s-" + UUID.randomUUID(), "s-" + UUID.randomUUID(), "s-" + UUID.randomUUID());
    for (String id : ids) {
      scheduler.tell(new Scheduler.Place(request(nodeId, id, 1000, 2 * GIB, 1)));
    }
    // Entities answer in any order: collect all three answers.
    Map<String, EnvironmentEntity.Command> answers = new HashMap<>();
    entities.fishForMessage(WAIT, "answers for " + ids, answered -> {
      if (ids.contains(answered.environmentId())) {
        answers.put(answered.environmentId(), answered.message());
      }
      return answers.size() == ids.size() ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore();
    });
    assertThat(answers.get(ids.get(0))).isInstanceOf(EnvironmentEntity.Placed.class);
    assertThat(answers.get(ids.get(1))).isInstanceOf(EnvironmentEntity.Placed.class);
    assertThat(answers.get(ids.get(2))).isEqualTo(new EnvironmentEntity.Queued(1, ((EnvironmentEntity.Queued) answers.get(ids.get(2))).reason()));
    TestProbe<Scheduler.Nodes> nodes = testKit.createTestProbe();
    scheduler.tell(new Scheduler.GetNodes(nodes.getRef()));
    Scheduler.NodeView before = view(nodes.receiveMessage(WAIT), nodeId);
    assertThat(before.gpusInUse()).containsExactlyInAnyOrder("GPU-s0", "GPU-s1");

    testKit.stop(scheduler);
    ActorRef<Scheduler.Command> recovered = testKit.spawn(Scheduler.create(snapshotOften));
    awaitNode(recovered, nodeId);
    recovered.tell(new Scheduler.GetNodes(nodes.getRef()));
    Scheduler.NodeView after = view(nodes.receiveMessage(WAIT), nodeId);
    assertThat(after.reserved()).isEqualTo(before.reserved());
    assertThat(after.gpusInUse()).containsExactlyInAnyOrderElementsOf(before.gpusInUse());
    assertThat(after.environments()).containsExactlyInAnyOrder(ids.get(0), ids.get(1));
    recovered.tell(new Scheduler.Release(ids.get(0)));
    assertThat(expectFor(ids.get(2), EnvironmentEntity.Placed.class).gpuUuids()).hasSize(1);
    testKit.stop(recovered);
  }

  private static Scheduler.NodeView view(Scheduler.Nodes nodes, String nodeId) {
    return nodes.nodes().stream().filter(n -> n.status().nodeId().equals(nodeId)).findFirst().orElseThrow();
  }

  @Test
  void cordonedNodesTakeNothingNewAndUncordoningPlacesTheQueue() {
    String nodeId = "n-" + UUID.randomUUID();
    String id = UUID.randomUUID().toString();
    gossip(node(nodeId, 8, 8 * GIB, List.of()));
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS));
    awaitNode(scheduler, nodeId);

    TestProbe<Scheduler.NodeAnswer> answers = testKit.createTestProbe();
    scheduler.tell(new Scheduler.Cordon(nodeId, answers.getRef()));
    assertThat(answers.receiveMessage(WAIT).node().state()).isEqualTo(Scheduler.NodeState.CORDONED);
    scheduler.tell(new Scheduler.Cordon("no-such-node", answers.getRef()));
    assertThat(answers.receiveMessage(WAIT).node()).isNull();

    scheduler.tell(new Scheduler.Place(request(nodeId, id, 1000, GIB, 0)));
    assertThat(expectFor(id, EnvironmentEntity.Queued.class).position()).isEqualTo(1);

    scheduler.tell(new Scheduler.Uncordon(nodeId, answers.getRef()));
    assertThat(answers.receiveMessage(WAIT).node().state()).isEqualTo(Scheduler.NodeState.UP);
    assertThat(expectFor(id, EnvironmentEntity.Placed.class).nodeId()).isEqualTo(nodeId);

    scheduler.tell(new Scheduler.Drain(nodeId, answers.getRef()));
    assertThat(answers.receiveMessage(WAIT).node().state()).isEqualTo(Scheduler.NodeState.DRAINING);
    assertThat(expectFor(id, EnvironmentEntity.Relocate.class).nodeId()).isEqualTo(nodeId);
    testKit.stop(scheduler);
  }

  @Test
  void aNodeWhoseProcessIsGoneIsLostItsEnvironmentsToldAndItIsListedDown() {
    String liveNode = "n-" + UUID.randomUUID();
    String id = UUID.randomUUID().toString();
    gossip(node(liveNode, 8, 8 * GIB, List.of()));
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS));
    awaitNode(scheduler, liveNode);
    scheduler.tell(new Scheduler.Place(request(liveNode, id, 1000, GIB, 0)));
    assertThat(expectFor(id, EnvironmentEntity.Placed.class).nodeId()).isEqualTo(liveNode);

    // The same node now gossips from a process that is no longer a cluster member, long silent.
    gossip(node(liveNode, 8, 8 * GIB, List.of(), "pekko://gone@127.0.0.1:1#1", Instant.now().minus(Duration.ofMinutes(1))));

    assertThat(expectFor(id, EnvironmentEntity.NodeLost.class).nodeId()).isEqualTo(liveNode);
    assertThat(expectFor(id, EnvironmentEntity.NodeLost.class).nodeId())
        .as("repeated until the environment confirms it: the first may have gone to a shard on the lost node")
        .isEqualTo(liveNode);
    scheduler.tell(new Scheduler.ConfirmLoss(id));
    TestProbe<Scheduler.Nodes> nodes = testKit.createTestProbe();
    nodes.awaitAssert(WAIT, () -> {
      scheduler.tell(new Scheduler.GetNodes(nodes.getRef()));
      assertThat(nodes.receiveMessage().nodes())
          .filteredOn(view -> view.status().nodeId().equals(liveNode))
          .extracting(Scheduler.NodeView::state)
          .containsExactly(Scheduler.NodeState.DOWN);
      return null;
    });
    TestProbe<Scheduler.Reservations> reservations = testKit.createTestProbe();
    scheduler.tell(new Scheduler.GetReservations(liveNode, reservations.getRef()));
    assertThat(reservations.receiveMessage(WAIT).environmentIds()).isEmpty();
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
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS));
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
      if (answer.message() instanceof EnvironmentEntity.Placed placed) {
        placedOn.put(answer.environmentId(), placed.nodeId());
      } else {
        assertThat(answer.message()).isInstanceOf(EnvironmentEntity.Queued.class);
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
  }
}
