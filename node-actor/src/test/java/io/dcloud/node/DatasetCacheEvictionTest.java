package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.dcloud.dataset.BlobSettings;
import io.dcloud.dataset.BlobStore;
import io.dcloud.dataset.ChunkedBlobStore;
import io.dcloud.dataset.DatasetEntity;
import io.dcloud.dataset.DatasetState;
import io.dcloud.dataset.DatasetVersion;
import io.dcloud.spec.EnvironmentSpec.DatasetRef;
import io.dcloud.testing.InMemoryChunkStore;
import io.dcloud.testing.LocalTestKit;
import io.dcloud.testing.LogCapture;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node's dataset cache within its size: the least recently used version no environment mounts
 * goes first, a mounted one never, and what it holds and in which order survive a restart.
 */
class DatasetCacheEvictionTest {
  private static final ActorTestKit testKit = LocalTestKit.create("dataset-cache-eviction-test");
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");
  /** Each dataset's one version has this many bytes; the caches here hold two and a half of them. */
  private static final int SIZE = 4000;
  private static final long MAX = SIZE * 5L / 2;

  @TempDir Path dir;
  private final InMemoryChunkStore chunks = new InMemoryChunkStore();
  private final BlobStore blobs = new ChunkedBlobStore(chunks, new BlobSettings(1024, 2, 2));
  private final Map<String, ActorRef<DatasetEntity.Command>> entities = new HashMap<>();
  private final Map<String, String> shas = new HashMap<>();
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** Dataset {@code c/d/<name>} with one version of SIZE bytes, its own. */
  private void dataset(String name) throws Exception {
    byte[] bytes = (name + "-").repeat(SIZE).substring(0, SIZE).getBytes(StandardCharsets.UTF_8);
    BlobStore.StoredBlob blob = Source.single(ByteString.fromArray(bytes)).runWith(blobs.write("blob-" + name),
        testKit.system()).toCompletableFuture().get(5, TimeUnit.SECONDS);
    DatasetVersion version = new DatasetVersion(1, "blob-" + name, blob.size(), blob.sha256(), "text/plain", "alice", AT);
    DatasetState state = new DatasetState("c/d/" + name, "alice", List.of(), List.of(), List.of(version), Map.of(),
        List.of(), 1);
    entities.put("c/d/" + name, testKit.spawn(Behaviors.receiveMessage(command -> {
      if (command instanceof DatasetEntity.Get get) {
        get.replyTo().tell(state);
      }
      return Behaviors.same();
    })));
    shas.put(name, blob.sha256());
  }

  private DatasetCache cache() {
    return new DatasetCache("n1", new DatasetCache.Settings(dir, MAX, Duration.ZERO, WAIT, WAIT), entities::get, blobs,
        testKit.system(), registry);
  }

  private static void mount(DatasetCache cache, String environmentId, String name) {
    cache.prepare(environmentId, List.of(new DatasetRef("c", "d", name, "latest")), (bytes, totalBytes) -> {});
  }

  private boolean cached(String name) {
    return Files.isDirectory(dir.resolve(shas.get(name)));
  }

  private double evictions() {
    return registry.get("dcloud.node.dataset.cache.evictions").counter().count();
  }

  @Test
  void aFetchPastTheSizeEvictsTheLeastRecentlyUsedVersionNoEnvironmentMounts() throws Exception {
    dataset("a");
    dataset("b");
    dataset("c");
    DatasetCache cache = cache();
    mount(cache, "e1", "a");
    mount(cache, "e2", "b");
    mount(cache, "e3", "a"); // a is used again: b is now the least recently used
    List.of("e1", "e2", "e3").forEach(cache::release);

    mount(cache, "e4", "c");

    assertThat(cached("a")).isTrue();
    assertThat(cached("b")).isFalse();
    assertThat(cached("c")).isTrue();
    assertThat(cache.cachedVersions()).containsExactly("c/d/a@1", "c/d/c@1");
    assertThat(evictions()).isEqualTo(1.0);
    assertThat(registry.get("dcloud.node.dataset.cache.bytes").gauge().value()).isEqualTo(2.0 * SIZE);
    assertThat(registry.get("dcloud.node.dataset.cache.hits").counter().count()).isEqualTo(1.0);
    assertThat(registry.get("dcloud.node.dataset.cache.misses").counter().count()).isEqualTo(3.0);
  }

  @Test
  void aMountedVersionIsNeverEvictedAndAFullCacheStillFetchesWithAWarning() throws Exception {
    dataset("a");
    dataset("b");
    dataset("c");
    DatasetCache cache = cache();
    mount(cache, "e1", "a");
    mount(cache, "e2", "b");

    try (LogCapture log = LogCapture.of(DatasetCacheIndex.class)) {
      mount(cache, "e3", "c");
      assertThat(log.messages(Level.WARN)).singleElement().asString()
          .contains("over its size", "every version in it is mounted");
    }

    assertThat(List.of(cached("a"), cached("b"), cached("c"))).containsOnly(true);
    assertThat(evictions()).isZero();

    // Once e1's container is gone its version may go, though e2 and e3 used theirs later.
    cache.release("e1");
    dataset("d");
    mount(cache, "e4", "d");
    assertThat(cached("a")).isFalse();
    assertThat(List.of(cached("b"), cached("c"), cached("d"))).containsOnly(true);
  }

  @Test
  void aRestartedNodeKeepsItsCacheItsMountsAndTheOrderOfUse() throws Exception {
    dataset("a");
    dataset("b");
    dataset("c");
    DatasetCache before = cache();
    mount(before, "e1", "a");
    mount(before, "e2", "b");
    mount(before, "e3", "a");
    mount(before, "e9", "b");
    List.of("e1", "e2", "e3").forEach(before::release);

    DatasetCache after = cache();
    assertThat(after.cachedVersions()).containsExactly("c/d/a@1", "c/d/b@1");
    chunks.deleteAll("blob-a");
    mount(after, "e5", "a"); // from the cache: its blob is gone
    after.release("e5");
    mount(after, "e6", "c");

    // b was used last, but e9 still mounts it: a goes.
    assertThat(cached("a")).isFalse();
    assertThat(cached("b")).isTrue();
    assertThat(cached("c")).isTrue();
  }

  @Test
  void aRestartedNodeForgetsTheMountsOfContainersNoLongerOnIt() throws Exception {
    dataset("a");
    dataset("b");
    dataset("c");
    DatasetCache before = cache();
    mount(before, "gone", "a");
    mount(before, "still-here", "b");

    DatasetCache after = cache();
    after.keepMountsOf(Set.of("still-here"));
    mount(after, "e3", "c");

    assertThat(cached("a")).as("its container went while the node was down").isFalse();
    assertThat(cached("b")).isTrue();
    assertThat(cached("c")).isTrue();
  }

  @Test
  void aRestartRemovesFetchesLeftHalfDone() throws Exception {
    Path leftover = dir.resolve(".incoming-12345");
    Files.createDirectories(leftover.resolve("data/images"));
    Files.writeString(leftover.resolve("data/images/cat.txt"), "meow");
    Files.setPosixFilePermissions(leftover.resolve("data/images"), PosixFilePermissions.fromString("r-xr-xr-x"));

    try (LogCapture log = LogCapture.of(DatasetCacheIndex.class)) {
      cache();
      assertThat(log.messages(Level.INFO)).anySatisfy(message -> assertThat(message).contains(".incoming-12345"));
    }

    assertThat(leftover).doesNotExist();
  }
}
