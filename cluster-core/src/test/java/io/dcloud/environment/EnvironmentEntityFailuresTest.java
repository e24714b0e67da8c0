package io.dcloud.environment;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.node.NodeProtocol;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.PlacementAnswer;
import io.dcloud.scheduler.Scheduler;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.RestartPolicy;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.Test;

/**
 * The environment entity through failures, against an in-memory journal: restarts and recoveries,
 * failed and half-applied writes, lost nodes, relocations and places that come too late.
 */
class EnvironmentEntityFailuresTest extends EnvironmentEntityFixture {
  @Test
  void aRecoveredEntityConvergesAndShardingsStopMessageStopsIt() {
    create();
    TestProbe<Object> watcher = testKit.createTestProbe();
    ActorRef<EnvironmentEntity.Command> incarnation = testKit.spawn(EnvironmentSharding.create(id, wiring));
    // RecoveryCompleted reaches the entity's signal handler: a REQUESTED environment asks for a place again.
    assertThat(scheduler.expectMessageClass(Scheduler.Place.class, WAIT).request().environmentId()).isEqualTo(id);

    incarnation.tell(new EnvironmentEntity.Passivate());

    watcher.expectTerminated(incarnation, WAIT);
  }

  @Test
  void aWaitingEnvironmentSchedulesItsRetryThroughTheShardAndIgnoresTicksOfAnEarlierIncarnation() {
    entity.<EnvironmentEntity.Reply>runCommand(replyTo -> new EnvironmentEntity.Create(spec(1L << 30), RECIPE, replyTo));
    scheduler.expectMessageClass(Scheduler.Place.class, WAIT);
    EnvironmentEntity.RetryTick tick = (EnvironmentEntity.RetryTick) retries.receiveMessage(WAIT);

    entity.runCommand(new EnvironmentEntity.RetryTick(tick.incarnation() + 1));
    scheduler.expectNoMessage(RETRY_INTERVAL);
    entity.runCommand(tick);
    assertThat(scheduler.expectMessageClass(Scheduler.Place.class, WAIT).request().environmentId()).isEqualTo(id);
    assertThat(retries.receiveMessage(WAIT)).isEqualTo(tick);
  }

  /** The entity outlives a journal failure's restart: its retries must not wait on a tick that was lost meanwhile. */
  @Test
  void aJournalFailureStartsTheRetriesAnewThoughTheLastTickWasLost() {
    entity.<EnvironmentEntity.Reply>runCommand(replyTo -> new EnvironmentEntity.Create(spec(1L << 30), RECIPE, replyTo));
    retries.expectMessageClass(EnvironmentEntity.RetryTick.class, WAIT);
    // That tick is never delivered: lost, as an overfull stash would lose it.
    entity.persistenceTestKit().failNextPersisted();

    entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.Waiting(2, "no room")));

    assertThat(retries.expectMessageClass(EnvironmentEntity.RetryTick.class, WAIT)).isNotNull();
    assertThat(entity.getState().status()).isEqualTo(EnvironmentStatus.REQUESTED);
  }

  /** A write reported failed that reached the journal all the same (a timeout): its status is published once recovered. */
  @Test
  void aWriteReportedFailedButAppliedHasItsStatusPublishedOnRecovery() {
    entity.<EnvironmentEntity.Reply>runCommand(replyTo -> new EnvironmentEntity.Create(spec(1L << 30), RECIPE, replyTo));
    assertThat(updates.receiveMessage(WAIT).toString()).contains("status=REQUESTED");
    // The journal holds one more event than the entity published, as after a timed-out write...
    entity.persistenceTestKit().persistForRecovery(
        EnvironmentEntity.TYPE_KEY.name() + "|" + id, List.of(new EnvironmentEntity.QueuedForCapacity(4, "no room", java.time.Instant.now())));
    // ...and the next write fails: the entity restarts and recovers what the journal holds.
    entity.persistenceTestKit().failNextPersisted();

    entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.Waiting(2, "no room")));

    assertThat(updates.receiveMessage(WAIT).toString()).contains("status=QUEUED");
    assertThat(entity.getState().status()).isEqualTo(EnvironmentStatus.QUEUED);
  }

  /** A write that failed and was not applied changed nothing: nothing is published again. */
  @Test
  void aWriteThatFailedAndWasNotAppliedPublishesNothingAgain() {
    entity.<EnvironmentEntity.Reply>runCommand(replyTo -> new EnvironmentEntity.Create(spec(1L << 30), RECIPE, replyTo));
    assertThat(updates.receiveMessage(WAIT).toString()).contains("status=REQUESTED");
    entity.persistenceTestKit().failNextPersisted();

    entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.Waiting(2, "no room")));
    // Answered once the entity has restarted and recovered (REQUESTED: the write was not applied).
    assertThat(entity.getState().status()).isEqualTo(EnvironmentStatus.REQUESTED);

    updates.expectNoMessage(RETRY_INTERVAL);
  }

  @Test
  void stateSurvivesRestart() {
    create();
    runOn("c1");
    var restarted = entity.restart();
    assertThat(restarted.state().status()).isEqualTo(EnvironmentStatus.RUNNING);
    assertThat(restarted.state().containerId()).isEqualTo("c1");
  }

  @Test
  void aLostNodeMakesTheEnvironmentLostAndItAsksForANewPlace() {
    create();
    runOn("c1");
    var lost = entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.NodeGone(NODE)));
    assertThat(lost.events()).hasSize(2);
    assertThat(lost.state().status()).isEqualTo(EnvironmentStatus.REQUESTED);
    assertThat(lost.state().node()).isNull();
    assertThat(lost.state().history()).extracting(EnvironmentView.HistoryEntry::status).contains(EnvironmentStatus.LOST);
    assertThat(scheduler.expectMessageClass(Scheduler.Place.class, WAIT).request().environmentId()).isEqualTo(id);
    assertThat(scheduler.expectMessageClass(Scheduler.ConfirmLoss.class, WAIT).environmentId()).isEqualTo(id);
    assertThat(entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.NodeGone("another-node"))).hasNoEvents()).isTrue();
  }

  /** Confirmed before the write, a failed write would leave the environment RUNNING on a dead node, and no one would say so again. */
  @Test
  void theLossIsConfirmedOnlyOnceItIsRecordedSoAFailedWriteHearsOfItAgain() {
    create();
    runOn("c1");
    entity.persistenceTestKit().failNextPersisted();

    entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.NodeGone(NODE)));
    // A running environment tells the scheduler nothing else: whatever came would be the confirmation.
    scheduler.expectNoMessage(RETRY_INTERVAL);
    assertThat(entity.getState().status()).isEqualTo(EnvironmentStatus.RUNNING);

    var lost = entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.NodeGone(NODE)));
    assertThat(lost.state().history()).extracting(EnvironmentView.HistoryEntry::status).contains(EnvironmentStatus.LOST);
    scheduler.fishForMessage(WAIT, "the loss confirmed", message -> message instanceof Scheduler.ConfirmLoss
        ? FishingOutcomes.complete()
        : FishingOutcomes.continueAndIgnore());
  }

  @Test
  void withRestartPolicyNeverALostEnvironmentStaysLost() {
    EnvironmentSpec never = new EnvironmentSpec("demo", "1", "tiny", null, List.of(), new Resources(500, 64L << 20, 0, 0, null),
        List.of(), List.of(), List.of(), List.of(), Map.of(), Map.of(), RestartPolicy.NEVER);
    entity.<EnvironmentEntity.Reply>runCommand(replyTo -> new EnvironmentEntity.Create(never, RECIPE, replyTo));
    scheduler.expectMessageClass(Scheduler.Place.class, WAIT);
    runOn("c1");
    var lost = entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.NodeGone(NODE)));
    assertThat(lost.state().status()).isEqualTo(EnvironmentStatus.LOST);
  }

  @Test
  void relocationRemovesTheOldContainerReleasesThePlaceAndAsksForANewOne() {
    create();
    runOn("c1");
    var moving = entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.MoveOff(NODE)));
    assertThat(moving.state().status()).isEqualTo(EnvironmentStatus.STOPPING);
    NodeProtocol.RemoveContainer remove = node.expectMessageClass(NodeProtocol.RemoveContainer.class, WAIT);
    assertThat(remove.volumes()).containsExactly(EnvironmentNames.volumeName(NODE, id, 0));
    var relocated = entity.runCommand(report(ContainerPhase.REMOVED, "c1", null, false));
    assertThat(relocated.state().status()).isEqualTo(EnvironmentStatus.REQUESTED);
    assertThat(scheduler.expectMessageClass(Scheduler.Release.class, WAIT).environmentId()).isEqualTo(id);
    assertThat(scheduler.expectMessageClass(Scheduler.Place.class, WAIT).request().environmentId()).isEqualTo(id);
  }

  @Test
  void aPlaceThatArrivesAfterTheEnvironmentStoppedIsGivenBack() {
    create();
    entity.<EnvironmentEntity.Reply>runCommand(EnvironmentEntity.Stop::new);
    scheduler.expectMessageClass(Scheduler.Release.class, WAIT);
    entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.Granted(NODE, List.of())));
    assertThat(scheduler.expectMessageClass(Scheduler.Release.class, WAIT).environmentId()).isEqualTo(id);
  }

  @Test
  void aRepeatedPlaceForThePlaceItHoldsIsNotGivenBack() {
    create();
    runOn("c1");
    entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.Granted(NODE, List.of())));
    scheduler.expectNoMessage(Duration.ofMillis(300));
  }
}
