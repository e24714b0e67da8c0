package io.dcloud.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Resources;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.Test;

/** What the scheduler remembers across a restart: from its journal (however old its events) and from its snapshots. */
class SchedulerRecoveryTest extends SchedulerClusterFixture {

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
    SchedulerSettings snapshotOften = snapshottingEvery(2);
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
    SchedulerSettings snapshotEveryFive = snapshottingEvery(5);
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
}
