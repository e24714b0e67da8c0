package io.dcloud.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.journal.JournalEraser;
import io.dcloud.testing.TestNodeWatch;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The job index on the in-memory journal: finished jobs are collected once their retention has
 * passed (their events erased, their entry gone, for good), the others kept.
 */
class JobIndexTest {
  private static final Config CONFIG = PersistenceTestKitPlugin.getInstance().config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.load());
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration RETENTION = Duration.ofHours(1);

  private final TestNodeWatch nodes = new TestNodeWatch();
  private ActorTestKit testKit;
  private PersistenceTestKit journal;

  @BeforeEach
  void start() {
    testKit = ActorTestKit.create("job-index-test", CONFIG);
    journal = PersistenceTestKit.create(testKit.system());
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  private ActorRef<JobIndex.Command> index() {
    return index(id -> {});
  }

  /** {@code stopped} hears each job whose entity the index stops. */
  private ActorRef<JobIndex.Command> index(Consumer<String> stopped) {
    return index(id -> {}, stopped);
  }

  /** {@code woken} hears each job the index wakes, {@code stopped} each whose entity it stops. */
  private ActorRef<JobIndex.Command> index(Consumer<String> woken, Consumer<String> stopped) {
    JournalEraser erasesFromTheJournal = persistenceId -> {
      journal.clearByPersistenceId(persistenceId);
      return CompletableFuture.completedFuture(null);
    };
    return testKit.spawn(JobIndex.create(JournalBackoff.fromConfig(CONFIG),
        new JobIndex.Waking(Duration.ofMinutes(1), Duration.ofMillis(100), nodes), woken, stopped,
        new JobIndex.Collection(RETENTION, Duration.ofMillis(100), 10, erasesFromTheJournal, Clock.systemUTC())));
  }

  private List<JobIndex.Entry> listed(ActorRef<JobIndex.Command> index) {
    TestProbe<JobIndex.Jobs> probe = testKit.createTestProbe();
    index.tell(new JobIndex.ListJobs(null, probe.getRef()));
    return probe.receiveMessage(WAIT).jobs();
  }

  private static String persistenceId(String job) {
    return JobEntity.TYPE_KEY.name() + "|" + job;
  }

  @Test
  void collectsTheJobsFinishedLongerThanTheRetentionAgoForGood() {
    Instant now = Instant.now();
    for (String job : List.of("old", "recent", "running")) {
      journal.persistForRecovery(persistenceId(job), List.of(new JobEntity.Cancelled("alice", now)));
    }
    TestProbe<String> stopped = testKit.createTestProbe();
    ActorRef<JobIndex.Command> index = index(stopped.ref()::tell);
    for (String job : List.of("old", "recent", "running")) {
      index.tell(new JobIndex.Register(job, "alice", "iris"));
    }
    index.tell(new JobIndex.Finished("old", now.minus(RETENTION.multipliedBy(2))));
    index.tell(new JobIndex.Finished("recent", now));

    testKit.createTestProbe().awaitAssert(WAIT, () -> {
      assertThat(listed(index)).extracting(JobIndex.Entry::id).containsExactlyInAnyOrder("recent", "running");
      return null;
    });
    assertThat(stopped.receiveMessage(WAIT)).isEqualTo("old");
    assertThat(journal.persistedInStorage(persistenceId("old"))).isEmpty();
    assertThat(journal.persistedInStorage(persistenceId("recent"))).hasSize(1);
    assertThat(journal.persistedInStorage(persistenceId("running"))).hasSize(1);

    testKit.stop(index);
    assertThat(listed(index())).as("after a restart").extracting(JobIndex.Entry::id).containsExactlyInAnyOrder("recent", "running");
  }

  @Test
  void theUnfinishedJobsAreWokenSoonAfterAMemberIsRemovedAndTheIndexStopsListeningWhenItStops() {
    TestProbe<String> woken = testKit.createTestProbe();
    ActorRef<JobIndex.Command> index = index(woken.ref()::tell, id -> {});
    index.tell(new JobIndex.Register("running", "alice", "iris"));
    index.tell(new JobIndex.Register("done", "alice", "iris"));
    index.tell(new JobIndex.Finished("done", Instant.now()));
    assertThat(listed(index)).hasSize(2);
    woken.expectNoMessage(Duration.ofMillis(300));

    nodes.removeMember("pekko://dcloud@10.0.0.3:25520");

    assertThat(woken.receiveMessage(WAIT)).as("long before the wake interval (a minute)").isEqualTo("running");
    woken.expectNoMessage(Duration.ofMillis(300));
    testKit.stop(index);
    testKit.createTestProbe().awaitAssert(WAIT, () -> {
      assertThat(nodes.listeningForRemovals()).isZero();
      return null;
    });
  }

  @Test
  void jobsStayInTheOrderTheyWereRegisteredHoweverTheyFinish() {
    ActorRef<JobIndex.Command> index = index();
    for (String job : List.of("first", "second", "third")) {
      index.tell(new JobIndex.Register(job, "alice", "iris"));
    }
    index.tell(new JobIndex.Finished("first", Instant.now()));
    index.tell(new JobIndex.Register("second", "alice", "iris"));

    assertThat(listed(index)).extracting(JobIndex.Entry::id).containsExactly("first", "second", "third");
    assertThat(listed(index)).extracting(JobIndex.Entry::finished).containsExactly(true, false, false);
    testKit.stop(index);
    assertThat(listed(index())).as("after a restart").extracting(JobIndex.Entry::id)
        .containsExactly("first", "second", "third");
  }

  @Test
  void aJobAnEarlierVersionMarkedFinishedIsTimedNowAndKeptItsRetention() {
    journal.persistForRecovery(JobIndex.PERSISTENCE_ID.id(), List.of(
        new JobIndex.Registered("earlier", "alice", "iris"), new JobIndex.MarkedFinished("earlier", null)));
    Instant before = Instant.now();
    ActorRef<JobIndex.Command> index = index();

    testKit.createTestProbe().awaitAssert(WAIT, () -> {
      assertThat(listed(index)).singleElement().satisfies(entry -> {
        assertThat(entry.finished()).isTrue();
        assertThat(entry.finishedAt()).isNotNull().isAfterOrEqualTo(before);
      });
      return null;
    });
    // The index's own Finished from the job, woken again, changes nothing now.
    index.tell(new JobIndex.Finished("earlier", before.minus(RETENTION.multipliedBy(2))));
    assertThat(listed(index)).singleElement().extracting(JobIndex.Entry::finishedAt).isNotEqualTo(before.minus(RETENTION.multipliedBy(2)));
  }
}
