package io.dcloud.dataset;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The read side of datasets: every dataset whose id starts with a prefix ({@link DatasetIndex}),
 * folded from the journal with the entities' own fold. Read on demand, not kept: datasets are few
 * next to environments and listing them is rare (a user's {@code ls}, the janitor's sweep), and a
 * fresh read of the journal never misses an update.
 */
public final class DatasetListing {
  /** Datasets read from the journal at once. */
  private static final int PARALLELISM = 4;
  private static final String PERSISTENCE_ID_PREFIX = DatasetEntity.TYPE_KEY.name() + "|";

  private final ActorSystem<?> system;
  private final ActorRef<DatasetIndex.Command> index;
  private final CurrentEventsByPersistenceIdQuery journal;
  private final Duration askTimeout;

  /** {@code readJournalPlugin}: the read journal's plugin id ({@code dcloud.read-side.journal-plugin}). */
  public DatasetListing(
      ActorSystem<?> system, ActorRef<DatasetIndex.Command> index, String readJournalPlugin, Duration askTimeout) {
    this.system = system;
    this.index = index;
    this.journal = PersistenceQuery.get(system)
        .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, readJournalPlugin);
    this.askTimeout = askTimeout;
  }

  /** Every dataset whose id starts with {@code prefix} (empty: all), sorted by id, gone ones included. */
  public CompletionStage<List<DatasetState>> list(String prefix) {
    return AskPattern.<DatasetIndex.Command, DatasetIndex.Ids>ask(
            index, replyTo -> new DatasetIndex.ListIds(prefix, replyTo), askTimeout, system.scheduler())
        .thenCompose(ids -> Source.from(ids.ids())
            .mapAsync(PARALLELISM, this::fold)
            .runWith(Sink.seq(), system));
  }

  private CompletionStage<DatasetState> fold(String id) {
    return journal.currentEventsByPersistenceId(PERSISTENCE_ID_PREFIX + id, 0L, Long.MAX_VALUE)
        .map(EventEnvelope::event)
        .runFold(DatasetState.empty(id), (state, event) -> state.apply((DatasetEntity.Event) event), system);
  }
}
