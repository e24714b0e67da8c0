package io.dcloud.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.PlacementRequest;
import io.dcloud.scheduler.Scheduler;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.PublishedPort;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.jackson.JacksonObjectMapperProvider;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Messages that cross JVMs, through the serializer the cluster uses (Jackson CBOR), the way a
 * remote node would read them. serialize-messages checks only what is told directly; messages
 * inside topics and other wrappers are checked here.
 */
class WireFormatTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      "wire-format-test", ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
  private static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  static List<Object> messages() {
    EnvironmentSpec spec = new EnvironmentSpec("demo", "1", "tiny", new EnvironmentSpec.OsRelease("22.04", null), List.of(new EnvironmentSpec.LanguageSpec("python", List.of("numpy"))),
        new Resources(500, 1L << 30, 1, 0, "A100"), List.of(new EnvironmentSpec.DatasetRef("c", "d", "s", "1")),
        List.of(new EnvironmentSpec.PortSpec(null, 8888, "tcp")),
        List.of(new EnvironmentSpec.VolumeSpec("/work", 1L << 30, EnvironmentSpec.Lifecycle.PERSISTENT)),
        List.of("sleep", "infinity"), Map.of("A", "b"), Map.of("zone", "z1"), EnvironmentSpec.RestartPolicy.ON_FAILURE);
    return List.of(
        new EnvironmentEntity.Persisted("e1", 1, new EnvironmentEntity.Requested(spec, new ImageRecipe("t", "b", "FROM b\n"), AT)),
        new EnvironmentEntity.Persisted("e1", 5, new EnvironmentEntity.ContainerRunning(
            "c1", List.of(new PublishedPort(8888, "tcp", "127.0.0.1", 32768)), AT)),
        new EnvironmentEntity.Persisted("e1", 6, new EnvironmentEntity.LostWithNode("n1", AT)),
        new EnvironmentEntity.FromScheduler(new io.dcloud.scheduler.PlacementAnswer.Granted("n1", List.of("GPU-1"))),
        new Scheduler.Place(new PlacementRequest("e1", spec.resources(), Map.of(), "n1")));
  }

  /** Events journaled before EnvironmentSpec had an osRelease still read back, with none. */
  @Test
  void readsASpecJournaledBeforeOsReleaseExisted() throws IOException {
    var requested = (EnvironmentEntity.Requested) ((EnvironmentEntity.Persisted) messages().get(0)).event();
    Serialization serialization = SerializationExtension.get(testKit.system());
    var serializer = serialization.findSerializerFor(requested);
    ObjectMapper cbor = JacksonObjectMapperProvider.get(testKit.system()).getOrCreate("jackson-cbor", Optional.empty());
    ObjectNode event = (ObjectNode) cbor.readTree(serialization.serialize(requested).get());
    ((ObjectNode) event.get("spec")).remove("osRelease");

    Object read = serialization.deserialize(cbor.writeValueAsBytes(event), serializer.identifier(),
        org.apache.pekko.serialization.Serializers.manifestFor(serializer, requested)).get();

    EnvironmentSpec spec = requested.spec();
    assertThat(read).isEqualTo(new EnvironmentEntity.Requested(
        new EnvironmentSpec(spec.name(), spec.version(), spec.os(), null, spec.languages(), spec.resources(),
            spec.datasets(), spec.ports(), spec.storage(), spec.command(), spec.env(), spec.constraints(),
            spec.restartPolicy()),
        requested.recipe(), requested.at()));
  }

  @ParameterizedTest
  @MethodSource("messages")
  void readsBackAsItWasWritten(Object message) {
    Serialization serialization = SerializationExtension.get(testKit.system());
    byte[] bytes = serialization.serialize(message).get();
    var serializer = serialization.findSerializerFor(message);
    Object read = serialization.deserialize(bytes, serializer.identifier(),
        org.apache.pekko.serialization.Serializers.manifestFor(serializer, message)).get();
    assertThat(read).isEqualTo(message);
  }
}
