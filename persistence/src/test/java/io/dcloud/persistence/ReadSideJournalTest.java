package io.dcloud.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The read side's journal on the embedded Cassandra, with the shipped settings: a new entity's first
 * write leaves the plugin's id table alone, and the ids are listed from the events' table, each once.
 */
@Tag("cassandra")
class ReadSideJournalTest {
  private static final Duration FIRST_WRITE = Duration.ofSeconds(60);
  private static final Duration REPLY = Duration.ofSeconds(10);
  private static final String PLUGIN = "dcloud.persistence.read-side-journal";

  private static EmbeddedCassandra cassandra;
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    cassandra = SharedTestCassandra.get();
    Config config = cassandra.credentials().applyTo(ConfigFactory.load(ConfigFactory.parseString(
        """
        dcloud.cassandra.contact-points = ["%s"]
        # Two events a partition: the five events of one tally fill three.
        pekko.persistence.cassandra.journal.target-partition-size = 2
        pekko.actor.serialization-bindings {
          "io.dcloud.serialization.CborSerializable" = jackson-cbor
        }
        pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
        pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
        """.formatted(cassandra.contactPoint()))));
    testKit = ActorTestKit.create("ReadSideJournalTest", config);
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void listsEveryIdOnceFromTheEventsTableAndReadsTheirEvents() throws Exception {
    String suffix = UUID.randomUUID().toString();
    String longTally = "long-" + suffix;
    String shortTally = "short-" + suffix;
    write(longTally, List.of("a", "b", "c", "d", "e"));
    write(shortTally, List.of("x"));

    try (CqlSession session = CassandraTestSupport.session(cassandra)) {
      // The shipped setting: no row in the plugin's id table for a new entity. (Its autocreate makes
      // the table only when it writes there; DCloud's schema makes it anyway.)
      session.execute("CREATE TABLE IF NOT EXISTS pekko.all_persistence_ids (persistence_id text PRIMARY KEY)");
      assertThat(session.execute("SELECT persistence_id FROM pekko.all_persistence_ids WHERE persistence_id IN (?, ?)",
          longTally, shortTally).all()).isEmpty();
      // The long tally's events are in three partitions: three rows of the listing's query name it.
      assertThat(session.execute("SELECT partition_nr FROM pekko.messages WHERE persistence_id = ? AND partition_nr IN (0, 1, 2, 3)"
          + " PER PARTITION LIMIT 1", longTally).all()).hasSize(3);
    }

    List<String> ids = PersistenceQuery.get(testKit.system())
        .getReadJournalFor(CurrentPersistenceIdsQuery.class, PLUGIN)
        .currentPersistenceIds()
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(Collections.frequency(ids, longTally)).isEqualTo(1);
    assertThat(Collections.frequency(ids, shortTally)).isEqualTo(1);

    List<Object> events = PersistenceQuery.get(testKit.system())
        .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, PLUGIN)
        .currentEventsByPersistenceId(longTally, 0, Long.MAX_VALUE)
        .map(EventEnvelope::event)
        .runWith(Sink.seq(), testKit.system())
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(events).extracting(e -> ((CassandraJournalTest.Tally.Added) e).item()).containsExactly("a", "b", "c", "d", "e");
  }

  private static void write(String id, List<String> items) {
    TestProbe<CassandraJournalTest.Tally.Added> added = testKit.createTestProbe();
    ActorRef<CassandraJournalTest.Tally.Command> tally =
        testKit.spawn(CassandraJournalTest.Tally.create(id, testKit.<Long>createTestProbe().ref()));
    for (String item : items) {
      tally.tell(new CassandraJournalTest.Tally.Add(item, added.ref()));
      assertThat(added.receiveMessage(FIRST_WRITE)).isEqualTo(new CassandraJournalTest.Tally.Added(item));
    }
    testKit.stop(tally);
  }
}
