package io.dcloud.environment;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.dcloud.node.ScriptedRemovals;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Which environments the waking singleton starts again, and when: the waiting ones when it starts
 * and after each member's removal, those whose restart is overdue at its checks; never one that is
 * settled (running, stopped for good) or whose restart is still ahead.
 */
class EnvironmentWakingTest {
  private static final Config CONFIG = PersistenceTestKitPlugin.getInstance().config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create("waking-test", CONFIG);
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration QUIET = Duration.ofMillis(500);
  private static final Instant START = Instant.now().minusSeconds(3600);

  static {
    // The metrics read here need a registry under the global one, as a node's has.
    Metrics.addRegistry(new SimpleMeterRegistry());
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static String environment(TestReadSide readSide, EnvironmentEntity.Event... after) {
    String id = UUID.randomUUID().toString();
    List<EnvironmentEntity.Event> events = new ArrayList<>();
    events.add(EnvironmentEvents.requested("waking", START));
    events.addAll(List.of(after));
    for (int i = 0; i < events.size(); i++) {
      readSide.directory().tell(new EnvironmentDirectory.Apply(id, i + 1, events.get(i)));
    }
    return id;
  }

  /** Placed, started and running on node-1 since {@code START}. */
  private static List<EnvironmentEntity.Event> running() {
    return List.of(
        new EnvironmentEntity.PlacedOnNode("node-1", List.of(), START, "fits"),
        new EnvironmentEntity.ContainerStarting(START, List.of()),
        new EnvironmentEntity.ContainerRunning("c-1", List.of(), START));
  }

  /** Running, then its container exited at {@code exitedAt} and its restart is due {@code delay} later. */
  private static EnvironmentEntity.Event[] restartDue(Instant exitedAt, Duration delay) {
    List<EnvironmentEntity.Event> events = new ArrayList<>(running());
    events.add(new EnvironmentEntity.ContainerExited("c-1", 1, false, "exited with code 1", exitedAt));
    events.add(new EnvironmentEntity.RestartScheduled(1, delay.toMillis(), exitedAt));
    return events.toArray(EnvironmentEntity.Event[]::new);
  }

  private static List<String> woken(TestProbe<String> probe, int count) {
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      ids.add(probe.receiveMessage(WAIT));
    }
    probe.expectNoMessage(QUIET);
    return ids;
  }

  @Test
  void wakesTheWaitingEnvironmentsWhenItStartsAndAfterEachRemovalOfAMember() {
    TestReadSide readSide = TestReadSide.spawn(testKit, PersistenceTestKitReadJournal.Identifier(), Duration.ofMinutes(1));
    String requested = environment(readSide);
    String restarting = environment(readSide, restartDue(Instant.now(), Duration.ofMinutes(5)));
    String running = environment(readSide, running().toArray(EnvironmentEntity.Event[]::new));
    String stopped = environment(readSide, new EnvironmentEntity.Stopped("stopped by alice", START));
    assertThat(readSide.listed(null, "waking")).contains(requested, restarting, running, stopped);
    ScriptedRemovals removals = new ScriptedRemovals();
    TestProbe<String> wake = testKit.createTestProbe();

    var waking = testKit.spawn(EnvironmentWaking.create(new EnvironmentWaking.Settings(Duration.ofMillis(100),
        Duration.ofHours(1), 2000), readSide.folded(), removals, wake.ref()::tell, Clock.systemUTC()));

    // A singleton that starts may have moved from a member that was removed.
    assertThat(woken(wake, 2)).containsExactlyInAnyOrder(requested, restarting);
    removals.remove("pekko://dcloud@10.0.0.2:2552");
    // At 1, 2, 4 and 8 times the wait: a shard can take seconds to find its new home.
    assertThat(woken(wake, 8)).containsOnly(requested, restarting)
        .filteredOn(requested::equals).hasSize(4);
    // One waking a JVM, as in a node (its pending wakes are a gauge of the JVM's).
    testKit.stop(waking);
  }

  /**
   * Thousands at once would overflow a remote member's send queue: the wakes go out a tenth of
   * {@code max-per-second} every 100 ms (here 2), each once. Its own actor system, whose clock the
   * test moves.
   */
  @Test
  void sendsTheWakesAtMostItsRate() {
    ActorTestKit manual = ActorTestKit.create("waking-manual-time", ManualTime.config().withFallback(CONFIG));
    try {
      ManualTime time = ManualTime.get(manual.system());
      TestReadSide readSide = TestReadSide.spawn(manual, PersistenceTestKitReadJournal.Identifier(), Duration.ofHours(1));
      List<String> waiting = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        waiting.add(environment(readSide));
      }
      assertThat(readSide.listed(null, "waking")).containsAll(waiting);
      TestProbe<String> wake = manual.createTestProbe();
      manual.spawn(EnvironmentWaking.create(new EnvironmentWaking.Settings(Duration.ofSeconds(1), Duration.ofHours(1), 20),
          readSide.folded(), new ScriptedRemovals(), wake.ref()::tell, Clock.systemUTC()));

      time.timePasses(Duration.ofSeconds(1));
      List<String> sent = new ArrayList<>(wake.receiveSeveralMessages(2));
      time.expectNoMessageFor(Duration.ofMillis(99), wake);
      assertThat(Metrics.globalRegistry.get("dcloud.environment.wakes.pending").gauge().value()).as("waiting their turn")
          .isEqualTo(3);
      time.timePasses(Duration.ofMillis(1));
      sent.addAll(wake.receiveSeveralMessages(2));
      time.expectNoMessageFor(Duration.ofMillis(99), wake);
      time.timePasses(Duration.ofMillis(1));
      sent.addAll(wake.receiveSeveralMessages(1));
      time.expectNoMessageFor(Duration.ofSeconds(1), wake);
      assertThat(sent).as("all of them, each once").containsExactlyInAnyOrderElementsOf(waiting);
      assertThat(Metrics.globalRegistry.get("dcloud.environment.wakes.pending").gauge().value()).isZero();
    } finally {
      manual.shutdownTestKit();
    }
  }

  @Test
  void wakesAnEnvironmentWhoseRestartIsOverdueButNotOneStillAhead() {
    TestReadSide readSide = TestReadSide.spawn(testKit, PersistenceTestKitReadJournal.Identifier(), Duration.ofMinutes(1));
    Duration check = Duration.ofMillis(300);
    String overdue = environment(readSide, restartDue(Instant.now().minusSeconds(60), Duration.ofSeconds(10)));
    String ahead = environment(readSide, restartDue(Instant.now(), Duration.ofMinutes(5)));
    assertThat(readSide.listed(EnvironmentStatus.FAILED, "waking")).contains(overdue, ahead);
    TestProbe<String> wake = testKit.createTestProbe();

    var waking = testKit.spawn(EnvironmentWaking.create(new EnvironmentWaking.Settings(Duration.ofHours(1), check, 2000),
        readSide.folded(), new ScriptedRemovals(), wake.ref()::tell, Clock.systemUTC()));

    // At every check until its entity restarts it: each wake is a no-op for an entity that runs.
    assertThat(wake.receiveMessage(WAIT)).isEqualTo(overdue);
    assertThat(wake.receiveMessage(WAIT)).isEqualTo(overdue);
    testKit.stop(waking);
  }
}
