package io.dcloud.serialization;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializers;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Events are forever: every persisted type (events, snapshots) and every type that crosses JVMs
 * (live updates, gossip, commands between nodes) was written once, as its version wrote it, to
 * {@code src/test/resources/golden/NAME.txt} of its module (serializer id, manifest, bytes).
 * Today's code must read each file back to the value {@link #samples} builds, so a class that moves
 * or changes shape without a Jackson migration fails here, before a journal or a rolling upgrade
 * meets it. Each module with persisted types extends this with its own samples and golden files
 * (this class is in cluster-core's test-jar).
 *
 * <p>A new type gets its file with {@code -Dgolden.write=true} (only missing files are written;
 * an existing file is never rewritten: it is what a journal holds).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
public abstract class GoldenWireTestBase {
  private static final Path GOLDEN = Path.of("src/test/resources/golden");
  /**
   * Every module's golden files were written by a system of this name: an actor ref in a command
   * is written as its path, which names the system, and reads back equal only in one named alike.
   */
  private static final String SYSTEM_NAME = "golden-wire-test";

  private final ActorTestKit testKit = ActorTestKit.create(
      SYSTEM_NAME, ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));

  /**
   * One value of every persisted and wire type of the module, by a name that never changes (its
   * golden file's name). {@code system} gives the actor refs of commands (its dead letters, which
   * read back equal).
   */
  protected abstract Map<String, Object> samples(ActorSystem<?> system);

  /** The sealed interfaces whose every subtype is in a journal, so each needs a sample. */
  protected abstract List<Class<?>> persistedInterfaces();

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  Stream<Arguments> namedSamples() {
    return samples(testKit.system()).entrySet().stream().map(e -> Arguments.of(e.getKey(), e.getValue()));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("namedSamples")
  void readsWhatEarlierVersionsWrote(String name, Object expected) throws IOException {
    Serialization serialization = SerializationExtension.get(testKit.system());
    Path file = GOLDEN.resolve(name + ".txt");
    if (!Files.exists(file) && Boolean.getBoolean("golden.write")) {
      write(serialization, file, expected);
    }
    assertThat(file).as("golden file of %s (write it with -Dgolden.write=true)", name).exists();
    Golden golden = Golden.read(file);

    Object read = serialization.deserialize(golden.bytes(), golden.serializerId(), golden.manifest()).get();

    assertThat(read).as("%s as written with manifest %s", name, golden.manifest()).isEqualTo(expected);
  }

  @Test
  void everyGoldenFileHasItsSampleAndEveryPersistedTypeHasAFile() throws IOException {
    Map<String, Object> samples = samples(testKit.system());
    Set<String> files = new TreeSet<>();
    try (Stream<Path> listed = Files.list(GOLDEN)) {
      listed.map(p -> p.getFileName().toString().replaceFirst("\\.txt$", "")).forEach(files::add);
    }
    assertThat(samples.keySet()).as("files without a sample: a type a journal may hold is no longer read")
        .containsAll(files);

    List<Class<?>> sampled = samples.values().stream().<Class<?>>map(Object::getClass).toList();
    List<String> unsampled = new ArrayList<>();
    for (Class<?> persisted : persistedInterfaces()) {
      for (Class<?> type : persisted.getPermittedSubclasses()) {
        if (!sampled.contains(type)) {
          unsampled.add(type.getName());
        }
      }
    }
    assertThat(unsampled).as("persisted types without a golden sample").isEmpty();
  }

  private static void write(Serialization serialization, Path file, Object value) throws IOException {
    var serializer = serialization.findSerializerFor(value);
    byte[] bytes = serialization.serialize(value).get();
    Files.createDirectories(file.getParent());
    Files.writeString(file, "serializer: " + serializer.identifier() + "\n"
        + "manifest: " + Serializers.manifestFor(serializer, value) + "\n"
        + "bytes: " + Base64.getEncoder().encodeToString(bytes) + "\n");
  }

  private record Golden(int serializerId, String manifest, byte[] bytes) {
    static Golden read(Path file) {
      Map<String, String> fields = new LinkedHashMap<>();
      try {
        for (String line : Files.readAllLines(file, StandardCharsets.UTF_8)) {
          int colon = line.indexOf(": ");
          if (colon > 0) {
            fields.put(line.substring(0, colon), line.substring(colon + 2));
          }
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return new Golden(
          Integer.parseInt(fields.get("serializer")), fields.get("manifest"),
          Base64.getDecoder().decode(fields.get("bytes")));
    }
  }
}
