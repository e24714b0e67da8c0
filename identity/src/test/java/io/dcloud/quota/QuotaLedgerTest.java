package io.dcloud.quota;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.OwnerUsage;
import io.dcloud.identity.Quota;
import io.dcloud.resources.Resources;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The ledger over a directory played by a probe: what it admits, refuses and counts twice never. */
class QuotaLedgerTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Resources ONE_CORE = new Resources(1000, 1L << 30, 0, 0, null);
  private static final Quota TWO_CORES = new Quota(2000L, null, null, 3, null);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** A ledger whose usage comes from {@code directory}, the test's stand-in for the environment directory. */
  private static ActorRef<QuotaLedger.Command> ledgerOver(TestProbe<EnvironmentDirectory.Command> directory) {
    return testKit.spawn(
        QuotaLedger.create(directory.getRef(), Duration.ofMinutes(1), Duration.ofSeconds(3), Clock.systemUTC()));
  }

  @Test
  void admissionsAreDecidedOneAtATimeSoConcurrentCreatesCannotPassTheQuotaTogether() {
    TestProbe<EnvironmentDirectory.Command> directory = testKit.createTestProbe();
    ActorRef<QuotaLedger.Command> ledger = ledgerOver(directory);
    TestProbe<QuotaLedger.Decision> answers = testKit.createTestProbe();

    for (int i = 0; i < 5; i++) {
      ledger.tell(new QuotaLedger.Admit("alice", "e" + i, ONE_CORE, true, TWO_CORES, answers.getRef()));
    }
    List<QuotaLedger.Decision> decisions = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      // The directory has counted nothing yet: only the ledger's own admissions hold the quota.
      EnvironmentDirectory.GetUsage asked = directory.expectMessageClass(EnvironmentDirectory.GetUsage.class);
      asked.replyTo().tell(new EnvironmentDirectory.Usage(OwnerUsage.NONE, Set.of()));
      decisions.add(answers.receiveMessage());
    }

    assertThat(decisions).extracting(QuotaLedger.Decision::admitted).containsExactly(true, true, false, false, false);
    assertThat(decisions.get(2).excess()).containsExactly(new QuotaLedger.Excess("cpu", 2000, 1000, 2000));
  }

  @Test
  void whatTheDirectoryCountsAlreadyIsNotCountedAgainAndAStartNeedsOnlyCpuRamAndGpus() {
    TestProbe<EnvironmentDirectory.Command> directory = testKit.createTestProbe();
    ActorRef<QuotaLedger.Command> ledger = ledgerOver(directory);
    TestProbe<QuotaLedger.Decision> answers = testKit.createTestProbe();

    ledger.tell(new QuotaLedger.Admit("bob", "e1", ONE_CORE, true, TWO_CORES, answers.getRef()));
    directory.expectMessageClass(EnvironmentDirectory.GetUsage.class).replyTo()
        .tell(new EnvironmentDirectory.Usage(new OwnerUsage(0, 0, 0, 2, 0), Set.of()));
    assertThat(answers.receiveMessage().admitted()).as("2 stopped + 1 new of 3 environments").isTrue();

    // The directory now counts e1 (running): the ledger drops its own note of it.
    ledger.tell(new QuotaLedger.Admit("bob", "e0", ONE_CORE, false, TWO_CORES, answers.getRef()));
    EnvironmentDirectory.GetUsage asked = directory.expectMessageClass(EnvironmentDirectory.GetUsage.class);
    assertThat(asked.recentCreates()).containsExactly("e1");
    assertThat(asked.recentStarts()).isEmpty();
    asked.replyTo().tell(new EnvironmentDirectory.Usage(new OwnerUsage(1000, 1L << 30, 0, 3, 0), Set.of("e1")));
    QuotaLedger.Decision start = answers.receiveMessage();
    assertThat(start.admitted()).as("a start of a stopped one: 1 + 1 cores of 2, the count unchanged").isTrue();
    assertThat(start.usage().milliCpus()).isEqualTo(1000);
  }

  @Test
  void aCheckIsDecidedLikeACreateButHoldsNothing() {
    TestProbe<EnvironmentDirectory.Command> directory = testKit.createTestProbe();
    ActorRef<QuotaLedger.Command> ledger = ledgerOver(directory);
    TestProbe<QuotaLedger.Decision> answers = testKit.createTestProbe();

    ledger.tell(new QuotaLedger.Check("dave", ONE_CORE, TWO_CORES, answers.getRef()));
    EnvironmentDirectory.GetUsage first = directory.expectMessageClass(EnvironmentDirectory.GetUsage.class);
    first.replyTo().tell(new EnvironmentDirectory.Usage(new OwnerUsage(1000, 0, 0, 1, 0), Set.of()));
    assertThat(answers.receiveMessage().admitted()).as("1 + 1 cores of 2").isTrue();

    ledger.tell(new QuotaLedger.Check("dave", new Resources(2000, 0, 0, 0, null), TWO_CORES, answers.getRef()));
    EnvironmentDirectory.GetUsage second = directory.expectMessageClass(EnvironmentDirectory.GetUsage.class);
    assertThat(second.recentCreates()).as("the check before noted nothing").isEmpty();
    second.replyTo().tell(new EnvironmentDirectory.Usage(new OwnerUsage(1000, 0, 0, 1, 0), Set.of()));
    QuotaLedger.Decision refused = answers.receiveMessage();
    assertThat(refused.admitted()).isFalse();
    assertThat(refused.excess()).containsExactly(new QuotaLedger.Excess("cpu", 1000, 2000, 2000));
  }

  @Test
  void aCheckOfSeveralEnvironmentsCountsEachAgainstTheLimitOfEnvironments() {
    TestProbe<EnvironmentDirectory.Command> directory = testKit.createTestProbe();
    ActorRef<QuotaLedger.Command> ledger = ledgerOver(directory);
    TestProbe<QuotaLedger.Decision> answers = testKit.createTestProbe();

    // One environment held of three: two more fit, three do not.
    ledger.tell(new QuotaLedger.Check("erin", new Resources(1000, 0, 0, 0, null), 2, TWO_CORES, answers.getRef()));
    directory.expectMessageClass(EnvironmentDirectory.GetUsage.class).replyTo()
        .tell(new EnvironmentDirectory.Usage(new OwnerUsage(0, 0, 0, 1, 0), Set.of()));
    assertThat(answers.receiveMessage().admitted()).isTrue();
    ledger.tell(new QuotaLedger.Check("erin", new Resources(1000, 0, 0, 0, null), 3, TWO_CORES, answers.getRef()));
    directory.expectMessageClass(EnvironmentDirectory.GetUsage.class).replyTo()
        .tell(new EnvironmentDirectory.Usage(new OwnerUsage(0, 0, 0, 1, 0), Set.of()));
    assertThat(answers.receiveMessage().excess()).containsExactly(new QuotaLedger.Excess("environments", 1, 3, 3));
  }

  @Test
  void aServicesReplicasAreHeldUntilTheDirectoryCountsThemAndNeverTwice() {
    TestProbe<EnvironmentDirectory.Command> directory = testKit.createTestProbe();
    ActorRef<QuotaLedger.Command> ledger = ledgerOver(directory);
    TestProbe<QuotaLedger.Decision> answers = testKit.createTestProbe();
    Quota threeCores = new Quota(3000L, null, null, 5, null);

    ledger.tell(new QuotaLedger.Check("fay", new Resources(2000, 2L << 30, 0, 0, null), 2, threeCores,
        new QuotaLedger.ServiceHold("web", 2, ONE_CORE), answers.getRef()));
    directory.expectMessageClass(EnvironmentDirectory.GetUsage.class).replyTo()
        .tell(new EnvironmentDirectory.Usage(OwnerUsage.NONE, Set.of()));
    assertThat(answers.receiveMessage().admitted()).isTrue();

    // Before web's replicas exist, another service's two cores do not fit beside them.
    ledger.tell(new QuotaLedger.Check("fay", new Resources(2000, 0, 0, 0, null), 1, threeCores,
        new QuotaLedger.ServiceHold("api", 1, new Resources(2000, 0, 0, 0, null)), answers.getRef()));
    EnvironmentDirectory.GetUsage asked = directory.expectMessageClass(EnvironmentDirectory.GetUsage.class);
    assertThat(asked.services()).containsExactly("web");
    asked.replyTo().tell(new EnvironmentDirectory.Usage(OwnerUsage.NONE, Set.of(), Map.of("web", 0)));
    QuotaLedger.Decision refused = answers.receiveMessage();
    assertThat(refused.admitted()).isFalse();
    assertThat(refused.excess()).containsExactly(new QuotaLedger.Excess("cpu", 2000, 2000, 3000));

    // Once the directory counts them, they are counted there alone: one core more fits.
    ledger.tell(new QuotaLedger.Check("fay", ONE_CORE, 1, threeCores,
        new QuotaLedger.ServiceHold("api", 1, ONE_CORE), answers.getRef()));
    directory.expectMessageClass(EnvironmentDirectory.GetUsage.class).replyTo().tell(new EnvironmentDirectory.Usage(
        new OwnerUsage(2000, 2L << 30, 0, 2, 0), Set.of(), Map.of("web", 2)));
    assertThat(answers.receiveMessage().admitted()).isTrue();
    ledger.tell(new QuotaLedger.Check("fay", ONE_CORE, TWO_CORES, answers.getRef()));
    assertThat(directory.expectMessageClass(EnvironmentDirectory.GetUsage.class).services())
        .as("web's hold was let go, api's is held").containsExactly("api");
  }

  @Test
  void aDeletedServicesHoldGoesAtOnce() {
    TestProbe<EnvironmentDirectory.Command> directory = testKit.createTestProbe();
    ActorRef<QuotaLedger.Command> ledger = testKit.spawn(
        QuotaLedger.create(directory.getRef(), Duration.ofMinutes(1), Duration.ofSeconds(3), Clock.systemUTC()));
    TestProbe<QuotaLedger.Decision> answers = testKit.createTestProbe();
    ledger.tell(new QuotaLedger.Check("gil", new Resources(2000, 2L << 30, 0, 0, null), 2, TWO_CORES,
        new QuotaLedger.ServiceHold("web", 2, ONE_CORE), answers.getRef()));
    directory.expectMessageClass(EnvironmentDirectory.GetUsage.class).replyTo()
        .tell(new EnvironmentDirectory.Usage(OwnerUsage.NONE, Set.of()));
    assertThat(answers.receiveMessage().admitted()).isTrue();

    ledger.tell(new QuotaLedger.ReleaseService("web"));
    ledger.tell(new QuotaLedger.Check("gil", new Resources(2000, 2L << 30, 0, 0, null), 2, TWO_CORES,
        new QuotaLedger.ServiceHold("api", 2, ONE_CORE), answers.getRef()));
    EnvironmentDirectory.GetUsage asked = directory.expectMessageClass(EnvironmentDirectory.GetUsage.class);
    assertThat(asked.services()).as("web's replicas are no longer waited for").isEmpty();
    asked.replyTo().tell(new EnvironmentDirectory.Usage(OwnerUsage.NONE, Set.of()));
    assertThat(answers.receiveMessage().admitted()).as("the room web held is free").isTrue();
  }

  @Test
  void aDirectoryThatDoesNotAnswerIsUnavailableNotARefusal() {
    TestProbe<EnvironmentDirectory.Command> directory = testKit.createTestProbe();
    ActorRef<QuotaLedger.Command> ledger = testKit.spawn(
        QuotaLedger.create(directory.getRef(), Duration.ofMinutes(1), Duration.ofMillis(200), Clock.systemUTC()));
    TestProbe<QuotaLedger.Decision> answers = testKit.createTestProbe();

    ledger.tell(new QuotaLedger.Admit("carol", "e1", ONE_CORE, true, TWO_CORES, answers.getRef()));

    QuotaLedger.Decision decision = answers.receiveMessage(Duration.ofSeconds(3));
    assertThat(decision.unavailable()).isTrue();
    assertThat(decision.admitted()).isFalse();
  }
}
