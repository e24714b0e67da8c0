package io.dcloud.persistence;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.typesafe.config.Config;
import io.dcloud.dataset.BlobSettings;
import io.dcloud.dataset.ChunkStore;
import java.nio.ByteBuffer;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dataset chunks in Cassandra, on the session (and so the contact points and credentials) of the
 * journal. A partition holds {@code chunks-per-partition} consecutive chunks of one blob, so
 * partitions stay small (16 MiB at 1 MiB chunks) however big the blob, and deleting a blob is one
 * partition delete per 16 chunks. Replication and consistency come from {@code
 * dcloud.datasets.cassandra}; durability and surviving a lost machine are Cassandra's.
 */
public final class CassandraChunkStore implements ChunkStore {
  private static final Logger LOG = LoggerFactory.getLogger(CassandraChunkStore.class);
  private static final String PLUGIN = "pekko.persistence.cassandra";

  private final CassandraSession session;
  private final Settings settings;
  private final PreparedCql insert;
  private final PreparedCql select;
  private final PreparedCql probe;
  private final PreparedCql deletePartition;

  /** {@code dcloud.datasets.cassandra}. */
  public record Settings(String keyspace, int replicationFactor, ConsistencyLevel consistency, int chunksPerPartition) {
    public static Settings fromConfig(Config root) {
      Config config = root.getConfig("dcloud.datasets.cassandra");
      return new Settings(config.getString("keyspace"), config.getInt("replication-factor"),
          DefaultConsistencyLevel.valueOf(config.getString("consistency")), config.getInt("chunks-per-partition"));
    }
  }

  public CassandraChunkStore(ActorSystem<?> system, Settings settings, BlobSettings blobs) {
    if (blobs.writeParallelism() > settings.chunksPerPartition()) {
      // Else an interrupted write could leave a whole partition empty before written ones, and
      // deleteAll, which stops at the first empty partition, would leave those behind.
      throw new IllegalArgumentException("dcloud.datasets.write-parallelism (" + blobs.writeParallelism()
          + ") must not exceed dcloud.datasets.cassandra.chunks-per-partition (" + settings.chunksPerPartition() + ")");
    }
    this.session = CassandraSessionRegistry.get(system).sessionFor(PLUGIN);
    this.settings = settings;
    String table = settings.keyspace() + ".chunks";
    this.insert = new PreparedCql(session, "INSERT INTO " + table + " (blob_id, part, chunk, data) VALUES (?, ?, ?, ?)");
    this.select = new PreparedCql(session, "SELECT data FROM " + table + " WHERE blob_id = ? AND part = ? AND chunk = ?");
    this.probe = new PreparedCql(session, "SELECT chunk FROM " + table + " WHERE blob_id = ? AND part = ? LIMIT 1");
    this.deletePartition = new PreparedCql(session, "DELETE FROM " + table + " WHERE blob_id = ? AND part = ?");
  }

  /** Creates the keyspace and table if missing (idempotent), as {@link CassandraSchema} does for the journal. */
  public static CompletionStage<Done> createSchema(ActorSystem<?> system, Settings settings) {
    CassandraSession session = CassandraSessionRegistry.get(system).sessionFor(PLUGIN);
    String keyspace = "CREATE KEYSPACE IF NOT EXISTS " + settings.keyspace()
        + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': " + settings.replicationFactor() + "}";
    String table = "CREATE TABLE IF NOT EXISTS " + settings.keyspace() + ".chunks ("
        + "blob_id text, part bigint, chunk bigint, data blob, PRIMARY KEY ((blob_id, part), chunk))";
    return session.executeDDL(keyspace).thenCompose(done -> session.executeDDL(table)).whenComplete((ok, failure) -> {
      if (failure == null) {
        LOG.info("Cassandra schema for dataset chunks is in place (keyspace {}, replication factor {})",
            settings.keyspace(), settings.replicationFactor());
      }
    });
  }

  @Override
  public CompletionStage<Done> put(String blobId, long index, ByteString chunk) {
    return insert.get().thenCompose(statement -> session.executeWrite(
        statement.bind(blobId, part(index), index, chunk.asByteBuffer()).setConsistencyLevel(settings.consistency())));
  }

  @Override
  public CompletionStage<Optional<ByteString>> get(String blobId, long index) {
    return select.get().thenCompose(statement -> session.selectOne(
            statement.bind(blobId, part(index), index).setConsistencyLevel(settings.consistency())))
        .thenApply(row -> row.map(found -> {
          ByteBuffer data = found.getByteBuffer("data");
          return ByteString.fromByteBuffer(data);
        }));
  }

  @Override
  public CompletionStage<Done> deleteAll(String blobId) {
    return deleteFrom(blobId, 0);
  }

  /** Partition after partition until an empty one: nothing of the blob lies beyond it (see the constructor). */
  private CompletionStage<Done> deleteFrom(String blobId, long part) {
    return probe.get().thenCompose(statement -> session.selectOne(
            statement.bind(blobId, part).setConsistencyLevel(settings.consistency())))
        .thenCompose(any -> any.isEmpty()
            ? CompletableFuture.completedFuture(Done.getInstance())
            : deletePartition.get().thenCompose(statement -> session.executeWrite(
                    statement.bind(blobId, part).setConsistencyLevel(settings.consistency())))
                .thenCompose(done -> deleteFrom(blobId, part + 1)));
  }

  private long part(long index) {
    return index / settings.chunksPerPartition();
  }
}
