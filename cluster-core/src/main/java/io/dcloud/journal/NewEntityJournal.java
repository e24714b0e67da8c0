package io.dcloud.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.AbstractActor;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.persistence.JournalProtocol;
import org.apache.pekko.persistence.Persistence;

/**
 * The journal of an entity whose id its sender made up a moment ago (a random UUID no one can have
 * used): its recovery is answered at once, with nothing to replay, instead of reading the journal.
 * Starting an entity of the Cassandra journal costs two reads in a row (the highest sequence number
 * of the first partition, then of the next), the larger part of a create's time before its first
 * write (docs/BENCHMARKS.md §10, "a new environment's recovery"). Everything else — the writes, and
 * the recovery of an entity that asked for {@link RecoverFromJournal} — goes to the journal it
 * stands in front of ({@code delegate}: a journal plugin id, empty for the default one), so that
 * one journal actor writes every event of a persistence id.
 *
 * <p>An incarnation keeps its journal plugin for life, including the restarts after a failed write;
 * a failed write may have reached the journal all the same (a timeout is not a refusal), so such
 * an entity tells this journal {@link RecoverFromJournal} before it restarts, and its next recovery
 * is the journal's own. Both messages come from the entity's actor, in that order, so the mark is
 * always there first.
 *
 * <p>A Pekko journal plugin (configured at {@code dcloud.journal.new-entity}); {@link
 * JournalProtocol} is Pekko's internal plugin protocol, held to its behaviour by {@code
 * NewEntityJournalTest} on every upgrade.
 */
public final class NewEntityJournal extends AbstractActor {
  /** The plugin id entities name to use this journal. */
  public static final String PLUGIN_ID = "dcloud.journal.new-entity";

  /** The next recovery of {@code persistenceId} reads the journal (its entity's write failed). Never leaves the JVM. */
  public record RecoverFromJournal(String persistenceId) implements NoSerializationVerificationNeeded {}

  private final ActorRef delegate;
  /** Persistence ids whose next recovery reads the journal: only entities whose write failed, each until that recovery. */
  private final Set<String> recoverFromJournal = new HashSet<>();

  public NewEntityJournal(Config config, String configPath) {
    ActorSystem system = getContext().getSystem();
    this.delegate = Persistence.get(system).journalFor(config.getString("delegate"), ConfigFactory.empty());
  }

  /** The journal actor to tell {@link RecoverFromJournal}. */
  public static ActorRef of(ActorSystem system) {
    return Persistence.get(system).journalFor(PLUGIN_ID, ConfigFactory.empty());
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(JournalProtocol.ReplayMessages.class, this::recover)
        .match(RecoverFromJournal.class, mark -> recoverFromJournal.add(mark.persistenceId()))
        .matchAny(message -> delegate.forward(message, getContext()))
        .build();
  }

  private void recover(JournalProtocol.ReplayMessages replay) {
    if (recoverFromJournal.remove(replay.persistenceId())) {
      delegate.forward(replay, getContext());
    } else {
      replay.persistentActor().tell(new JournalProtocol.RecoverySuccess(0L), getSelf());
    }
  }
}
