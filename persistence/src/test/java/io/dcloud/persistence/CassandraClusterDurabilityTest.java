package io.dcloud.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.dataset.BlobSettings;
import io.dcloud.dataset.BlobStore;
import io.dcloud.dataset.ChunkedBlobStore;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dataset blobs on a Cassandra of three processes (127.0.0.1, .2 and .3; Linux routes all of 127/8
 * to the loopback), replication factor 3, reads and writes at QUORUM: one process is killed with
 * SIGKILL while blobs are being written and read, and every blob whose write was acknowledged reads
 * back whole, with the SHA-256 of the bytes the test generated. Writes in flight at the kill may
 * fail (they were never acknowledged); the ones after it must succeed on the two that are left.
 */
@Tag("cassandra")
class CassandraClusterDurabilityTest {
  private static final Logger log = LoggerFactory.getLogger(CassandraClusterDurabilityTest.class);
  private static final String KEYSPACE = "dcloud_datasets_durability";
  /** Small chunks, several partitions per blob: a blob is many QUORUM writes, and the kill lands among them. */
  private static final BlobSettings BLOBS = new BlobSettings(64 * 1024, 4, 4);
  private static final CassandraChunkStore.Settings CASSANDRA =
      new CassandraChunkStore.Settings(KEYSPACE, 3, DefaultConsistencyLevel.QUORUM, 4);
  private static final int BLOB_SIZE = 512 * 1024 + 123;
  /** Three Cassandra JVMs share a small machine: small heaps. */
  private static final String HEAP = "384M";
  private static final Duration DEADLINE = Duration.ofSeconds(90);
  @TempDir static Path dataDir;
  private static final List<EmbeddedCassandra> nodes = new ArrayList<>();
  private static ActorTestKit testKit;
  private static BlobStore blobs;

  @BeforeAll
  static void startThreeNodes() throws Exception {
    EmbeddedCassandra first = EmbeddedCassandra.start(node(1, List.of()));
    nodes.add(first);
    // Logins are checked against system_auth, whose replication factor is 1 on a fresh cluster: with
    // the one replica of DCloud's role killed, nobody could log in or be authorised. At 3 before the
    // others join, each of them streams a whole copy of it when it bootstraps.
    try (CqlSession session = CassandraTestSupport.session(first)) {
      session.execute("ALTER KEYSPACE system_auth WITH replication = "
          + "{'class': 'SimpleStrategy', 'replication_factor': 3}");
    }
    // One at a time: Cassandra refuses two nodes bootstrapping at once.
    nodes.add(EmbeddedCassandra.start(node(2, List.of(first.seedAddress()))));
    nodes.add(EmbeddedCassandra.start(node(3, List.of(first.seedAddress()))));

    String contactPoints = nodes.stream().map(n -> "\"" + n.contactPoint() + "\"").collect(Collectors.joining(","));
    Config config = first.credentials().applyTo(ConfigFactory.load(ConfigFactory.parseString(
        "dcloud.cassandra.contact-points = [" + contactPoints + "]")));
    testKit = ActorTestKit.create("CassandraClusterDurabilityTest", config);
    CassandraChunkStore.createSchema(testKit.system(), CASSANDRA).toCompletableFuture().get(60, TimeUnit.SECONDS);
    blobs = new ChunkedBlobStore(new CassandraChunkStore(testKit.system(), CASSANDRA, BLOBS), BLOBS);
  }

  private static EmbeddedCassandra.Settings node(int n, List<String> seeds) {
    EmbeddedCassandra.Settings base = CassandraTestSupport.settings(dataDir.resolve("node" + n));
    return new EmbeddedCassandra.Settings(base.libDir(), base.dataDir(), "127.0.0." + n, 0, 0, HEAP,
        Duration.ofSeconds(180), Duration.ofSeconds(10), base.credentials(), seeds, base.joinRingDelay());
  }

  @AfterAll
  static void stop() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
    nodes.forEach(EmbeddedCassandra::close);
  }

  @Test
  void everyAcknowledgedBlobReadsBackAfterOneOfThreeCassandraProcessesIsKilled() throws Exception {
    Map<String, String> acknowledged = new ConcurrentHashMap<>();
    AtomicInteger failedWrites = new AtomicInteger();
    AtomicInteger reads = new AtomicInteger();
    AtomicInteger failedReads = new AtomicInteger();
    AtomicBoolean running = new AtomicBoolean(true);
    List<String> corrupt = new ArrayList<>();

    Thread writer = new Thread(() -> {
      for (int n = 0; running.get(); n++) {
        byte[] bytes = bytes(n);
        String id = "blob-" + n;
        try {
          BlobStore.StoredBlob stored = Source.single(ByteString.fromArray(bytes))
              .runWith(blobs.write(id), testKit.system()).toCompletableFuture().get(60, TimeUnit.SECONDS);
          if (stored.size() != bytes.length || !stored.sha256().equals(sha256(bytes))) {
            synchronized (corrupt) {
              corrupt.add(id + " stored as " + stored);
            }
          }
          acknowledged.put(id, sha256(bytes));
        } catch (Exception e) {
          failedWrites.incrementAndGet();
          log.info("write of {} failed (not acknowledged): {}", id, e.toString());
        }
      }
    }, "durability-writer");
    Thread reader = new Thread(() -> {
      Random random = new Random(7);
      while (running.get()) {
        List<String> ids = new ArrayList<>(acknowledged.keySet());
        if (ids.isEmpty()) {
          // Nothing written yet: look again shortly, leaving the cores to the writer and Cassandra.
          LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
          continue;
        }
        String id = ids.get(random.nextInt(ids.size()));
        try {
          String sha = sha256(read(id, acknowledged.get(id)));
          if (!sha.equals(acknowledged.get(id))) {
            synchronized (corrupt) {
              corrupt.add(id + " read back as " + sha);
            }
          }
          reads.incrementAndGet();
        } catch (Exception e) {
          failedReads.incrementAndGet();
          log.info("read of {} failed: {}", id, e.toString());
        }
      }
    }, "durability-reader");
    writer.start();
    reader.start();
    try {
      awaitAtLeast(() -> Math.min(acknowledged.size(), reads.get()), 4, "writes and reads before the kill");
      int writtenBefore = acknowledged.size();
      int readBefore = reads.get();
      EmbeddedCassandra victim = nodes.get(0);
      log.info("killing Cassandra on {} (pid {}) with {} blobs acknowledged", victim.host(), victim.process().pid(),
          writtenBefore);
      victim.process().destroyForcibly();
      assertThat(victim.process().onExit().get(30, TimeUnit.SECONDS).isAlive()).isFalse();

      awaitAtLeast(() -> Math.min(acknowledged.size() - writtenBefore, reads.get() - readBefore), 6,
          "writes and reads after the kill, on the two processes left");
    } finally {
      running.set(false);
      writer.join(TimeUnit.SECONDS.toMillis(90));
      reader.join(TimeUnit.SECONDS.toMillis(90));
    }
    log.info("{} blobs acknowledged, {} writes failed; {} reads, {} failed", acknowledged.size(),
        failedWrites.get(), reads.get(), failedReads.get());

    assertThat(corrupt).isEmpty();
    for (Map.Entry<String, String> blob : acknowledged.entrySet()) {
      assertThat(sha256(read(blob.getKey(), blob.getValue()))).as(blob.getKey()).isEqualTo(blob.getValue());
    }
  }

  private static byte[] read(String id, String sha256) throws Exception {
    return blobs.read(id, BLOB_SIZE, sha256)
        .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), testKit.system())
        .toCompletableFuture().get(60, TimeUnit.SECONDS).toArray();
  }

  private static void awaitAtLeast(java.util.function.IntSupplier count, int wanted, String what) {
    Awaitility.await().atMost(DEADLINE)
        .untilAsserted(() -> assertThat(count.getAsInt()).as("%s within %s", what, DEADLINE).isGreaterThanOrEqualTo(wanted));
  }

  private static byte[] bytes(int n) {
    byte[] bytes = new byte[BLOB_SIZE];
    new Random(n).nextBytes(bytes);
    return bytes;
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }
}
