package io.dcloud.environment;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.journal.JournalEraser;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The collection of deleted environments, on the in-memory journal (its Cassandra eraser and the
 * other gateways' forgetting are tested in the persistence module): which are collected, what each
 * collection does, and an erase that fails.
 */
class DeletedEnvironmentCollectorTest {
  private static final Config CONFIG = PersistenceTestKitPlugin.getInstance().config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create("collector-test", CONFIG);
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration RETENTION = Duration.ofHours(1);
  private static final Instant LONG_AGO = Instant.now().minus(RETENTION.multipliedBy(2));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static TestReadSide readSide() {
    return TestReadSide.spawn(testKit, PersistenceTestKitReadJournal.Identifier(), Duration.ofMinutes(1));
  }

  /** An environment in the journal and the read side: requested, then deleted at {@code deletedAt} (null: not deleted). */
  private static String environment(TestReadSide readSide, Instant deletedAt) {
    String id = UUID.randomUUID().toString();
    List<EnvironmentEntity.Event> events = deletedAt == null
        ? List.of(EnvironmentEvents.requested("churn", LONG_AGO))
        : List.of(EnvironmentEvents.requested("churn", LONG_AGO), new EnvironmentEntity.Deleted(deletedAt, "bob"));
    journal.persistForRecovery(persistenceId(id), List.copyOf(events));
    for (int i = 0; i < events.size(); i++) {
      readSide.directory().tell(new EnvironmentDirectory.Apply(id, i + 1, events.get(i)));
    }
    return id;
  }

  private static String persistenceId(String id) {
    return EnvironmentEntity.TYPE_KEY.name() + "|" + id;
  }

  private static final JournalEraser ERASES_FROM_THE_JOURNAL = persistenceId -> {
    journal.clearByPersistenceId(persistenceId);
    return CompletableFuture.completedFuture(null);
  };

  @Test
  void collectsTheEnvironmentsDeletedLongerThanTheRetentionAgoAFewARound() {
    TestReadSide readSide = readSide();
    String first = environment(readSide, LONG_AGO);
    String second = environment(readSide, LONG_AGO.plusSeconds(1));
    String recent = environment(readSide, Instant.now());
    String running = environment(readSide, null);
    assertThat(readSide.listed(EnvironmentStatus.DELETED, "churn")).containsExactlyInAnyOrder(first, second, recent);
    TestProbe<String> stopped = testKit.createTestProbe();

    // One a round: the second waits for the next.
    testKit.spawn(DeletedEnvironmentCollector.create(
        new DeletedEnvironmentCollector.Settings(RETENTION, Duration.ofMillis(100), 1),
        readSide.folded(), readSide.directory(), ERASES_FROM_THE_JOURNAL, stopped.ref()::tell, Clock.systemUTC()));

    assertThat(List.of(stopped.receiveMessage(WAIT), stopped.receiveMessage(WAIT))).containsExactlyInAnyOrder(first, second);
    assertThat(readSide.listed(EnvironmentStatus.DELETED, "churn")).containsExactly(recent);
    assertThat(readSide.listed(null, "churn")).containsExactly(running);
    assertThat(journal.persistedInStorage(persistenceId(first))).isEmpty();
    assertThat(journal.persistedInStorage(persistenceId(second))).isEmpty();
    assertThat(journal.persistedInStorage(persistenceId(recent))).hasSize(2);
    assertThat(journal.persistedInStorage(persistenceId(running))).hasSize(1);
    stopped.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void anEraseThatFailsIsSaidAndTriedAgainAtTheNextRound() {
    TestReadSide readSide = readSide();
    String deleted = environment(readSide, LONG_AGO);
    AtomicInteger tries = new AtomicInteger();
    JournalEraser failsOnce = persistenceId -> tries.getAndIncrement() == 0
        ? CompletableFuture.failedFuture(new IllegalStateException("Cassandra is down"))
        : ERASES_FROM_THE_JOURNAL.erase(persistenceId);
    TestProbe<String> stopped = testKit.createTestProbe();

    LoggingTestKit.warn("Could not erase the events of some environments").withMessageContains("Cassandra is down")
        .expect(testKit.system(), () -> testKit.spawn(DeletedEnvironmentCollector.create(
            new DeletedEnvironmentCollector.Settings(RETENTION, Duration.ofMillis(100), 10),
            readSide.folded(), readSide.directory(), failsOnce, stopped.ref()::tell, Clock.systemUTC())));

    assertThat(stopped.receiveMessage(WAIT)).isEqualTo(deleted);
    assertThat(tries.get()).isEqualTo(2);
    assertThat(readSide.listed(EnvironmentStatus.DELETED, "churn")).isEmpty();
    assertThat(journal.persistedInStorage(persistenceId(deleted))).isEmpty();
  }
}
