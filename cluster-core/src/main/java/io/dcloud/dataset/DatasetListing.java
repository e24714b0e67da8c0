package io.dcloud.dataset;

import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The read side of datasets: every dataset whose id starts with a prefix, folded from the journal
 * with the entities' own fold. Read on demand, not kept: datasets are few next to environments and
 * listing them is rare (a user's {@code ls}, the janitor's sweep), and reading the journal afresh
 * can never miss an update.
 */
public final class DatasetListing {
  /** Datasets read from the journal at once. */
  private static final int PARALLELISM = 4;
  private static final String PERSISTENCE_ID_PREFIX = DatasetEntity.TYPE_KEY.name() + "|";

  private final ActorSystem<?> system;
  private final ReadJournal journal;

  /** {@code readJournalPlugin}: the read journal's plugin id ({@code dcloud.read-side.journal-plugin}). */
  public DatasetListing(ActorSystem<?> system, String readJournalPlugin) {
    this.system = system;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(ReadJournal.class, readJournalPlugin);
  }

  /** Every dataset whose id starts with {@code prefix} (empty: all), sorted by id, gone ones included. */
  public CompletionStage<List<DatasetState>> list(String prefix) {
    String wanted = PERSISTENCE_ID_PREFIX + prefix;
    return ((CurrentPersistenceIdsQuery) journal).currentPersistenceIds()
        .filter(persistenceId -> persistenceId.startsWith(wanted))
        .mapAsyncUnordered(PARALLELISM, persistenceId -> fold(persistenceId.substring(PERSISTENCE_ID_PREFIX.length())))
        .runWith(Sink.seq(), system)
        .thenApply(states -> states.stream().sorted(Comparator.comparing(DatasetState::id)).toList());
  }

  private CompletionStage<DatasetState> fold(String id) {
    return ((CurrentEventsByPersistenceIdQuery) journal)
        .currentEventsByPersistenceId(PERSISTENCE_ID_PREFIX + id, 0L, Long.MAX_VALUE)
        .map(EventEnvelope::event)
        .runFold(DatasetState.empty(id), (state, event) -> state.apply((DatasetEntity.Event) event), system);
  }
}
