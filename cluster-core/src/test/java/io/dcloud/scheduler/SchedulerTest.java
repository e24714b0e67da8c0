package io.dcloud.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.node.NodeGossip;
import io.dcloud.node.NodeStatus;
import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Resources;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
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
 * its answers go to a probe (the route it is given), and its state survives a restart (in-memory
 * journal).
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
  private static final SchedulerSettings SETTINGS = SchedulerSettings.fromConfig(CONFIG);
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long GIB = 1L << 30;
  /** What the scheduler told which environment. */
  private record Answered(String environmentId, PlacementAnswer answer)
      implements org.apache.pekko.actor.NoSerializationVerificationNeeded {}

  private static TestProbe<Answered> entities;
  private static PlacementAnswer.Route answers;

  @BeforeAll
  static void join() {
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    entities = testKit.createTestProbe();
    ActorRef<Answered> forward = entities.getRef();
    answers = (environmentId, answer) -> forward.tell(new Answered(environmentId, answer));
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
    TestNodes.gossip(testKit, status);
  }

  /** Each test's node carries a label its requests require, so tests sharing the cluster do not meet. */
  private static NodeStatus node(String id, int cores, long memory, List<GpuDevice> gpus) {
    String self = NodeGossip.memberId(Cluster.get(testKit.system()).selfMember().uniqueAddress());
    return node(id, cores, memory, gpus, self, Instant.now());
  }

  private static NodeStatus node(String id, int cores, long memory, List<GpuDevice> gpus, String member, Instant seen) {
    return TestNodes.node(id, cores, memory, gpus, member, seen);
  }

  private static PlacementRequest request(String nodeId, String id, long milliCpus, long memory, int gpus) {
    return TestNodes.request(nodeId, id, milliCpus, memory, gpus);
  }

  private <T extends PlacementAnswer> T expectFor(String environmentId, Class<T> type) {
    List<Answered> fished = entities.fishForMessage(WAIT, "answer for " + environmentId, answered ->
        answered.environmentId().equals(environmentId) && type.isInstance(answered.answer())
            ? FishingOutcomes.complete()
            : FishingOutcomes.continueAndIgnore());
    return type.cast(fished.get(fished.size() - 1).answer());
  }

  private static void awaitNode(ActorRef<Scheduler.Command> scheduler, String nodeId) {
    TestNodes.awaitNode(testKit, scheduler, nodeId);
  }

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
  void placingTheSameEnvironmentTwiceReservesOnceAndReservationsSurviveARestart() {
    String nodeId = "n-" + UUID.randomUUID();
    String id = UUID.randomUUID().toString();
    gossip(node(nodeId, 64, 64 * GIB, List.of()));
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS, answers));
    awaitNode(scheduler, nodeId);
    TestProbe<Scheduler.Reservations> reservations = testKit.createTestProbe();
    scheduler.tell(new Scheduler.Place(request(nodeId, id, 1000, GIB, 0)));
    String placedOn = expectFor(id, PlacementAnswer.Granted.class).nodeId();
    scheduler.tell(new Scheduler.Place(request(nodeId, id, 1000, GIB, 0)));
    assertThat(expectFor(id, PlacementAnswer.Granted.class).nodeId()).isEqualTo(placedOn);

    testKit.stop(scheduler);
    ActorRef<Scheduler.Command> recovered = testKit.spawn(Scheduler.create(SETTINGS, answers));
    recovered.tell(new Scheduler.GetReservations(placedOn, reservations.getRef()));
    assertThat(reservations.receiveMessage(WAIT).environmentIds()).containsOnlyOnce(id);
    testKit.stop(recovered);
  }

  @Test
  void reservationsGpusAndTheQueueSurviveARestartFromASnapshot() {
    String nodeId = "n-" + UUID.randomUUID();
    List<GpuDevice> gpus = List.of(new GpuDevice(0, "GPU-s0", "NVIDIA A100", 40960L), new GpuDevice(1, "GPU-s1", "NVIDIA A100", 40960L));
    gossip(node(nodeId, 4, 8 * GIB, gpus));
    SchedulerSettings snapshotOften = new SchedulerSettings(
        SETTINGS.policy(), SETTINGS.maxPlacementsPerBatch(), SETTINGS.candidatesPerPlacement(), 2, SETTINGS.lostNodeCheckInterval(),
        SETTINGS.lostNodeStaleAfter(), SETTINGS.lossResendInterval(), SETTINGS.wakeUpResendInterval(),
        SETTINGS.journalBackoff(), SETTINGS.datasetLocality());
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(snapshotOften, answers));
    awaitNode(scheduler, nodeId);
    List<String> ids = List.of("s-" + UUID.randomUUID(), "s-" + UUID.randomUUID(), "s-" + UUID.randomUUID());
    for (String id : ids) {
      scheduler.tell(new Scheduler.Place(request(nodeId, id, 1000, 2 * GIB, 1)));
    }
    // Entities answer in any order: collect all three answers.
    Map<String, PlacementAnswer> answered = new HashMap<>();
    entities.fishForMessage(WAIT, "answers for " + ids, message -> {
      if (ids.contains(message.environmentId())) {
        answered.put(message.environmentId(), message.answer());
      }
      return answered.size() == ids.size() ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore();
    });
    assertThat(answered.get(ids.get(0))).isInstanceOf(PlacementAnswer.Granted.class);
    assertThat(answered.get(ids.get(1))).isInstanceOf(PlacementAnswer.Granted.class);
    assertThat(answered.get(ids.get(2))).isEqualTo(new PlacementAnswer.Waiting(1, ((PlacementAnswer.Waiting) answered.get(ids.get(2))).reason()));
    TestProbe<Scheduler.Nodes> nodes = testKit.createTestProbe();
    scheduler.tell(new Scheduler.GetNodes(nodes.getRef()));
    NodeView before = view(nodes.receiveMessage(WAIT), nodeId);
    assertThat(before.gpusInUse()).containsExactlyInAnyOrder("GPU-s0", "GPU-s1");
    // Stored while the scheduler went on: wait for it, so that the restart starts from it.
    testKit.createTestProbe().awaitAssert(WAIT, () -> assertThat(
        SnapshotTestKit.create(testKit.system()).persistedInStorage(Scheduler.PERSISTENCE_ID.id())).isNotEmpty());

    testKit.stop(scheduler);
    ActorRef<Scheduler.Command> recovered = testKit.spawn(Scheduler.create(snapshotOften, answers));
    awaitNode(recovered, nodeId);
    recovered.tell(new Scheduler.GetNodes(nodes.getRef()));
    NodeView after = view(nodes.receiveMessage(WAIT), nodeId);
    assertThat(after.reserved()).isEqualTo(before.reserved());
    assertThat(after.gpusInUse()).containsExactlyInAnyOrderElementsOf(before.gpusInUse());
    assertThat(after.environmentCount()).isEqualTo(2);
    TestProbe<Scheduler.Reservations> reservations = testKit.createTestProbe();
    recovered.tell(new Scheduler.GetReservations(nodeId, reservations.getRef()));
    assertThat(reservations.receiveMessage(WAIT).environmentIds()).containsExactlyInAnyOrder(ids.get(0), ids.get(1));
    recovered.tell(new Scheduler.Release(ids.get(0)));
    assertThat(expectFor(ids.get(2), PlacementAnswer.Granted.class).gpuUuids()).hasSize(1);
    testKit.stop(recovered);
  }

  @Test
  void aSnapshotComesAfterSnapshotEveryDecisionsEvenInFewerEvents() {
    String nodeId = "n-" + UUID.randomUUID();
    gossip(node(nodeId, 64, 64 * GIB, List.of()));
    SchedulerSettings snapshotEveryFive = new SchedulerSettings(
        SETTINGS.policy(), SETTINGS.maxPlacementsPerBatch(), SETTINGS.candidatesPerPlacement(), 5, SETTINGS.lostNodeCheckInterval(),
        SETTINGS.lostNodeStaleAfter(), SETTINGS.lossResendInterval(), SETTINGS.wakeUpResendInterval(),
        SETTINGS.journalBackoff(), SETTINGS.datasetLocality());
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(snapshotEveryFive, answers));
    awaitNode(scheduler, nodeId);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 12; i++) {
      ids.add("d-" + UUID.randomUUID());
      scheduler.tell(new Scheduler.Place(request(nodeId, ids.get(i), 100, GIB / 8, 0)));
    }
    ids.forEach(id -> expectFor(id, PlacementAnswer.Granted.class));

    // Fewer rounds than snapshot-every: only counting decisions can take the snapshot.
    assertThat(PersistenceTestKit.create(testKit.system()).persistedInStorage(Scheduler.PERSISTENCE_ID.id()))
        .as("rounds for twelve requests sent at once").hasSizeLessThan(5);
    testKit.createTestProbe().awaitAssert(WAIT, () -> assertThat(
        SnapshotTestKit.create(testKit.system()).persistedInStorage(Scheduler.PERSISTENCE_ID.id())).isNotEmpty());
    testKit.stop(scheduler);
  }

  private static NodeView view(Scheduler.Nodes nodes, String nodeId) {
    return nodes.nodes().stream().filter(n -> n.status().nodeId().equals(nodeId)).findFirst().orElseThrow();
  }

  @Test
  void cordonedNodesTakeNothingNewAndUncordoningPlacesTheQueue() {
    String nodeId = "n-" + UUID.randomUUID();
    String id = UUID.randomUUID().toString();
    gossip(node(nodeId, 8, 8 * GIB, List.of()));
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS, answers));
    awaitNode(scheduler, nodeId);

    TestProbe<Scheduler.NodeAnswer> answers = testKit.createTestProbe();
    scheduler.tell(new Scheduler.Cordon(nodeId, answers.getRef()));
    assertThat(answers.receiveMessage(WAIT).node().state()).isEqualTo(NodeAvailability.CORDONED);
    scheduler.tell(new Scheduler.Cordon("no-such-node", answers.getRef()));
    assertThat(answers.receiveMessage(WAIT).node()).isNull();

    scheduler.tell(new Scheduler.Place(request(nodeId, id, 1000, GIB, 0)));
    assertThat(expectFor(id, PlacementAnswer.Waiting.class).position()).isEqualTo(1);

    scheduler.tell(new Scheduler.Uncordon(nodeId, answers.getRef()));
    assertThat(answers.receiveMessage(WAIT).node().state()).isEqualTo(NodeAvailability.UP);
    assertThat(expectFor(id, PlacementAnswer.Granted.class).nodeId()).isEqualTo(nodeId);

    scheduler.tell(new Scheduler.Drain(nodeId, answers.getRef()));
    assertThat(answers.receiveMessage(WAIT).node().state()).isEqualTo(NodeAvailability.DRAINING);
    assertThat(expectFor(id, PlacementAnswer.MoveOff.class).nodeId()).isEqualTo(nodeId);
    testKit.stop(scheduler);
  }

  @Test
  void aNodeWhoseProcessIsGoneIsLostItsEnvironmentsToldAndItIsListedDown() {
    String liveNode = "n-" + UUID.randomUUID();
    String id = UUID.randomUUID().toString();
    gossip(node(liveNode, 8, 8 * GIB, List.of()));
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS, answers));
    awaitNode(scheduler, liveNode);
    scheduler.tell(new Scheduler.Place(request(liveNode, id, 1000, GIB, 0)));
    assertThat(expectFor(id, PlacementAnswer.Granted.class).nodeId()).isEqualTo(liveNode);

    // The same node now gossips from a process that is no longer a cluster member, long silent.
    gossip(node(liveNode, 8, 8 * GIB, List.of(), "pekko://gone@127.0.0.1:1#1", Instant.now().minus(Duration.ofMinutes(1))));

    assertThat(expectFor(id, PlacementAnswer.NodeGone.class).nodeId()).isEqualTo(liveNode);
    assertThat(expectFor(id, PlacementAnswer.NodeGone.class).nodeId())
        .as("repeated until the environment confirms it: the first may have gone to a shard on the lost node")
        .isEqualTo(liveNode);
    scheduler.tell(new Scheduler.ConfirmLoss(id));
    TestProbe<Scheduler.Nodes> nodes = testKit.createTestProbe();
    nodes.awaitAssert(WAIT, () -> {
      scheduler.tell(new Scheduler.GetNodes(nodes.getRef()));
      assertThat(nodes.receiveMessage().nodes())
          .filteredOn(view -> view.status().nodeId().equals(liveNode))
          .extracting(NodeView::state)
          .containsExactly(NodeAvailability.DOWN);
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
  void aJournalOfSingleDecisionsWrittenBeforeBatchesStillRecovers() {
    String nodeId = "n-" + UUID.randomUUID();
    gossip(node(nodeId, 4, 8 * GIB, List.of()));
    String placed = "old-" + UUID.randomUUID();
    String first = "old-" + UUID.randomUUID();
    String second = "old-" + UUID.randomUUID();
    PersistenceTestKit.create(testKit.system()).persistForRecovery(Scheduler.PERSISTENCE_ID.id(), List.of(
        new Scheduler.Reserved(placed, nodeId, new Resources(4000, GIB, 0, 0, null), List.of()),
        new Scheduler.Enqueued(request(nodeId, first, 1000, GIB, 0)),
        new Scheduler.Enqueued(request(nodeId, second, 1000, GIB, 0))));
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS, answers));
    awaitNode(scheduler, nodeId);
    TestProbe<Scheduler.Reservations> reservations = testKit.createTestProbe();
    scheduler.tell(new Scheduler.GetReservations(nodeId, reservations.getRef()));
    assertThat(reservations.receiveMessage(WAIT).environmentIds()).containsExactly(placed);
    scheduler.tell(new Scheduler.Place(request(nodeId, second, 1000, GIB, 0)));
    assertThat(expectFor(second, PlacementAnswer.Waiting.class).position()).isEqualTo(2);

    scheduler.tell(new Scheduler.Release(placed));
    assertThat(expectFor(first, PlacementAnswer.Granted.class).nodeId()).isEqualTo(nodeId);
    testKit.stop(scheduler);
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
}
