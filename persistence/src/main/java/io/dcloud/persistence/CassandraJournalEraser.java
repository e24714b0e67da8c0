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
 * whole (one partition tombstone each, which Cassandra drops at compaction after its gc grace); then
 * its snapshots, their one partition in the snapshot store's table.
 * The plugin fills partitions one after the other, {@code target-partition-size} events each, so
 * the partitions are erased in order until there are no more events.
 *
 * <p>Not the plugin's own deletion ({@code Cleanup.deleteAllEvents}): that needs the journal's
 * {@code support-deletes}, which costs every entity's recovery a read of the highest deleted sequence
 * number, on the path of every environment that starts. An id erased here is never used again, so
 * nothing has to remember how far its events were deleted: a recovery finds none, and the read
 * side's listing of ids (the table's partition keys) no longer has it.
 */
public final class CassandraJournalEraser implements JournalEraser {
  private final ActorSystem<?> system;
  /** Looked up at the first erase: most nodes never erase (the collectors are singletons), nor need the query plugin. */
  private volatile CassandraSession session;
  private final String anyEvent;
  private final String delete;
  private final String deleteSnapshots;
  private final String readProfile;
  private final String writeProfile;

  private CassandraJournalEraser(ActorSystem<?> system, Config plugin) {
    this.system = system;
    Config journal = plugin.getConfig("journal");
    String table = journal.getString("keyspace") + "." + journal.getString("table");
    this.anyEvent = "SELECT sequence_nr FROM " + table + " WHERE persistence_id = ? AND partition_nr = ? LIMIT 1";
    this.delete = "DELETE FROM " + table + " WHERE persistence_id = ? AND partition_nr = ?";
    Config snapshot = plugin.getConfig("snapshot");
    this.deleteSnapshots = "DELETE FROM " + snapshot.getString("keyspace") + "." + snapshot.getString("table")
        + " WHERE persistence_id = ?";
    this.readProfile = plugin.getString("read-profile");
    this.writeProfile = plugin.getString("write-profile");
  }

  /** Through the Cassandra plugin's own session (the one its journal and queries use). */
  public static CassandraJournalEraser create(ActorSystem<?> system) {
    return new CassandraJournalEraser(system, system.settings().config().getConfig("pekko.persistence.cassandra"));
  }

  private CassandraSession session() {
    CassandraSession known = session;
    if (known == null) {
      // Pekko hands out one read journal per plugin id: two first erases at once get the same session.
      known = PersistenceQuery.get(system).getReadJournalFor(CassandraReadJournal.class, CassandraReadJournal.Identifier())
          .session();
      session = known;
    }
    return known;
  }

  @Override
  public CompletionStage<Void> erase(String persistenceId) {
    return erasePartitionsFrom(persistenceId, 0, false).thenCompose(events -> session().executeWrite(
            SimpleStatement.newInstance(deleteSnapshots, persistenceId).setExecutionProfileName(writeProfile)))
        .thenApply(done -> null);
  }

  /**
   * An empty partition may stand between two full ones: the plugin writes the events of one
   * persist all in one partition, the one its last event falls in, which can leave the partition
   * before it empty (as its recovery knows: it looks one partition further). Two empty partitions
   * in a row end the id's events.
   */
  private CompletionStage<Void> erasePartitionsFrom(String persistenceId, long partition, boolean previousEmpty) {
    return session().selectOne(SimpleStatement.newInstance(anyEvent, persistenceId, partition).setExecutionProfileName(readProfile))
        .thenCompose(event -> {
          if (event.isEmpty()) {
            return previousEmpty
                ? CompletableFuture.<Void>completedFuture(null)
                : erasePartitionsFrom(persistenceId, partition + 1, true);
          }
          return session().executeWrite(
                  SimpleStatement.newInstance(delete, persistenceId, partition).setExecutionProfileName(writeProfile))
              .thenCompose(done -> erasePartitionsFrom(persistenceId, partition + 1, false));
        });
  }
}
