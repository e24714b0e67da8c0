package io.dcloud.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.environment.DeletedEnvironmentCollector;
import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentEvents;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.TestReadSide;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Deleted environments collected on the embedded Cassandra, with the shipped journal settings: the
 * events erased from every partition they fill, and the snapshots, the id gone from the read side's listing, the
 * collecting node's directory told, and another gateway's directory forgetting it at its next full
 * read of the journal.
 */
@Tag("cassandra")
class DeletedEnvironmentCollectionTest {
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String READ_SIDE = "dcloud.persistence.read-side-journal";
  private static final Duration RETENTION = Duration.ofHours(1);
  private static final Instant LONG_AGO = Instant.now().minus(RETENTION.multipliedBy(2));

  private static ActorTestKit testKit;
  private static EmbeddedCassandra cassandra;

  @BeforeAll
  static void start() {
    cassandra = SharedTestCassandra.get();
    Config config = cassandra.credentials().applyTo(ConfigFactory.load(ConfigFactory.parseString(
        """
        dcloud.cassandra.contact-points = ["%s"]
        # Two events a partition: three events written one by one fill two; written together, they go in
        # the second (the partition of the last one), the first left empty: the eraser looks past it.
        pekko.persistence.cassandra.journal.target-partition-size = 2
        pekko.actor.serialization-bindings {
          "io.dcloud.serialization.CborSerializable" = jackson-cbor
        }
        pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
        pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
        """.formatted(cassandra.contactPoint()))));
    testKit = ActorTestKit.create("DeletedEnvironmentCollectionTest", config);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void aCollectedEnvironmentLeavesTheJournalAndEveryReadSide() throws Exception {
    String name = "churn-" + UUID.randomUUID();
    String deleted = UUID.randomUUID().toString();
    String running = UUID.randomUUID().toString();
    assertThat(write(deleted, List.of(EnvironmentEvents.requested(name, LONG_AGO),
        new EnvironmentEntity.PlacedOnNode("n1", List.of(), LONG_AGO), new EnvironmentEntity.Deleted(LONG_AGO, "bob"))))
        .isEqualTo(3);
    String spread = UUID.randomUUID().toString();
    write(spread, List.of(EnvironmentEvents.requested(name, LONG_AGO)));
    write(spread, List.of(new EnvironmentEntity.PlacedOnNode("n1", List.of(), LONG_AGO)));
    assertThat(write(spread, List.of(new EnvironmentEntity.Deleted(LONG_AGO, "bob")))).isEqualTo(3);
    assertThat(write(running, List.of(EnvironmentEvents.requested(name, LONG_AGO)))).isEqualTo(1);
    snapshot(deleted);
    // Two gateways' read sides, each reading the whole journal twice a second.
    TestReadSide collecting = TestReadSide.spawn(testKit, READ_SIDE, Duration.ofMillis(500));
    TestReadSide other = TestReadSide.spawn(testKit, READ_SIDE, Duration.ofMillis(500));
    for (TestReadSide readSide : List.of(collecting, other)) {
      await().atMost(WAIT).untilAsserted(() -> {
        assertThat(readSide.listed(EnvironmentStatus.DELETED, name)).containsExactlyInAnyOrder(deleted, spread);
        assertThat(readSide.listed(null, name)).containsExactly(running);
      });
    }
    TestProbe<String> stopped = testKit.createTestProbe();

    testKit.spawn(DeletedEnvironmentCollector.create(
        new DeletedEnvironmentCollector.Settings(RETENTION, Duration.ofMillis(200), 100),
        // What is kept before the erase (usage) is tested end to end in the app's HousekeepingIT.
        collecting.folded(), collecting.directory(), id -> CompletableFuture.completedFuture(null),
        CassandraJournalEraser.create(testKit.system()),
        stopped.ref()::tell, Clock.systemUTC()));

    // Other tests' environments in this keyspace may be collected too.
    List<String> collected = new ArrayList<>();
    stopped.fishForMessage(WAIT, id -> {
      collected.add(id);
      return collected.containsAll(List.of(deleted, spread)) ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore();
    });
    assertThat(collecting.listed(EnvironmentStatus.DELETED, name)).isEmpty();
    assertThat(events(deleted)).isEmpty();
    assertThat(events(spread)).isEmpty();
    assertThat(events(running)).hasSize(1);
    List<String> ids = PersistenceQuery.get(testKit.system())
        .getReadJournalFor(CurrentPersistenceIdsQuery.class, READ_SIDE)
        .currentPersistenceIds()
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(ids).contains(persistenceId(running)).doesNotContain(persistenceId(deleted), persistenceId(spread));
    assertThat(write(deleted, List.of())).as("events a recovery finds").isZero();
    assertThat(snapshots(deleted)).as("snapshots a recovery finds").isZero();
    assertThat(write(spread, List.of())).as("events a recovery finds").isZero();

    await().atMost(WAIT).untilAsserted(() -> assertThat(other.listed(EnvironmentStatus.DELETED, name)).isEmpty());
    assertThat(other.listed(null, name)).containsExactly(running);
  }

  /** A snapshot row, as the snapshot store writes one (what it holds does not matter here). */
  private static void snapshot(String id) {
    try (CqlSession session = CassandraTestSupport.session(cassandra)) {
      session.execute("INSERT INTO pekko_snapshot.snapshots (persistence_id, sequence_nr, timestamp, ser_id, ser_manifest,"
          + " snapshot_data) VALUES (?, 3, 0, 1, '', 0x00)", persistenceId(id));
    }
    assertThat(snapshots(id)).isEqualTo(1);
  }

  private static long snapshots(String id) {
    try (CqlSession session = CassandraTestSupport.session(cassandra)) {
      return session.execute("SELECT count(*) FROM pekko_snapshot.snapshots WHERE persistence_id = ?", persistenceId(id))
          .one().getLong(0);
    }
  }

  private static String persistenceId(String id) {
    return EnvironmentEntity.TYPE_KEY.name() + "|" + id;
  }

  private static List<Object> events(String id) throws Exception {
    return PersistenceQuery.get(testKit.system())
        .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, READ_SIDE)
        .currentEventsByPersistenceId(persistenceId(id), 0, Long.MAX_VALUE)
        .map(envelope -> envelope.event())
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** Recovers the environment's journal, appends {@code events}, and says how many it has then. */
  private static int write(String id, List<EnvironmentEntity.Event> events) {
    TestProbe<Integer> written = testKit.createTestProbe();
    ActorRef<EnvironmentJournal.Append> journal = testKit.spawn(EnvironmentJournal.create(persistenceId(id)));
    journal.tell(new EnvironmentJournal.Append(events, written.ref()));
    int count = written.receiveMessage(WAIT);
    testKit.stop(journal);
    return count;
  }

  /** An environment's events as its entity writes them, and nothing else of the entity. */
  private static final class EnvironmentJournal
      extends EventSourcedBehavior<EnvironmentJournal.Append, EnvironmentEntity.Event, List<EnvironmentEntity.Event>> {
    record Append(List<EnvironmentEntity.Event> events, ActorRef<Integer> replyTo) {}

    static Behavior<Append> create(String persistenceId) {
      return new EnvironmentJournal(persistenceId);
    }

    private EnvironmentJournal(String persistenceId) {
      super(PersistenceId.ofUniqueId(persistenceId));
    }

    @Override
    public List<EnvironmentEntity.Event> emptyState() {
      return new ArrayList<>();
    }

    @Override
    public CommandHandler<Append, EnvironmentEntity.Event, List<EnvironmentEntity.Event>> commandHandler() {
      return (state, append) -> Effect().persist(append.events()).thenReply(append.replyTo(), after -> after.size());
    }

    @Override
    public EventHandler<List<EnvironmentEntity.Event>, EnvironmentEntity.Event> eventHandler() {
      return (state, event) -> {
        state.add(event);
        return state;
      };
    }
  }
}
