package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dcloud.dataset.BlobSettings;
import io.dcloud.dataset.BlobStore;
import io.dcloud.dataset.ChunkedBlobStore;
import io.dcloud.dataset.DatasetEntity;
import io.dcloud.dataset.DatasetState;
import io.dcloud.dataset.DatasetVersion;
import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.deploy.TarArchive;
import io.dcloud.spec.EnvironmentSpec.DatasetRef;
import io.dcloud.testing.InMemoryChunkStore;
import io.dcloud.testing.LocalTestKit;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node's dataset cache: fetched once, checked, read-only, tars extracted safely. */
class DatasetCacheTest {
  private static final ActorTestKit testKit = LocalTestKit.create("dataset-cache-test");
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");

  @TempDir Path dir;
  private final InMemoryChunkStore chunks = new InMemoryChunkStore();
  private final BlobStore blobs = new ChunkedBlobStore(chunks, new BlobSettings(1024, 2, 2));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** An entity that answers every Get with {@code versions} of dataset c/d/n. */
  private static ActorRef<DatasetEntity.Command> entity(List<DatasetVersion> versions) {
    DatasetState state = new DatasetState("c/d/n", "alice", List.of(), List.of(), versions, Map.of(), List.of(),
        versions.size());
    return testKit.spawn(Behaviors.receiveMessage(command -> {
      if (command instanceof DatasetEntity.Get get) {
        get.replyTo().tell(state);
      }
      return Behaviors.same();
    }));
  }

  private DatasetVersion stored(String blobId, int version, byte[] bytes, String contentType) throws Exception {
    BlobStore.StoredBlob blob = Source.single(ByteString.fromArray(bytes)).runWith(blobs.write(blobId), testKit.system())
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    return new DatasetVersion(version, blobId, blob.size(), blob.sha256(), contentType, "alice", AT);
  }

  private DatasetCache cache(ActorRef<DatasetEntity.Command> entity) {
    return new DatasetCache("n1", new DatasetCache.Settings(dir, 1L << 30, Duration.ZERO, WAIT, WAIT), id -> entity,
        blobs, testKit.system(), new SimpleMeterRegistry());
  }

  private static List<ContainerRuntime.BindMount> mounts(DatasetCache cache, String environmentId, DatasetRef... refs) {
    return cache.prepare(environmentId, List.of(refs), (bytes, totalBytes) -> {}).mounts();
  }

  @Test
  void aFileVersionIsFetchedOnceReadOnlyAndMountedAtItsName() throws Exception {
    byte[] bytes = "a,b\n1,2\n".repeat(500).getBytes(StandardCharsets.UTF_8);
    DatasetVersion one = stored("blob-1", 1, bytes, "text/csv");
    DatasetCache cache = cache(entity(List.of(one)));

    List<ContainerRuntime.BindMount> mounts = mounts(cache, "e1", new DatasetRef("c", "d", "n", "latest"));
    chunks.deleteAll("blob-1");
    List<ContainerRuntime.BindMount> again = mounts(cache, "e2", new DatasetRef("c", "d", "n", "1"));

    assertThat(mounts).containsExactly(new ContainerRuntime.BindMount(
        dir.resolve(one.sha256()).resolve("data").toString(), "/datasets/c/d/n"));
    assertThat(again).isEqualTo(mounts);
    assertThat(cache.cachedVersions()).as("gossiped for data locality").containsExactly("c/d/n@1");
    Path data = Path.of(mounts.get(0).source());
    assertThat(Files.readAllBytes(data)).isEqualTo(bytes);
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data))).isEqualTo("r--r--r--");
  }

  @Test
  void aTarVersionIsADirectoryAndNamesThatClimbOutAreSkipped() throws Exception {
    byte[] tar = TarArchive.create()
        .directory("images", 0755)
        .file("images/cat.txt", "meow")
        .file("labels.csv", "cat,1\n")
        .file("../escaped.txt", "out")
        .toBytes();
    DatasetVersion one = stored("blob-tar", 1, tar, DatasetVersion.TAR);

    Path data = Path.of(mounts(cache(entity(List.of(one))), "e1", new DatasetRef("c", "d", "n", null)).get(0).source());

    assertThat(Files.readString(data.resolve("images/cat.txt"))).isEqualTo("meow");
    assertThat(Files.readString(data.resolve("labels.csv"))).isEqualTo("cat,1\n");
    assertThat(dir.resolve(one.sha256()).resolve("escaped.txt")).doesNotExist();
    assertThat(dir.resolve("escaped.txt")).doesNotExist();
    assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(data.resolve("images"))))
        .isEqualTo("r-xr-xr-x");
  }

  @Test
  void aGzippedTarVersionIsADirectoryToo() throws Exception {
    byte[] tar = TarArchive.create().directory("texts", 0755).file("texts/a.txt", "alpha").toBytes();
    ByteArrayOutputStream gzipped = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gzipped)) {
      out.write(tar);
    }
    DatasetVersion one = stored("blob-tgz", 1, gzipped.toByteArray(), DatasetVersion.GZIPPED_TAR);

    Path data = Path.of(mounts(cache(entity(List.of(one))), "e1", new DatasetRef("c", "d", "n", null)).get(0).source());

    assertThat(Files.readString(data.resolve("texts/a.txt"))).isEqualTo("alpha");
  }

  @Test
  void aVersionWhoseBytesDoNotMatchItsSha256IsNotCached() throws Exception {
    DatasetVersion real = stored("blob-bad", 1, "the bytes".getBytes(StandardCharsets.UTF_8), "text/plain");
    DatasetVersion lying = new DatasetVersion(1, "blob-bad", real.size(), "00".repeat(32), "text/plain", "alice", AT);

    assertThatThrownBy(() -> mounts(cache(entity(List.of(lying))), "e1", new DatasetRef("c", "d", "n", null)))
        .hasMessageContaining("sha256");
    try (var left = Files.list(dir)) {
      assertThat(left.toList()).isEmpty();
    }
    assertThatThrownBy(() -> mounts(cache(entity(List.of(real))), "e1", new DatasetRef("c", "d", "n", "2")))
        .hasMessageContaining("has no version 2");
  }
}
