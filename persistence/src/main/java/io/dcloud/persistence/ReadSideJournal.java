package io.dcloud.persistence;

import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.typesafe.config.Config;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.persistence.cassandra.query.javadsl.CassandraReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The read journal of DCloud's read side ({@code dcloud.read-side.journal-plugin}): the Cassandra
 * plugin's events, and the persistence ids listed from the journal's own table.
 *
 * <p>The plugin lists ids from a table of their own ({@code all_persistence_ids}), which costs every
 * new entity a Cassandra write before its first event's, one after the other, on the path of every
 * create. DCloud turns that table off ({@code support-all-persistence-ids}) and lists the partition
 * keys of the events' table instead: each id once, those written before the switch included. The
 * read side lists ids only when it loads and every few minutes after, where a scan of the partition
 * keys costs what reading the smaller table did.
 */
public final class ReadSideJournal implements ReadJournal, CurrentPersistenceIdsQuery, CurrentEventsByPersistenceIdQuery {
  private final CassandraReadJournal events;
  private final SimpleStatement listIds;

  /** {@code config}: this plugin's section (see persistence's reference.conf). */
  ReadSideJournal(ExtendedActorSystem system, Config config) {
    this.events = PersistenceQuery.get(system)
        .getReadJournalFor(CassandraReadJournal.class, config.getString("delegate"));
    // DISTINCT over the partition key: one row per partition, which is an id's events up to the
    // journal's target-partition-size; an id whose events fill several is listed once below.
    this.listIds = SimpleStatement.newInstance(
            "SELECT DISTINCT persistence_id, partition_nr FROM " + config.getString("keyspace") + "."
                + config.getString("table"))
        .setExecutionProfileName(config.getString("read-profile"));
  }

  @Override
  public Source<String, NotUsed> currentPersistenceIds() {
    return events.session().select(listIds)
        .map(row -> row.getString("persistence_id"))
        .statefulMapConcat(() -> {
          Set<String> listed = new HashSet<>();
          return id -> listed.add(id) ? List.of(id) : List.of();
        });
  }

  @Override
  public Source<EventEnvelope, NotUsed> currentEventsByPersistenceId(
      String persistenceId, long fromSequenceNr, long toSequenceNr) {
    return events.currentEventsByPersistenceId(persistenceId, fromSequenceNr, toSequenceNr);
  }
}
