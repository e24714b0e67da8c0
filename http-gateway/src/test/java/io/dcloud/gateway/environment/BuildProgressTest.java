package io.dcloud.gateway.environment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentUpdate;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.node.DatasetFetchLine;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The build step a gateway shows during BUILDING, and the datasets' bytes during PREPARING: the latest
 * heard, and none once the status moves on.
 */
class BuildProgressTest {
  private static final ActorTestKit testKit = ActorTestKit.create("build-progress-test");
  private static final Duration WAIT = Duration.ofSeconds(10);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static EnvironmentView view(String id, EnvironmentStatus status) {
    Instant now = Instant.now();
    return new EnvironmentView(id, "e", status, "n1", null, null, null, List.of(), List.of(), List.of(), null, null, now,
        now, List.of(), "ella");
  }

  @Test
  void showsTheLatestStepWhileBuildingOnly() throws Exception {
    ActorRef<Topic.Command<EnvironmentUpdate>> topic =
        testKit.spawn(Topic.create(EnvironmentUpdate.class, "build-progress-test-updates"));
    BuildProgress progress = new BuildProgress(testKit.system(), topic);
    TestProbe<Topic.TopicStats> stats = subscribed(topic);

    EnvironmentView building = view("e1", EnvironmentStatus.BUILDING);
    topic.tell(EnvironmentUpdate.publish(EnvironmentUpdate.progress("e1", "Step 2/9 : RUN true", Instant.now())));
    topic.tell(EnvironmentUpdate.publish(EnvironmentUpdate.progress("e1", " ---> Running in 4f2a", Instant.now())));
    topic.tell(EnvironmentUpdate.publish(EnvironmentUpdate.progress("e1", "Step 3/9 : RUN false", Instant.now())));
    stats.awaitAssert(WAIT, () -> {
      assertThat(progress.of(building)).isEqualTo(new BuildProgress.Progress(3, 9));
      return null;
    });
    assertThat(progress.of(view("e1", EnvironmentStatus.STARTING))).isNull();
    assertThat(progress.of(view("e2", EnvironmentStatus.BUILDING))).isNull();

    topic.tell(EnvironmentUpdate.publish(
        new EnvironmentUpdate("e1", EnvironmentUpdate.Kind.STATUS, "STARTING", "starting container", Instant.now())));
    stats.awaitAssert(WAIT, () -> {
      assertThat(progress.of(building)).isNull();
      return null;
    });
  }

  @Test
  void showsTheDatasetsBytesWhilePreparingOnlyAndAsJsonOfTheirOwn() throws Exception {
    ActorRef<Topic.Command<EnvironmentUpdate>> topic =
        testKit.spawn(Topic.create(EnvironmentUpdate.class, "dataset-progress-test-updates"));
    BuildProgress progress = new BuildProgress(testKit.system(), topic);
    TestProbe<Topic.TopicStats> stats = subscribed(topic);

    EnvironmentView preparing = view("e1", EnvironmentStatus.PREPARING);
    topic.tell(EnvironmentUpdate.publish(EnvironmentUpdate.progress("e1", DatasetFetchLine.of(0, 4096), Instant.now())));
    topic.tell(EnvironmentUpdate.publish(EnvironmentUpdate.progress("e1", DatasetFetchLine.of(1024, 4096), Instant.now())));
    stats.awaitAssert(WAIT, () -> {
      assertThat(progress.of(preparing)).isEqualTo(new BuildProgress.Progress(1024L, 4096L));
      return null;
    });
    assertThat(progress.of(view("e1", EnvironmentStatus.BUILDING))).as("bytes are no build step").isNull();
    assertThat(new ObjectMapper().writeValueAsString(progress.of(preparing)))
        .isEqualTo("{\"bytes\":1024,\"totalBytes\":4096}");
    assertThat(new ObjectMapper().writeValueAsString(new BuildProgress.Progress(3, 9)))
        .isEqualTo("{\"step\":3,\"steps\":9}");

    topic.tell(EnvironmentUpdate.publish(
        new EnvironmentUpdate("e1", EnvironmentUpdate.Kind.STATUS, "BUILDING", "building image", Instant.now())));
    stats.awaitAssert(WAIT, () -> {
      assertThat(progress.of(preparing)).isNull();
      return null;
    });
  }

  @Test
  void anUpdateTellsOfAStepOrOfBytesOrOfNothing() {
    Instant now = Instant.now();
    assertThat(BuildProgress.of(EnvironmentUpdate.progress("e1", "Step 2/9 : RUN true", now)))
        .isEqualTo(new BuildProgress.Progress(2, 9));
    assertThat(BuildProgress.of(EnvironmentUpdate.progress("e1", DatasetFetchLine.of(5, 10), now)))
        .isEqualTo(new BuildProgress.Progress(5L, 10L));
    assertThat(BuildProgress.of(EnvironmentUpdate.progress("e1", " ---> Running in 4f2a", now))).isNull();
  }

  /** Published to only once the follower has subscribed (the topic reports its subscriber count). */
  private static TestProbe<Topic.TopicStats> subscribed(ActorRef<Topic.Command<EnvironmentUpdate>> topic) {
    TestProbe<Topic.TopicStats> stats = testKit.createTestProbe();
    stats.awaitAssert(WAIT, () -> {
      topic.tell(Topic.getTopicStats(stats.getRef()));
      assertThat(stats.receiveMessage(WAIT).localSubscriberCount()).isEqualTo(1);
      return null;
    });
    return stats;
  }
}
