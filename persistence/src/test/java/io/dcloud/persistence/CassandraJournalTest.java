package io.dcloud.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.Row;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.serialization.CborSerializable;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The reference.conf wiring of Pekko Persistence, against the embedded Cassandra. */
@Tag("cassandra")
class CassandraJournalTest {

  /** The first write creates the keyspaces and tables: allow for that on a small machine. */
  private static final Duration FIRST_WRITE = Duration.ofSeconds(60);

  private static final Duration REPLY = Duration.ofSeconds(10);


  private static EmbeddedCassandra cassandra;

  @BeforeAll
  static void startCassandra() {
    cassandra = SharedTestCassandra.get();
  }

  /** reference.conf with only what a test must change; loaded so that substitutions re-resolve. */
  private static Config config() {
    String thisHour =
        ZonedDateTime.now(ZoneOffset.UTC).format(DateTimeFormatter.ofPattern("yyyyMMdd'T'HH:00"));
    return cassandra.credentials().applyTo(ConfigFactory.load(
        ConfigFactory.parseString(
            """
            dcloud.cassandra.contact-points = ["%s"]
            pekko.persistence.cassandra.events-by-tag {
              # DCloud turns tagging off; this test checks the journal can serve a tag projection.
              enabled = on
              first-time-bucket = "%s"
              pubsub-notification = on
              eventual-consistency-delay = 1s
            }
            pekko.actor.serialization-bindings {
              "io.dcloud.serialization.CborSerializable" = jackson-cbor
            }
            pekko.actor.serialize-messages = on
            pekko.actor.allow-java-serialization = off
            pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
            pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
            pekko.loglevel = INFO
            """
                .formatted(cassandra.contactPoint(), thisHour))));
  }

  @Test
  void eventsAndSnapshotsAreRecoveredByANewActorSystem() {
    String id = "tally-recovery";
    List<String> items = List.of("a", "b", "c", "d", "e");

    ActorTestKit first = ActorTestKit.create("CassandraJournalTest-first", config());
    try {
      TestProbe<Long> snapshots = first.createTestProbe();
      TestProbe<Tally.Added> added = first.createTestProbe();
      ActorRef<Tally.Command> tally = first.spawn(Tally.create(id, snapshots.ref()));
      for (String item : items) {
        tally.tell(new Tally.Add(item, added.ref()));
        Duration wait = item.equals("a") ? FIRST_WRITE : REPLY;
        assertThat(added.receiveMessage(wait)).isEqualTo(new Tally.Added(item));
      }
      // snapshotEvery(3): a snapshot after event 3, written asynchronously.
      assertThat(snapshots.receiveMessage(REPLY)).isEqualTo(3L);
    } finally {
      first.shutdownTestKit();
    }

    try (CqlSession session = CassandraTestSupport.session(cassandra)) {
      List<Long> journal = new ArrayList<>();
      for (Row row :
          session.execute(
              "SELECT sequence_nr FROM pekko.messages WHERE persistence_id = ? AND partition_nr = 0",
              id)) {
        journal.add(row.getLong("sequence_nr"));
      }
      assertThat(journal).containsExactly(1L, 2L, 3L, 4L, 5L);
      Row snapshot =
          session
              .execute(
                  "SELECT sequence_nr FROM pekko_snapshot.snapshots WHERE persistence_id = ?", id)
              .one();
      assertThat(snapshot).isNotNull();
      assertThat(snapshot.getLong("sequence_nr")).isEqualTo(3L);
    }

    ActorTestKit second = ActorTestKit.create("CassandraJournalTest-second", config());
    try {
      TestProbe<Tally.State> state = second.createTestProbe();
      ActorRef<Tally.Command> tally =
          second.spawn(Tally.create(id, second.<Long>createTestProbe().ref()));
      tally.tell(new Tally.Get(state.ref()));
      assertThat(state.receiveMessage(REPLY)).isEqualTo(new Tally.State(items));
    } finally {
      second.shutdownTestKit();
    }
  }

  @Test
  void taggedEventsReachEventsByTag() throws Exception {
    String id = "tally-tagged";
    ActorTestKit testKit = ActorTestKit.create("CassandraJournalTest-tags", config());
    try {
      TestProbe<Tally.Added> added = testKit.createTestProbe();
      ActorRef<Tally.Command> tally =
          testKit.spawn(Tally.create(id, testKit.<Long>createTestProbe().ref()));
      tally.tell(new Tally.Add("x", added.ref()));
      added.receiveMessage(FIRST_WRITE);
      tally.tell(new Tally.Add("y", added.ref()));
      added.receiveMessage(REPLY);

      CassandraReadJournal queries =
          PersistenceQuery.get(testKit.system())
              .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier());
      List<EventEnvelope> envelopes =
          queries
              .eventsByTag(Tally.tagOf(id), Offset.noOffset())
              .take(2)
              .runWith(Sink.seq(), testKit.system())
              .toCompletableFuture()
              .get(30, TimeUnit.SECONDS);

      assertThat(envelopes)
          .extracting(EventEnvelope::event)
          .containsExactly(new Tally.Added("x"), new Tally.Added("y"));
      assertThat(envelopes).allSatisfy(e -> assertThat(e.persistenceId()).isEqualTo(id));
    } finally {
      testKit.shutdownTestKit();
    }
  }

  /** A list of items, event sourced; snapshots every 3 events; each entity has its own tag. */
  static final class Tally extends EventSourcedBehavior<Tally.Command, Tally.Added, Tally.State> {

    sealed interface Command extends CborSerializable {}

    record Add(String item, ActorRef<Added> replyTo) implements Command {}

    record Get(ActorRef<State> replyTo) implements Command {}

    record Added(String item) implements CborSerializable {}

    record State(List<String> items) implements CborSerializable {
      State {
        items = List.copyOf(items);
      }

      State add(String item) {
        List<String> more = new ArrayList<>(items);
        more.add(item);
        return new State(more);
      }
    }

    static Behavior<Command> create(String id, ActorRef<Long> snapshotsDone) {
      return new Tally(id, snapshotsDone);
    }

    static String tagOf(String id) {
      return "tag-" + id;
    }

    private final String tag;
    private final ActorRef<Long> snapshotsDone;

    private Tally(String id, ActorRef<Long> snapshotsDone) {
      super(PersistenceId.ofUniqueId(id));
      this.tag = tagOf(id);
      this.snapshotsDone = snapshotsDone;
    }

    @Override
    public State emptyState() {
      return new State(List.of());
    }

    @Override
    public CommandHandler<Command, Added, State> commandHandler() {
      return newCommandHandlerBuilder()
          .forAnyState()
          .onCommand(
              Add.class,
              add -> Effect().persist(new Added(add.item())).thenReply(add.replyTo(), s -> new Added(add.item())))
          .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state))
          .build();
    }

    @Override
    public EventHandler<State, Added> eventHandler() {
      return newEventHandlerBuilder()
          .forAnyState()
          .onEvent(Added.class, (state, added) -> state.add(added.item()))
          .build();
    }

    @Override
    public Set<String> tagsFor(Added event) {
      return Set.of(tag);
    }

    @Override
    public RetentionCriteria retentionCriteria() {
      return RetentionCriteria.snapshotEvery(3, 2);
    }

    @Override
    public SignalHandler<State> signalHandler() {
      return newSignalHandlerBuilder()
          .onSignal(
              SnapshotCompleted.class,
              (state, done) -> snapshotsDone.tell(done.metadata().sequenceNr()))
          .build();
    }
  }
}
