package io.dcloud.persistence;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.cassandra.KeyspaceAndTableStatements;
import org.apache.pekko.persistence.cassandra.PluginSettings;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the journal and snapshot keyspaces and tables before any persistent actor recovers.
 * The plugin's own autocreate is lazy (the snapshot store creates its keyspace on the first save),
 * so on a fresh Cassandra a recovering singleton would fail on a missing keyspace; and several
 * nodes autocreating at once disagree on schema. One node creating it once, first, avoids both.
 */
public final class CassandraSchema {
  private static final Logger LOG = LoggerFactory.getLogger(CassandraSchema.class);
  private static final String PLUGIN = "pekko.persistence.cassandra";

  private CassandraSchema() {}

  /** Idempotent ({@code IF NOT EXISTS}); the statements run one after another, as Cassandra wants for DDL. */
  public static CompletionStage<Done> create(ActorSystem<?> system) {
    KeyspaceAndTableStatements statements = new KeyspaceAndTableStatements(
        system, PLUGIN, PluginSettings.apply(org.apache.pekko.actor.typed.javadsl.Adapter.toClassic(system)));
    List<String> ddl = new ArrayList<>();
    ddl.add(statements.createJournalKeyspaceStatement());
    ddl.addAll(statements.getCreateJournalTablesStatements());
    ddl.add(statements.createSnapshotKeyspaceStatement());
    ddl.addAll(statements.getCreateSnapshotTablesStatements());
    CassandraSession session = CassandraSessionRegistry.get(system).sessionFor(PLUGIN);
    CompletionStage<Done> done = CompletableFuture.completedFuture(Done.getInstance());
    for (String statement : ddl) {
      done = done.thenCompose(previous -> session.executeDDL(statement));
    }
    return done.whenComplete((ok, failure) -> {
      if (failure == null) {
        LOG.info("Cassandra schema for the journal and snapshots is in place ({} statements)", ddl.size());
      }
    });
  }
}
