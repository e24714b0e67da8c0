package io.dcloud.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.dataset.BlobSettings;
import io.dcloud.dataset.BlobStore;
import io.dcloud.dataset.ChunkedBlobStore;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Dataset blobs in chunks in the embedded Cassandra: round trips, checksums, reclaiming. */
@Tag("cassandra")
class CassandraChunkStoreTest {
  private static final int CHUNK = 1024;
  /** Small partitions, so that a blob spans several and deleting walks them. */
  private static final CassandraChunkStore.Settings CASSANDRA = new CassandraChunkStore.Settings(
      "dcloud_datasets_test", 1, com.datastax.oss.driver.api.core.DefaultConsistencyLevel.LOCAL_QUORUM, 4);

  private static EmbeddedCassandra cassandra;
  private static ActorTestKit testKit;
  private static BlobStore blobs;

  @BeforeAll
  static void start() throws Exception {
    cassandra = SharedTestCassandra.get();
    Config config = cassandra.credentials().applyTo(ConfigFactory.load(ConfigFactory.parseString(
        "dcloud.cassandra.contact-points = [\"" + cassandra.contactPoint() + "\"]")));
    testKit = ActorTestKit.create("CassandraChunkStoreTest", config);
    CassandraChunkStore.createSchema(testKit.system(), CASSANDRA).toCompletableFuture().get(60, TimeUnit.SECONDS);
    BlobSettings settings = new BlobSettings(CHUNK, 4, 4);
    blobs = new ChunkedBlobStore(new CassandraChunkStore(testKit.system(), CASSANDRA, settings), settings);
  }

  @AfterAll
  static void stop() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
  }

  @Test
  void aBlobReadsBackWithItsSizeAndDigestAcrossPartitions() throws Exception {
    byte[] bytes = random(CHUNK * 21 + 77);
    BlobStore.StoredBlob stored = write("round-trip", Source.from(pieces(bytes, 333)));

    assertThat(stored.size()).isEqualTo(bytes.length);
    assertThat(stored.sha256()).isEqualTo(sha256(bytes));
    assertThat(read("round-trip", stored.size(), stored.sha256())).isEqualTo(bytes);
    assertThat(rows("round-trip")).isEqualTo(22);
  }

  @Test
  void aReadWithTheWrongDigestOrAMissingChunkFails() throws Exception {
    byte[] bytes = random(CHUNK * 3);
    BlobStore.StoredBlob stored = write("checked", Source.single(ByteString.fromArray(bytes)));

    assertThatThrownBy(() -> read("checked", stored.size(), "00".repeat(32)))
        .hasRootCauseInstanceOf(ChunkedBlobStore.BlobCorrupted.class);
    try (CqlSession session = CassandraTestSupport.session(cassandra)) {
      session.execute("DELETE FROM dcloud_datasets_test.chunks WHERE blob_id = 'checked' AND part = 0 AND chunk = 1");
    }
    assertThatThrownBy(() -> read("checked", stored.size(), stored.sha256()))
        .hasRootCauseInstanceOf(ChunkedBlobStore.BlobCorrupted.class)
        .rootCause().hasMessageContaining("chunk 1");
  }

  @Test
  void anInterruptedWriteLeavesChunksThatDeleteReclaims() throws Exception {
    byte[] bytes = random(CHUNK * 10);
    CompletableFuture<ByteString> clientGoesAway = new CompletableFuture<>();
    CompletionStage<BlobStore.StoredBlob> writing = Source.from(pieces(bytes, CHUNK))
        .concat(Source.completionStage(clientGoesAway))
        .runWith(blobs.write("interrupted"), testKit.system());
    Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> rows("interrupted") >= 10);
    assertThat(rows("interrupted")).isEqualTo(10);
    clientGoesAway.completeExceptionally(new IllegalStateException("client went away"));
    assertThatThrownBy(() -> writing.toCompletableFuture().get(30, TimeUnit.SECONDS))
        .hasRootCauseMessage("client went away");

    blobs.delete("interrupted").toCompletableFuture().get(30, TimeUnit.SECONDS);

    assertThat(rows("interrupted")).isZero();
  }

  @Test
  void anEmptyBlobIsStoredAsNoChunks() throws Exception {
    BlobStore.StoredBlob stored = write("empty", Source.empty());

    assertThat(stored.size()).isZero();
    assertThat(read("empty", 0, stored.sha256())).isEmpty();
  }

  private static BlobStore.StoredBlob write(String id, Source<ByteString, ?> bytes) throws Exception {
    try {
      return bytes.runWith(blobs.write(id), testKit.system()).toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      throw new CompletionException(e.getCause());
    }
  }

  private static byte[] read(String id, long size, String sha256) throws Exception {
    try {
      return blobs.read(id, size, sha256).runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat),
          testKit.system()).toCompletableFuture().get(60, TimeUnit.SECONDS).toArray();
    } catch (java.util.concurrent.ExecutionException e) {
      throw new CompletionException(e.getCause());
    }
  }

  private static long rows(String blobId) {
    try (CqlSession session = CassandraTestSupport.session(cassandra)) {
      long count = 0;
      for (long part = 0; part < 100; part++) {
        count += session.execute("SELECT count(*) FROM dcloud_datasets_test.chunks WHERE blob_id = ? AND part = ?",
            blobId, part).one().getLong(0);
      }
      return count;
    }
  }

  static java.util.List<ByteString> pieces(byte[] bytes, int size) {
    java.util.List<ByteString> pieces = new java.util.ArrayList<>();
    for (int at = 0; at < bytes.length; at += size) {
      pieces.add(ByteString.fromArray(bytes, at, Math.min(size, bytes.length - at)));
    }
    return pieces;
  }

  private static byte[] random(int length) {
    byte[] bytes = new byte[length];
    new Random(length).nextBytes(bytes);
    return bytes;
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
