package io.dcloud.audit;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.journal.JournalBackoff;
import io.dcloud.testing.OneNodeCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The audit trail on a one-node cluster with the in-memory journal: a day's entries, in order, kept. */
class AuditTrailTest {
  private static final Duration ANSWER = Duration.ofSeconds(10);
  private static final ActorTestKit testKit = OneNodeCluster.start("audit-trail-test");
  private static final BackoffSupervisorStrategy BACKOFF = JournalBackoff.fromConfig(testKit.system().settings().config());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void entriesRecordedOnADayComeBackInTheOrderTheyWereRecordedAndOnlyOnThatDay() {
    AuditTrail.init(testKit.system(), BACKOFF);
    Instant late = Instant.parse("2026-11-28T23:59:59Z");
    List<AuditEntry> entries = List.of(
        new AuditEntry(late.minusSeconds(30), "admin", "login", null, "127.0.0.1", "ok"),
        new AuditEntry(late.minusSeconds(20), "admin", "user.create", "alice", "127.0.0.1", "ok"),
        new AuditEntry(late.minusSeconds(10), "alice", "login", null, "10.0.0.7", "denied"),
        new AuditEntry(late, "admin", "node.drain", "n1", "127.0.0.1", "failed"));
    assertThat(AuditTrail.dayOf(late)).isEqualTo("2026-11-28");
    assertThat(AuditTrail.dayOf(late.plusSeconds(1))).as("days are UTC days").isEqualTo("2026-11-29");
    EntityRef<AuditTrail.Command> day = ClusterSharding.get(testKit.system()).entityRefFor(AuditTrail.TYPE_KEY, "2026-11-28");
    TestProbe<AuditTrail.Entries> probe = testKit.createTestProbe();

    for (AuditEntry entry : entries) {
      day.tell(new AuditTrail.Record(entry, probe.getRef()));
      assertThat(probe.receiveMessage(ANSWER)).isEqualTo(new AuditTrail.Entries(List.of(entry)));
    }
    day.tell(new AuditTrail.Read(probe.getRef()));
    assertThat(probe.receiveMessage(ANSWER).entries()).containsExactlyElementsOf(entries);

    ClusterSharding.get(testKit.system()).entityRefFor(AuditTrail.TYPE_KEY, "2026-11-29")
        .tell(new AuditTrail.Read(probe.getRef()));
    assertThat(probe.receiveMessage(ANSWER).entries()).as("the next day's entity").isEmpty();
  }

  @Test
  void aDayStoppedAndStartedAgainRecoversItsEntriesInOrder() {
    Instant at = Instant.parse("2026-11-27T08:00:00Z");
    List<AuditEntry> entries = List.of(
        new AuditEntry(at, "admin", "catalog.replace", null, "127.0.0.1", "ok"),
        new AuditEntry(at.plusSeconds(1), "bob", "user.update", "bob", null, "denied"),
        new AuditEntry(at.plusSeconds(2), "admin", "user.delete", "bob", "127.0.0.1", "ok"));
    TestProbe<AuditTrail.Entries> probe = testKit.createTestProbe();
    ActorRef<AuditTrail.Command> day = testKit.spawn(AuditTrail.create("2026-11-27", BACKOFF));
    for (AuditEntry entry : entries) {
      day.tell(new AuditTrail.Record(entry, probe.getRef()));
      probe.receiveMessage(ANSWER);
    }
    testKit.stop(day, ANSWER);

    ActorRef<AuditTrail.Command> again = testKit.spawn(AuditTrail.create("2026-11-27", BACKOFF));
    again.tell(new AuditTrail.Read(probe.getRef()));
    assertThat(probe.receiveMessage(ANSWER).entries()).containsExactlyElementsOf(entries);

    AuditEntry later = new AuditEntry(at.plusSeconds(3), "admin", "login", null, "127.0.0.1", "ok");
    again.tell(new AuditTrail.Record(later, probe.getRef()));
    probe.receiveMessage(ANSWER);
    again.tell(new AuditTrail.Read(probe.getRef()));
    assertThat(probe.receiveMessage(ANSWER).entries()).as("recorded after the recovery, appended")
        .hasSize(4).endsWith(later);
  }
}
