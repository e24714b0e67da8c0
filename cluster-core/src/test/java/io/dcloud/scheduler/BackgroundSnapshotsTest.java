package io.dcloud.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.dcloud.node.NodeGossip;
import io.dcloud.testing.OneNodeCluster;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The scheduler's snapshots are stored while it goes on placing ({@link BackgroundSnapshots}), on a
 * snapshot store that finishes each save only when the test lets it.
 */
class BackgroundSnapshotsTest {
  private static final ActorTestKit testKit = OneNodeCluster.start("background-snapshots-test", ConfigFactory.parseString("""
      pekko.persistence.snapshot-store.plugin = "held-snapshot-store"
      held-snapshot-store.class = "io.dcloud.scheduler.HeldSnapshotStore"
      """));
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final long GIB = 1L << 30;

  private record Answered(String environmentId, PlacementAnswer answer)
      implements org.apache.pekko.actor.NoSerializationVerificationNeeded {}

  private static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();

  @BeforeAll
  static void meters() {
    Metrics.addRegistry(METERS);
  }

  @AfterAll
  static void shutdown() {
    Metrics.removeRegistry(METERS);
    testKit.shutdownTestKit();
  }

  @Test
  void placementsGoOnWhileASnapshotIsStoredAndARestartRecoversFromTheNewest() throws InterruptedException {
    String nodeId = "n-" + UUID.randomUUID();
    String member = NodeGossip.memberId(Cluster.get(testKit.system()).selfMember().uniqueAddress());
    TestNodes.gossip(testKit, TestNodes.node(nodeId, 64, 64 * GIB, List.of(), member, Instant.now()));
    TestProbe<Answered> entities = testKit.createTestProbe();
    PlacementAnswer.Route answers = (id, answer) -> entities.getRef().tell(new Answered(id, answer));
    SchedulerSettings snapshotEveryTwo = SchedulerSettings.fromConfig(testKit.system().settings().config()).withSnapshotEvery(2);
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(snapshotEveryTwo, answers));
    TestNodes.awaitNode(testKit, scheduler, nodeId);
    List<String> placed = new ArrayList<>();

    // Two rounds of decisions: the first snapshot is due, and its save is held.
    placeOne(scheduler, nodeId, entities, placed);
    placeOne(scheduler, nodeId, entities, placed);
    HeldSnapshotStore.Save first = HeldSnapshotStore.SAVES.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(first).as("a snapshot save").isNotNull();
    assertThat(((SchedulerSnapshot) first.snapshot()).reservations()).hasSize((int) first.metadata().sequenceNr());

    // While it is held the scheduler places and answers (Pekko's own snapshots would stash both until the save ends).
    for (int i = 0; i < 4; i++) {
      placeOne(scheduler, nodeId, entities, placed);
    }
    assertThat(HeldSnapshotStore.SAVES).as("one snapshot stored at a time").isEmpty();

    // Those four made the next snapshot due: it is taken when the store answers, with no new event.
    first.finish();
    HeldSnapshotStore.Save second = HeldSnapshotStore.SAVES.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(second).as("the snapshot due while the first was stored").isNotNull();
    assertThat(((SchedulerSnapshot) second.snapshot()).reservations()).hasSize(placed.size());

    // Again while the second is held; the third save deletes the first and keeps the two newest.
    placeOne(scheduler, nodeId, entities, placed);
    placeOne(scheduler, nodeId, entities, placed);
    assertThat(HeldSnapshotStore.SAVES).as("one snapshot stored at a time").isEmpty();
    second.finish();
    HeldSnapshotStore.Save third = HeldSnapshotStore.SAVES.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(third).as("the snapshot due while the second was stored").isNotNull();
    assertThat(((SchedulerSnapshot) third.snapshot()).reservations()).hasSize(placed.size());
    third.finish();
    testKit.createTestProbe().awaitAssert(WAIT, () -> {
      assertThat(HeldSnapshotStore.STORED.keySet()).containsExactly(second.metadata().sequenceNr(), third.metadata().sequenceNr());
      assertThat(METERS.timer("dcloud.scheduler.snapshots", "outcome", "stored").count()).isEqualTo(3);
      return null;
    });
    placeOne(scheduler, nodeId, entities, placed);

    // A restart loads the newest snapshot and replays the events after it.
    testKit.stop(scheduler);
    int loadsBefore = HeldSnapshotStore.LOADS.get();
    ActorRef<Scheduler.Command> recovered = testKit.spawn(Scheduler.create(snapshotEveryTwo, answers));
    TestProbe<Scheduler.Reservations> reservations = testKit.createTestProbe();
    recovered.tell(new Scheduler.GetReservations(nodeId, reservations.getRef()));
    assertThat(reservations.receiveMessage(WAIT).environmentIds()).containsExactlyInAnyOrderElementsOf(placed);
    assertThat(HeldSnapshotStore.LOADS.get()).isEqualTo(loadsBefore + 1);
    testKit.stop(recovered);
  }

  /** One Place, answered Granted: a round of one decision, one event. */
  private static void placeOne(ActorRef<Scheduler.Command> scheduler, String nodeId, TestProbe<Answered> entities, List<String> placed) {
    String id = "e-" + UUID.randomUUID();
    scheduler.tell(new Scheduler.Place(TestNodes.request(nodeId, id, 100, GIB / 8, 0)));
    Answered answered = entities.expectMessageClass(Answered.class, WAIT);
    assertThat(answered.environmentId()).isEqualTo(id);
    assertThat(answered.answer()).isInstanceOf(PlacementAnswer.Granted.class);
    placed.add(id);
  }
}
