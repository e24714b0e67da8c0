package io.dcloud.environment;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.node.NodeLocator;
import io.dcloud.node.NodeProtocol;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.node.NodeProtocol.ContainerReport;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.PlacementAnswer;
import io.dcloud.scheduler.Scheduler;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.Lifecycle;
import io.dcloud.spec.EnvironmentSpec.RestartPolicy;
import io.dcloud.spec.EnvironmentSpec.VolumeSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * What the environment entity's tests share: an entity over the in-memory journal, with probes
 * standing in for the scheduler, the node, the update and event topics and the shard its retry
 * ticks travel through; a new environment and node id for each test.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class EnvironmentEntityFixture {
  private static final Config CONFIG = EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("""
          pekko.actor.provider = local
          pekko.actor.serialize-messages = on
          # Tests that fail a write wait for the restart: keep it well inside runCommand's 3 s.
          dcloud.journal-failure-backoff { min-backoff = 100ms, max-backoff = 200ms }
          """))
      .withFallback(ConfigFactory.load());
  /** One per test class (PER_CLASS): each class shuts its own down. */
  final ActorTestKit testKit = ActorTestKit.create(getClass().getSimpleName(), CONFIG);
  /** A node id per test: the receptionist keeps earlier tests' probes registered. */
  String NODE;
  static final Duration WAIT = Duration.ofSeconds(5);
  static final Duration RETRY_INTERVAL = Duration.ofMillis(300);
  /** Inside WAIT: a test that lets it pass waits for the answer; one that restarts an entity is done long before. */
  static final Duration RESIZE_TIMEOUT = Duration.ofSeconds(3);
  static final EnvironmentSharding.RestartBackoff RESTART_BACKOFF =
      new EnvironmentSharding.RestartBackoff(Duration.ZERO, Duration.ofSeconds(1), Duration.ofMinutes(10));

  /** Sees what the entity sends the scheduler; {@link #resizeAnswer} is what a resize is answered (null: nothing). */
  TestProbe<Scheduler.Command> scheduler;
  final AtomicReference<Scheduler.ResizeAnswer> resizeAnswer = new AtomicReference<>();
  TestProbe<NodeProtocol.Command> node;
  TestProbe<Topic.Command<EnvironmentUpdate>> updates;
  TestProbe<Topic.Command<EnvironmentEntity.Persisted>> events;
  /** Stands in for the shard the retry ticks travel through: the test delivers them (or not). */
  TestProbe<EnvironmentEntity.Command> retries;
  /** What a replica's entity told its service at once (see {@link EnvironmentSharding.Wiring}). */
  TestProbe<ReplicaChange> replicaChanges;

  record ReplicaChange(String service, EnvironmentView view) implements NoSerializationVerificationNeeded {}
  EventSourcedBehaviorTestKit<EnvironmentEntity.Command, EnvironmentEntity.Event, EnvironmentState> entity;
  String id;
  EnvironmentSharding.Wiring wiring;

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    scheduler = testKit.createTestProbe();
    resizeAnswer.set(null);
    node = testKit.createTestProbe();
    updates = testKit.createTestProbe();
    events = testKit.createTestProbe();
    retries = testKit.createTestProbe();
    NODE = "node-" + UUID.randomUUID();
    testKit.system().receptionist().tell(Receptionist.register(NodeProtocol.serviceKey(NODE), node.getRef()));
    id = UUID.randomUUID().toString();
    // This test's probe, not the field: an earlier test's entity may still send a tick, and the fixture is shared (PER_CLASS).
    TestProbe<EnvironmentEntity.Command> retryProbe = retries;
    replicaChanges = testKit.createTestProbe();
    TestProbe<ReplicaChange> replicaChangesProbe = replicaChanges;
    wiring = new EnvironmentSharding.Wiring(
        testKit.spawn(Behaviors.monitor(Scheduler.Command.class, scheduler.getRef(), answeringResizes())),
        testKit.spawn(NodeLocator.create()), updates.getRef(), events.getRef(),
        new EnvironmentSharding.Settings(RETRY_INTERVAL, 100, JournalBackoff.fromConfig(CONFIG), RESTART_BACKOFF, RESIZE_TIMEOUT),
        Clock.systemUTC(), (environmentId, tick) -> retryProbe.getRef().tell(tick),
        (service, view) -> replicaChangesProbe.getRef().tell(new ReplicaChange(service, view)));
    entity = EventSourcedBehaviorTestKit.create(testKit.system(), EnvironmentSharding.create(id, wiring));
  }

  /** The stand-in scheduler: answers a resize with {@link #resizeAnswer} as it is when the resize arrives. */
  private Behavior<Scheduler.Command> answeringResizes() {
    return Behaviors.receiveMessage(command -> {
      Scheduler.ResizeAnswer answer = resizeAnswer.get();
      if (command instanceof Scheduler.ResizeReservation resize && answer != null) {
        resize.replyTo().tell(answer);
      }
      return Behaviors.same();
    });
  }

  static EnvironmentSpec spec(long memoryBytes) {
    return new EnvironmentSpec("demo", "1", "tiny", null, List.of(), new Resources(500, memoryBytes, 0, 0, null),
        List.of(), List.of(),
        List.of(new VolumeSpec("/scratch", 1L << 30, Lifecycle.TEMPORARY), new VolumeSpec("/work", 1L << 30, Lifecycle.PERSISTENT)),
        List.of(), Map.of(), Map.of(), RestartPolicy.ALWAYS);
  }

  static final ImageRecipe RECIPE = new ImageRecipe("dcloud/env-tiny:0123456789abcdef", "busybox", "FROM busybox\n");

  EnvironmentView create() {
    CommandResultWithReply<EnvironmentEntity.Command, EnvironmentEntity.Event, EnvironmentState, EnvironmentEntity.Reply> result =
        entity.runCommand(replyTo -> new EnvironmentEntity.Create(spec(64L << 20), RECIPE, replyTo));
    assertThat(result.event()).isInstanceOf(EnvironmentEntity.Requested.class);
    assertThat(scheduler.expectMessageClass(Scheduler.Place.class, WAIT).request().environmentId()).isEqualTo(id);
    return ((EnvironmentEntity.Ok) result.reply()).view();
  }

  EnvironmentEntity.FromNode report(ContainerPhase phase, String containerId, Integer exitCode, boolean oom) {
    return new EnvironmentEntity.FromNode(new ContainerReport(NODE, phase, containerId, List.of(), exitCode, oom, phase.name()));
  }

  void runOn(String containerId) {
    entity.runCommand(new EnvironmentEntity.FromScheduler(new PlacementAnswer.Granted(NODE, List.of())));
    assertThat(node.expectMessageClass(NodeProtocol.Deploy.class, WAIT).environmentId()).isEqualTo(id);
    entity.runCommand(report(ContainerPhase.BUILDING, null, null, false));
    entity.runCommand(report(ContainerPhase.STARTING, null, null, false));
    var result = entity.runCommand(report(ContainerPhase.RUNNING, containerId, null, false));
    assertThat(result.state().status()).isEqualTo(EnvironmentStatus.RUNNING);
  }
}
