package io.dcloud.persistence;

import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.typesafe.config.Config;
import io.dcloud.journal.JournalEraser;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * Erases an id's events from the Cassandra journal's table: each partition its events fill, deleted
 * whole (one partition tombstone each, which Cassandra drops at compaction after its gc grace).
 *
 * <p>Not the plugin's own deletion ({@code Cleanup.deleteAllEvents}): that needs the journal's
 * {@code support-deletes}, which costs every entity's recovery a read of the highest deleted sequence
 * number, on the path of every environment that starts. An id erased here is never used again, so
 * nothing has to remember how far its events were deleted: a recovery finds none, and the read
 * side's listing of ids (the table's partition keys) no longer has it.
 */
public final class CassandraJournalEraser implements JournalEraser {
  private final CassandraSession session;
  private final String delete;
  private final long partitionSize;
  private final String writeProfile;

  private CassandraJournalEraser(CassandraSession session, Config plugin) {
    this.session = session;
    Config journal = plugin.getConfig("journal");
    this.delete = "DELETE FROM " + journal.getString("keyspace") + "." + journal.getString("table")
        + " WHERE persistence_id = ? AND partition_nr = ?";
    this.partitionSize = journal.getLong("target-partition-size");
    this.writeProfile = plugin.getString("write-profile");
  }

  /** Through the Cassandra plugin's own session (the one its journal and queries use). */
  public static CassandraJournalEraser create(ActorSystem<?> system) {
    CassandraSession session = PersistenceQuery.get(system)
        .getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier())
        .session();
    return new CassandraJournalEraser(session, system.settings().config().getConfig("pekko.persistence.cassandra"));
  }

  @Override
  public CompletionStage<Void> erase(String persistenceId, long highestSequenceNr) {
    // The plugin puts event n in partition (n - 1) / target-partition-size.
    long lastPartition = Math.max(0, highestSequenceNr - 1) / partitionSize;
    CompletableFuture<?>[] deletes = new CompletableFuture<?>[(int) lastPartition + 1];
    for (long partition = 0; partition <= lastPartition; partition++) {
      deletes[(int) partition] = session.executeWrite(
              SimpleStatement.newInstance(delete, persistenceId, partition).setExecutionProfileName(writeProfile))
          .toCompletableFuture();
    }
    return CompletableFuture.allOf(deletes);
  }
}
