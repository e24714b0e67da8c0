package io.dcloud.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.device.DeviceCommand.Status;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.testing.MovingClock;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A controller's commands against an in-memory journal; the broker is a stand-in sender that records
 * what it was given and takes it or fails, and the test's clock decides expiry.
 */
class DeviceCommandsTest {
  private static final Config CONFIG = EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("""
          pekko.actor.provider = local
          pekko.actor.serialize-messages = on
          """))
      .withFallback(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create("device-commands-test", CONFIG);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration EXPIRE_AFTER = Duration.ofMinutes(10);

  static {
    Metrics.addRegistry(new SimpleMeterRegistry());
  }

  /** One publication the entity asked for. */
  record Published(String device, String payload) {}

  private final BlockingQueue<Published> published = new LinkedBlockingQueue<>();
  /** What {@link #publications} passed over, looking for another command's. */
  private final List<Published> skipped = new ArrayList<>();
  private final AtomicBoolean brokerTakes = new AtomicBoolean(true);
  private final MovingClock clock = new MovingClock(Instant.parse("2026-12-01T10:00:00Z"));
  private final AtomicReference<ActorRef<DeviceCommands.Command>> entity = new AtomicReference<>();
  private final CommandSender sender = new CommandSender() {
    @Override
    public CompletionStage<Done> send(String deviceId, String payloadJson) {
      published.add(new Published(deviceId, payloadJson));
      return brokerTakes.get() ? CompletableFuture.completedFuture(Done.getInstance())
          : CompletableFuture.failedFuture(new IllegalStateException("broker unreachable"));
    }
  };
  private String device;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    device = "valve-" + UUID.randomUUID().toString().substring(0, 8);
  }

  private ActorRef<DeviceCommands.Command> start(int kept) {
    DeviceCommands.Settings settings = new DeviceCommands.Settings(
        Duration.ofMillis(50), EXPIRE_AFTER, kept, JournalBackoff.fromConfig(CONFIG), clock);
    // The entity is known before it runs: a restarted one resumes its sends at once, and a round told
    // to the stopped one before this method set the new one would be lost (CI failed on that once).
    // It is set again once spawn returns, because setup runs asynchronously: the test's next message
    // must not find the old (or no) entity (CI failed on that too).
    ActorRef<DeviceCommands.Command> spawned = testKit.spawn(Behaviors.setup(context -> {
      entity.set(context.getSelf());
      return DeviceCommands.create(device, sender, settings, (id, round) -> entity.get().tell(round));
    }));
    entity.set(spawned);
    return spawned;
  }

  private DeviceCommand issue(String id) {
    DeviceCommand command = new DeviceCommand(id, device, "open", "{\"percent\":50}", "carol", clock.instant(),
        Status.PENDING, 0, null, null, null);
    TestProbe<DeviceCommand> reply = testKit.createTestProbe();
    entity.get().tell(new DeviceCommands.Issue(command, reply.getRef()));
    return reply.receiveMessage();
  }

  private List<DeviceCommand> list() {
    TestProbe<DeviceCommands.CommandList> reply = testKit.createTestProbe();
    entity.get().tell(new DeviceCommands.ListCommands(reply.getRef()));
    return reply.receiveMessage().commands();
  }

  private List<DeviceCommand> get(String id) {
    TestProbe<DeviceCommands.CommandList> reply = testKit.createTestProbe();
    entity.get().tell(new DeviceCommands.Get(id, reply.getRef()));
    return reply.receiveMessage().commands();
  }

  /** The command as soon as it is as {@code wanted} says, polled until a deadline. */
  private DeviceCommand await(String id, Predicate<DeviceCommand> wanted) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    List<DeviceCommand> found = get(id);
    while (found.isEmpty() || !wanted.test(found.get(0))) {
      assertThat(System.nanoTime()).as("command %s now %s", id, found).isLessThan(deadline);
      Thread.sleep(20);
      found = get(id);
    }
    return found.get(0);
  }

  /** The next {@code count} publications of command {@code id}, skipping others. */
  private List<Published> publications(String id, int count) throws Exception {
    List<Published> found = new ArrayList<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
    while (found.size() < count) {
      Published next = published.poll(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
      assertThat(next).as("%d of %d publications of %s", found.size(), count, id).isNotNull();
      if (JSON.readTree(next.payload()).get("id").asText().equals(id)) {
        found.add(next);
      } else {
        skipped.add(next);
      }
    }
    return found;
  }

  @Test
  void publishesAnIssuedCommandToItsControllerAndRecordsItSent() throws Exception {
    start(100);

    DeviceCommand issued = issue("c1");
    Published first = publications("c1", 1).get(0);
    DeviceCommand sent = await("c1", c -> c.status() == Status.SENT);

    assertThat(issued.status()).isEqualTo(Status.PENDING);
    assertThat(issued.attempts()).isZero();
    assertThat(first.device()).isEqualTo(device);
    assertThat(JSON.readTree(first.payload())).isEqualTo(JSON.readTree("{\"id\":\"c1\",\"name\":\"open\",\"params\":{\"percent\":50}}"));
    assertThat(sent.attempts()).isGreaterThanOrEqualTo(1);
    assertThat(sent.lastSentAt()).isEqualTo(clock.instant());
    assertThat(issue("c1").id()).as("issued again: answered as it is").isEqualTo("c1");
    assertThat(list()).hasSize(1);
  }

  @Test
  void publishesAgainUntilAcknowledgedAndThenNoMore() throws Exception {
    start(100);
    issue("c1");

    publications("c1", 3);
    // A publication counts as an attempt once the broker's answer is back and written: wait for it.
    await("c1", c -> c.attempts() >= 3);
    entity.get().tell(new DeviceCommands.Acknowledge("c1", true, null));
    DeviceCommand acked = await("c1", c -> c.status() == Status.ACKED);
    published.clear();
    skipped.clear();
    issue("c2");
    publications("c2", 2);

    assertThat(acked.attempts()).isGreaterThanOrEqualTo(3);
    assertThat(acked.answeredAt()).isEqualTo(clock.instant());
    assertThat(skipped).as("c1 published after its acknowledgement").isEmpty();
    entity.get().tell(new DeviceCommands.Acknowledge("c1", false, "late"));
    entity.get().tell(new DeviceCommands.Acknowledge("unknown", true, null));
    assertThat(get("c1").get(0)).as("a finished command stays as it ended").isEqualTo(acked);
  }

  @Test
  void aNegativeAcknowledgementRejectsWithTheDevicesMessage() throws Exception {
    start(100);
    issue("c1");
    publications("c1", 1);

    entity.get().tell(new DeviceCommands.Acknowledge("c1", false, "valve stuck"));

    DeviceCommand rejected = await("c1", c -> c.status().finished());
    assertThat(rejected.status()).isEqualTo(Status.REJECTED);
    assertThat(rejected.answer()).isEqualTo("valve stuck");
  }

  @Test
  void expiresACommandNobodyAcknowledges() throws Exception {
    start(100);
    issue("c1");
    publications("c1", 1);

    clock.advance(EXPIRE_AFTER);

    DeviceCommand expired = await("c1", c -> c.status().finished());
    assertThat(expired.status()).isEqualTo(Status.EXPIRED);
    assertThat(expired.answer()).contains("dcloud.devices.commands.expire-after");
    assertThat(expired.answeredAt()).isEqualTo(clock.instant());
  }

  @Test
  void staysPendingWhileTheBrokerFailsAndIsSentOnceItTakes() throws Exception {
    brokerTakes.set(false);
    start(100);
    issue("c1");

    publications("c1", 2);
    DeviceCommand pending = get("c1").get(0);
    brokerTakes.set(true);
    DeviceCommand sent = await("c1", c -> c.status() == Status.SENT);

    assertThat(pending.status()).isEqualTo(Status.PENDING);
    assertThat(pending.attempts()).isZero();
    assertThat(sent.attempts()).isGreaterThanOrEqualTo(1);
  }

  @Test
  void aRestartedEntityResumesSendingItsUnfinishedCommands() throws Exception {
    brokerTakes.set(false);
    ActorRef<DeviceCommands.Command> first = start(100);
    issue("c1");
    publications("c1", 1);
    testKit.stop(first);
    brokerTakes.set(true);
    published.clear();

    start(100);

    publications("c1", 1);
    DeviceCommand sent = await("c1", c -> c.status() == Status.SENT);
    assertThat(sent.issuedBy()).isEqualTo("carol");
  }

  /** A deleted controller's unfinished command is never sent to a device registered later under its id. */
  @Test
  void aDeletedControllersCommandsAreForgottenAndNotSentAgainNorAfterARestart() throws Exception {
    ActorRef<DeviceCommands.Command> first = start(100);
    issue("c1");
    publications("c1", 2);
    TestProbe<org.apache.pekko.Done> forgotten = testKit.createTestProbe();
    entity.get().tell(new DeviceCommands.Forget("cora", forgotten.getRef()));
    forgotten.receiveMessage();
    assertThat(list()).isEmpty();
    published.clear();
    skipped.clear();

    issue("c2");
    publications("c2", 2);
    entity.get().tell(new DeviceCommands.Forget("cora", forgotten.getRef()));
    forgotten.receiveMessage();
    testKit.stop(first);
    start(100);

    assertThat(list()).as("forgotten, after a restart too").isEmpty();
    assertThat(skipped).extracting(p -> JSON.readTree(p.payload()).get("id").asText())
        .as("c1 published after it was forgotten").doesNotContain("c1");
    entity.get().tell(new DeviceCommands.Forget("cora", forgotten.getRef()));
    forgotten.receiveMessage();
  }

  @Test
  void keepsOnlyTheNewestCommandsNewestFirst() throws Exception {
    start(3);
    for (int i = 1; i <= 5; i++) {
      issue("c" + i);
    }

    assertThat(list()).extracting(DeviceCommand::id).containsExactly("c5", "c4", "c3");
    assertThat(get("c1")).isEmpty();
  }
}
