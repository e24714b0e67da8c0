package io.dcloud.device;

import org.apache.pekko.Done;
import java.util.concurrent.CompletableFuture;
import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.device.SensorType.Field;
import io.dcloud.device.SensorType.FieldType;
import io.dcloud.journal.JournalBackoff;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A node's copy of the registry follows its changes through the topic (the real registry, an in-memory journal). */
class RegistryMirrorTest {
  private static final Config CONFIG = EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create("registry-mirror-test", CONFIG);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void followsEachChangeWithoutWaitingForItsRefresh() {
    ActorRef<Topic.Command<RegistryChanged>> changes =
        testKit.spawn(Topic.create(RegistryChanged.class, RegistryChanged.TOPIC_NAME));
    ActorRef<DeviceRegistry.Command> registry = testKit.spawn(DeviceRegistry.create(JournalBackoff.fromConfig(CONFIG), changes,
        (id, by) -> CompletableFuture.completedFuture(Done.getInstance())));
    RegistryMirror mirror = new RegistryMirror();
    // A refresh far beyond the test's patience: only the change notices can bring the copy up to date.
    testKit.spawn(mirror.follower(registry, changes, Duration.ofHours(1)));
    var waiting = testKit.createTestProbe();
    waiting.awaitAssert(Duration.ofSeconds(10), () -> {
      assertThat(subscribed(changes)).isTrue();
      return null;
    });

    SensorType thermometer = new SensorType("thermometer", SensorType.Kind.SENSOR,
        Map.of("temperature", new Field(FieldType.NUMBER, "°C", null, null)), Map.of(), "cora", Instant.now());
    registry.tell(new DeviceRegistry.RegisterType(thermometer, testKit.system().ignoreRef()));
    registry.tell(new DeviceRegistry.RegisterDevice(new Device("t1", "thermometer", new Location("lab", null, null, null, null),
        Map.of(), true, DeviceSecrets.newNonce(), "cora", Instant.now()), testKit.system().ignoreRef()));

    waiting.awaitAssert(Duration.ofSeconds(10), () -> {
      RegistryView copy = mirror.get();
      assertThat(copy.version()).isEqualTo(2);
      assertThat(copy.typeOf("t1")).contains(thermometer);
      return null;
    });
  }

  /** Whether the mirror's subscription reached the topic (a notice published before it would be lost). */
  private static boolean subscribed(ActorRef<Topic.Command<RegistryChanged>> changes) {
    var probe = testKit.<Topic.TopicStats>createTestProbe();
    changes.tell(Topic.getTopicStats(probe.getRef()));
    return probe.receiveMessage().localSubscriberCount() > 0;
  }
}
