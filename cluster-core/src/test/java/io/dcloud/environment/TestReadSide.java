package io.dcloud.environment;

import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;

/** A gateway's read side in a test: a directory on its own events topic, and what it folds. */
public record TestReadSide(ActorTestKit testKit, FoldedEnvironments folded, ActorRef<EnvironmentDirectory.Command> directory) {
  private static final Duration WAIT = Duration.ofSeconds(30);

  /** Reads {@code readJournal} whole every {@code fullRefresh}; the tails of changing environments once a minute. */
  public static TestReadSide spawn(ActorTestKit testKit, String readJournal, Duration fullRefresh) {
    ActorRef<Topic.Command<EnvironmentEntity.Persisted>> events = testKit.spawn(
        Topic.create(EnvironmentEntity.Persisted.class, EnvironmentEntity.EVENTS_TOPIC + UUID.randomUUID()));
    FoldedEnvironments folded = new FoldedEnvironments();
    ActorRef<EnvironmentDirectory.Command> directory = testKit.spawn(
        EnvironmentDirectory.create(readJournal, events, Duration.ofMinutes(1), fullRefresh, folded));
    return new TestReadSide(testKit, folded, directory);
  }

  /** The ids the directory lists in {@code status} (null: any but DELETED) under {@code name}. */
  public List<String> listed(EnvironmentStatus status, String name) {
    TestProbe<EnvironmentDirectory.Listing> probe = testKit.createTestProbe();
    directory.tell(new EnvironmentDirectory.ListEnvironments(status, name, probe.getRef()));
    return probe.receiveMessage(WAIT).environments().stream().map(EnvironmentView::id).toList();
  }
}
