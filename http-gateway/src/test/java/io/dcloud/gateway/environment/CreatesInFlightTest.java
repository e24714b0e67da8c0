package io.dcloud.gateway.environment;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentUpdate;
import io.dcloud.gateway.common.CreateAdmission;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Creates counted until the scheduler answered them, with the real topic the entities publish on. */
class CreatesInFlightTest {
  private static final ActorTestKit testKit = ActorTestKit.create("creates-in-flight-test");
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Duration LONG = Duration.ofMinutes(5);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private final ActorRef<Topic.Command<EnvironmentUpdate>> updates =
      testKit.spawn(Topic.create(EnvironmentUpdate.class, "updates-" + UUID.randomUUID()));

  private CreatesInFlight creates(int limit, Duration settleWithin) {
    return new CreatesInFlight(testKit.system(), updates,
        new CreateAdmission(new CreateAdmission.Settings(limit, 1, limit, Duration.ofSeconds(2))), settleWithin);
  }

  private void status(String environmentId, EnvironmentStatus status) {
    updates.tell(EnvironmentUpdate.publish(
        new EnvironmentUpdate(environmentId, EnvironmentUpdate.Kind.STATUS, status.name(), status.name(), Instant.now())));
  }

  private static void awaitInFlight(CreatesInFlight creates, int expected) {
    testKit.createTestProbe().awaitAssert(WAIT, () -> {
      assertThat(creates.inFlight()).isEqualTo(expected);
      return null;
    });
  }

  @Test
  void aCreateHoldsItsSlotPastIts202UntilTheSchedulersAnswerIsHeard() {
    CreatesInFlight creates = creates(1, LONG);
    String id = UUID.randomUUID().toString();
    CreatesInFlight.Slot slot = creates.tryAdmit();
    slot.sending(id);
    slot.accepted(EnvironmentStatus.REQUESTED);
    status(id, EnvironmentStatus.REQUESTED);
    updates.tell(EnvironmentUpdate.publish(EnvironmentUpdate.progress(id, "Step 1/3 : FROM busybox", Instant.now())));

    assertThat(creates.tryAdmit()).as("the limit of one is still taken").isNull();

    status(id, EnvironmentStatus.QUEUED);
    awaitInFlight(creates, 0);
    assertThat(creates.tryAdmit()).isNotNull();
  }

  @Test
  void anAnswerHeardBeforeThe202AndA202OfAnEnvironmentPlacedEarlierBothFreeTheSlot() {
    CreatesInFlight creates = creates(2, LONG);
    String early = UUID.randomUUID().toString();
    CreatesInFlight.Slot first = creates.tryAdmit();
    first.sending(early);
    status(early, EnvironmentStatus.PLACED);
    awaitInFlight(creates, 0);
    first.accepted(EnvironmentStatus.REQUESTED);
    assertThat(creates.inFlight()).as("freed once, not twice").isZero();

    CreatesInFlight.Slot retried = creates.tryAdmit();
    retried.sending(UUID.randomUUID().toString());
    retried.accepted(EnvironmentStatus.RUNNING);
    assertThat(creates.inFlight()).isZero();
  }

  @Test
  void aFailedCreateFreesItsSlotSentOrNot() {
    CreatesInFlight creates = creates(2, LONG);
    CreatesInFlight.Slot refusedEarly = creates.tryAdmit();
    CreatesInFlight.Slot refusedByItsEntity = creates.tryAdmit();
    refusedByItsEntity.sending(UUID.randomUUID().toString());

    refusedEarly.failed();
    refusedByItsEntity.failed();

    assertThat(creates.inFlight()).isZero();
  }

  @Test
  void aCreateWhoseAnswerIsNeverHeardIsFreedAfterSettleWithinAndCountsAsSlow() {
    CreatesInFlight creates = creates(4, Duration.ofMillis(300));
    CreatesInFlight.Slot slot = creates.tryAdmit();
    slot.sending(UUID.randomUUID().toString());
    slot.accepted(EnvironmentStatus.REQUESTED);

    awaitInFlight(creates, 0);
    assertThat(creates.currentLimit()).as("a slow answer takes a tenth off").isEqualTo(3);
  }

  @Test
  void theSameEnvironmentTwiceAtOnceIsFreedByOneAnswer() {
    CreatesInFlight creates = creates(2, LONG);
    String id = UUID.randomUUID().toString();
    CreatesInFlight.Slot first = creates.tryAdmit();
    CreatesInFlight.Slot second = creates.tryAdmit();
    first.sending(id);
    second.sending(id);
    first.accepted(EnvironmentStatus.REQUESTED);
    second.accepted(EnvironmentStatus.REQUESTED);

    status(id, EnvironmentStatus.PLACED);

    awaitInFlight(creates, 0);
  }
}
