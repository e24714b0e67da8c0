package io.dcloud.environment;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.journal.JournalEraser;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
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
    return EnvironmentSharding.persistenceId(id);
  }

  /** Keeps nothing (what is kept, the usage, is tested with the usage records). */
  private static CompletionStage<?> keepsNothing(String environmentId) {
    return CompletableFuture.completedFuture(null);
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
    // What the journal held of each environment when it was kept: kept before it is erased.
    Map<String, Integer> eventsWhenKept = new ConcurrentHashMap<>();
    Function<String, CompletionStage<?>> keep = id -> {
      eventsWhenKept.put(id, journal.persistedInStorage(persistenceId(id)).size());
      return CompletableFuture.completedFuture(null);
    };

    // One a round: the second waits for the next.
    testKit.spawn(DeletedEnvironmentCollector.create(
        new DeletedEnvironmentCollector.Settings(RETENTION, Duration.ofMillis(100), 1),
        readSide.folded(), readSide.directory(), keep, ERASES_FROM_THE_JOURNAL, stopped.ref()::tell, Clock.systemUTC()));

    assertThat(List.of(stopped.receiveMessage(WAIT), stopped.receiveMessage(WAIT))).containsExactlyInAnyOrder(first, second);
    assertThat(eventsWhenKept).containsOnly(Map.entry(first, 2), Map.entry(second, 2));
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

    LoggingTestKit.warn("Could not keep the usage of, or erase the events of, some environments")
        .withMessageContains("Cassandra is down")
        .expect(testKit.system(), () -> testKit.spawn(DeletedEnvironmentCollector.create(
            new DeletedEnvironmentCollector.Settings(RETENTION, Duration.ofMillis(100), 10),
            readSide.folded(), readSide.directory(), DeletedEnvironmentCollectorTest::keepsNothing, failsOnce,
            stopped.ref()::tell, Clock.systemUTC())));

    assertThat(stopped.receiveMessage(WAIT)).isEqualTo(deleted);
    assertThat(tries.get()).isEqualTo(2);
    assertThat(readSide.listed(EnvironmentStatus.DELETED, "churn")).isEmpty();
    assertThat(journal.persistedInStorage(persistenceId(deleted))).isEmpty();
  }

  @Test
  void anEnvironmentWhoseUsageCouldNotBeKeptIsNotErasedThatRound() {
    TestReadSide readSide = readSide();
    String deleted = environment(readSide, LONG_AGO);
    AtomicInteger keeps = new AtomicInteger();
    List<Integer> eventsAtEachKeep = new CopyOnWriteArrayList<>();
    Function<String, CompletionStage<?>> failsOnce = id -> {
      eventsAtEachKeep.add(journal.persistedInStorage(persistenceId(id)).size());
      return keeps.getAndIncrement() == 0
          ? CompletableFuture.failedFuture(new IllegalStateException("the archive did not answer"))
          : CompletableFuture.completedFuture(null);
    };
    TestProbe<String> stopped = testKit.createTestProbe();

    LoggingTestKit.warn("Could not keep the usage of, or erase the events of, some environments")
        .withMessageContains("the archive did not answer")
        .expect(testKit.system(), () -> testKit.spawn(DeletedEnvironmentCollector.create(
            new DeletedEnvironmentCollector.Settings(RETENTION, Duration.ofMillis(100), 10),
            readSide.folded(), readSide.directory(), failsOnce, ERASES_FROM_THE_JOURNAL, stopped.ref()::tell,
            Clock.systemUTC())));

    assertThat(stopped.receiveMessage(WAIT)).isEqualTo(deleted);
    assertThat(eventsAtEachKeep).as("not erased after the keep that failed").containsExactly(2, 2);
    assertThat(journal.persistedInStorage(persistenceId(deleted))).isEmpty();
  }
}
