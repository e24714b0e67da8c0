package io.dcloud.environment;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.environment.EnvironmentSpec.RestartPolicy;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.resources.Resources;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The read side: live events in order, duplicates ignored, and gaps filled from the journal. */
class EnvironmentDirectoryTest {
  private static final Config CONFIG = PersistenceTestKitPlugin.getInstance().config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create("directory-test", CONFIG);
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static EnvironmentEntity.Requested requested(String name) {
    EnvironmentSpec spec = new EnvironmentSpec(name, "1", "tiny", null, List.of(), new Resources(1000, 1L << 30, 0, 0, null),
        List.of(), List.of(), List.of(), List.of(), Map.of(), Map.of(), RestartPolicy.ALWAYS);
    return new EnvironmentEntity.Requested(spec, new ImageRecipe("dcloud/env-tiny:1", "busybox", "FROM busybox\n"), AT);
  }

  private static ActorRef<EnvironmentDirectory.Command> directory() {
    ActorRef<Topic.Command<EnvironmentEntity.Persisted>> events = testKit.spawn(
        Topic.create(EnvironmentEntity.Persisted.class, EnvironmentEntity.EVENTS_TOPIC + UUID.randomUUID()));
    return testKit.spawn(EnvironmentDirectory.create(PersistenceTestKitReadJournal.Identifier(), events, Duration.ofMinutes(1), Duration.ofMinutes(1)));
  }

  private static List<EnvironmentView> list(ActorRef<EnvironmentDirectory.Command> directory, EnvironmentStatus status, String name) {
    TestProbe<EnvironmentDirectory.Listing> probe = testKit.createTestProbe();
    directory.tell(new EnvironmentDirectory.ListEnvironments(status, name, probe.getRef()));
    return probe.receiveMessage(WAIT).environments();
  }

  @Test
  void foldsLiveEventsInOrderAndIgnoresDuplicates() {
    ActorRef<EnvironmentDirectory.Command> directory = directory();
    String id = UUID.randomUUID().toString();
    directory.tell(new EnvironmentDirectory.Apply(id, 1, requested("live")));
    directory.tell(new EnvironmentDirectory.Apply(id, 2, new EnvironmentEntity.PlacedOnNode("n1", List.of(), AT)));
    directory.tell(new EnvironmentDirectory.Apply(id, 2, new EnvironmentEntity.PlacementRefused("duplicate", AT)));

    List<EnvironmentView> placed = list(directory, EnvironmentStatus.PLACED, "live");
    assertThat(placed).extracting(EnvironmentView::id).containsExactly(id);
    assertThat(placed.get(0).node()).isEqualTo("n1");
    assertThat(list(directory, EnvironmentStatus.FAILED, null)).isEmpty();
  }

  @Test
  void fillsAGapFromTheJournal() {
    ActorRef<EnvironmentDirectory.Command> directory = directory();
    String id = UUID.randomUUID().toString();
    journal.persistForRecovery(EnvironmentEntity.TYPE_KEY.name() + "|" + id, List.of(
        requested("gap"), new EnvironmentEntity.PlacedOnNode("n2", List.of(), AT), new EnvironmentEntity.ImageBuilding(AT)));

    directory.tell(new EnvironmentDirectory.Apply(id, 3, new EnvironmentEntity.ImageBuilding(AT)));

    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(WAIT, () -> {
      List<EnvironmentView> building = list(directory, EnvironmentStatus.BUILDING, "gap");
      assertThat(building).extracting(EnvironmentView::node).containsExactly("n2");
      return null;
    });
  }
}
