package io.dcloud.environment;

import io.dcloud.ask.Asks;
import io.dcloud.environment.EnvironmentDirectory.Apply;
import io.dcloud.environment.EnvironmentDirectory.Command;
import io.dcloud.environment.EnvironmentDirectory.Folded;
import io.dcloud.environment.EnvironmentDirectory.ReadEnded;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The journal reads of an {@link EnvironmentDirectory}: every environment (at start and at each
 * full refresh), the tails of those still changing, and the events it missed of one. Each read
 * runs as a stream that only tells the directory events ({@link Apply}) and, at its end, a
 * {@link ReadEnded}; this object, used on the directory's thread only, remembers which reads run
 * and which fail, so a slow journal gets no second read piled on and a journal that is down is
 * logged once per streak.
 */
final class DirectoryJournalReads {

  /** The journal reads the directory makes, named for the log. */
  enum Read {
    ALL("the environments"),
    TAILS("the environments still changing"),
    MISSED("the events it missed of an environment");

    private final String what;

    Read(String what) {
      this.what = what;
    }
  }

  /** Environments read from the journal at once while catching up. */
  private static final int CATCH_UP_PARALLELISM = 4;
  private static final String PERSISTENCE_ID_PREFIX = EnvironmentEntity.TYPE_KEY.name() + "|";

  private final ActorContext<Command> context;
  private final ReadJournal journal;
  /** Environments whose missing events are being read from the journal. */
  private final Set<String> catchingUp = new HashSet<>();
  /** Full and tail reads under way: a slow journal does not get a second one of each piled on. */
  private final Set<Read> running = EnumSet.noneOf(Read.class);
  /** Reads whose last attempt failed: the first failure of a streak is logged, the rest are not. */
  private final Set<Read> failing = EnumSet.noneOf(Read.class);
  /** The deleted environments (persistence ids) when the running full read began, and which of them it listed. */
  private Set<String> deletedAtFullRead = Set.of();
  private Set<String> deletedStillListed = Set.of();

  DirectoryJournalReads(ActorContext<Command> context, String readJournalPluginId) {
    this.context = context;
    this.journal = PersistenceQuery.get(context.getSystem()).getReadJournalFor(ReadJournal.class, readJournalPluginId);
  }

  /** Whether the last full read failed (the one at start, say). */
  boolean fullReadFailing() {
    return failing.contains(Read.ALL);
  }

  /** Reads the tails of the environments still changing (their events are the ones awaited). */
  void readTransitionalTails(Map<String, Folded> environments) {
    List<Map.Entry<String, Long>> changing = new ArrayList<>();
    environments.forEach((id, folded) -> {
      if (folded.state().transitional()) {
        changing.add(Map.entry(PERSISTENCE_ID_PREFIX + id, folded.sequenceNr()));
      }
    });
    CurrentEventsByPersistenceIdQuery query = eventsQuery();
    run(Read.TAILS, null, Source.from(changing)
        .flatMapMerge(CATCH_UP_PARALLELISM, tail -> eventsOf(query, tail.getKey(), tail.getValue())));
  }

  /**
   * Reads what the journal has that the directory lacks: all of an environment it has never heard
   * of, and the tail of every environment not yet deleted. Notes which deleted environments the
   * journal still lists: those it no longer does were collected ({@link #ended}). False when the
   * journal cannot list persistence ids: the directory then follows live events only.
   */
  boolean readAll(Map<String, Folded> environments) {
    if (!(journal instanceof CurrentPersistenceIdsQuery ids)) {
      context.getLog().debug("The read journal cannot list persistence ids: the directory follows live events only");
      return false;
    }
    Map<String, Long> known = new HashMap<>();
    Set<String> deleted = new HashSet<>();
    environments.forEach((id, folded) -> {
      if (folded.state().status() == EnvironmentStatus.DELETED) {
        deleted.add(PERSISTENCE_ID_PREFIX + id);
      } else {
        known.put(PERSISTENCE_ID_PREFIX + id, folded.sequenceNr());
      }
    });
    CurrentEventsByPersistenceIdQuery query = eventsQuery();
    // Written by the stream alone; read once it has ended (its end comes back as a message).
    Set<String> stillListed = ConcurrentHashMap.newKeySet();
    boolean started = run(Read.ALL, null, ids.currentPersistenceIds()
        .filter(id -> id.startsWith(PERSISTENCE_ID_PREFIX))
        .filter(id -> {
          if (deleted.contains(id)) {
            stillListed.add(id);
            return false;
          }
          return true;
        })
        .flatMapMerge(CATCH_UP_PARALLELISM, id -> eventsOf(query, id, known.getOrDefault(id, 0L))));
    if (started) {
      deletedAtFullRead = deleted;
      deletedStillListed = stillListed;
    }
    return true;
  }

  /** Reads what the directory missed of one environment; the events come back as {@link Apply}. */
  void catchUp(String environmentId, long afterSequenceNr) {
    if (!catchingUp.add(environmentId)) {
      return;
    }
    run(Read.MISSED, environmentId, eventsOf(eventsQuery(), PERSISTENCE_ID_PREFIX + environmentId, afterSequenceNr));
  }

  /**
   * The deleted environments a full read that completed found collected (their ids); none for
   * other reads. A failed read changes nothing folded: the next refresh (or, for missed events, the next event
   * that skips ahead) reads again. Only the first failure of a streak is a warning, so a journal
   * that is down for a while does not flood the log; its recovery is said once too.
   */
  Set<String> ended(ReadEnded ended) {
    Set<String> collected = Set.of();
    if (ended.read() == Read.ALL && ended.failure() == null) {
      collected = new HashSet<>();
      for (String persistenceId : deletedAtFullRead) {
        if (!deletedStillListed.contains(persistenceId)) {
          collected.add(persistenceId.substring(PERSISTENCE_ID_PREFIX.length()));
        }
      }
    }
    if (ended.read() == Read.ALL) {
      deletedAtFullRead = Set.of();
      deletedStillListed = Set.of();
    }
    if (ended.read() == Read.MISSED) {
      catchingUp.remove(ended.environmentId());
    } else {
      running.remove(ended.read());
    }
    String what = ended.read() == Read.MISSED
        ? ended.read().what + " (" + ended.environmentId() + ")"
        : ended.read().what;
    if (ended.failure() == null) {
      if (failing.remove(ended.read())) {
        context.getLog().info("The environment directory read {} from the journal again", what);
      }
    } else if (failing.add(ended.read())) {
      context.getLog().warn(
          "The environment directory could not read {} from the journal; it answers with what it has and reads again at its next refresh: {}",
          what, ended.failure().toString());
    } else {
      context.getLog().debug("The environment directory still cannot read {} from the journal: {}", what,
          ended.failure().toString());
    }
    return collected;
  }

  /**
   * Runs a read: the stream only tells the directory the events it reads, and its end comes back
   * as a {@link ReadEnded}, so nothing off the actor's thread touches the actor. A full or tail
   * read is not started while the previous one of its kind still runs.
   */
  private boolean run(Read read, String environmentId, Source<Command, NotUsed> events) {
    if (read != Read.MISSED && !running.add(read)) {
      return false;
    }
    ActorRef<Command> self = context.getSelf();
    Asks.pipeToSelf(context,
        events.runWith(Sink.foreach(self::tell), context.getSystem()),
        (done, failure) -> new ReadEnded(read, environmentId, failure));
    return true;
  }

  /** Taken on the actor's thread, so the streams' callbacks capture the query, not the actor. */
  private CurrentEventsByPersistenceIdQuery eventsQuery() {
    return (CurrentEventsByPersistenceIdQuery) journal;
  }

  private static Source<Command, NotUsed> eventsOf(
      CurrentEventsByPersistenceIdQuery query, String persistenceId, long afterSequenceNr) {
    return query.currentEventsByPersistenceId(persistenceId, afterSequenceNr + 1, Long.MAX_VALUE)
        .filter(envelope -> envelope.event() instanceof EnvironmentEntity.Event)
        .map(DirectoryJournalReads::toApply);
  }

  private static Command toApply(EventEnvelope envelope) {
    return new Apply(
        envelope.persistenceId().substring(PERSISTENCE_ID_PREFIX.length()),
        envelope.sequenceNr(),
        (EnvironmentEntity.Event) envelope.event());
  }
}
