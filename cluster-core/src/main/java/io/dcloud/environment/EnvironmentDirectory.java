package io.dcloud.environment;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The read side behind {@code GET /environments}: every gateway keeps this local, in-memory
 * listing of all environments, so lists never ask each entity.
 *
 * <p>It is folded from the journal, with the entities' own event fold: at start it reads every
 * environment's events (the journal's persistence ids), then follows the events the entities
 * publish live with their sequence numbers. A sequence number that skips ahead (a message lost
 * between nodes) makes it read the missing events from the journal; and because topics deliver
 * at most once, it also re-reads the journal on a timer: often the tails of the environments in
 * a transitional status (a handful, however many environments there are), and rarely every
 * environment (a full sweep finds those it never heard of). The listing converges on the journal
 * and never applies an event twice.
 */
public final class EnvironmentDirectory extends AbstractBehavior<EnvironmentDirectory.Command> {

  /** The read side needs only the latest step of each environment's history. */
  private static final int HISTORY_KEPT = 1;
  /** Environments read from the journal at once while catching up. */
  private static final int CATCH_UP_PARALLELISM = 4;
  private static final String PERSISTENCE_ID_PREFIX = EnvironmentEntity.TYPE_KEY.name() + "|";

  public sealed interface Command {}

  /** One journal event of one environment. */
  public record Apply(String environmentId, long sequenceNr, EnvironmentEntity.Event event)
      implements Command, NoSerializationVerificationNeeded {}

  /** {@code status} and {@code name} are optional filters (null = any). */
  public record ListEnvironments(EnvironmentStatus status, String name, ActorRef<Listing> replyTo)
      implements Command, NoSerializationVerificationNeeded {}

  public record Listing(List<EnvironmentView> environments) implements NoSerializationVerificationNeeded {}

  private record CaughtUp(String environmentId) implements Command, NoSerializationVerificationNeeded {}

  private enum Refresh implements Command, NoSerializationVerificationNeeded { INSTANCE }

  private enum FullRefresh implements Command, NoSerializationVerificationNeeded { INSTANCE }

  private record Folded(EnvironmentState state, long sequenceNr) {}

  /**
   * {@code readJournalPluginId} names a read journal with {@code currentEventsByPersistenceId}
   * (and, to load existing environments at start, {@code currentPersistenceIds}); {@code events}
   * is the topic the entities publish on.
   */
  public static Behavior<Command> create(
      String readJournalPluginId,
      ActorRef<Topic.Command<EnvironmentEntity.Persisted>> events,
      Duration refreshInterval,
      Duration fullRefreshInterval) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Refresh.INSTANCE, refreshInterval);
      timers.startTimerWithFixedDelay(FullRefresh.INSTANCE, fullRefreshInterval);
      return new EnvironmentDirectory(context, readJournalPluginId, events);
    }));
  }

  private final ReadJournal journal;
  private final Map<String, Folded> environments = new HashMap<>();
  /** Environments whose missing events are being read from the journal. */
  private final Set<String> catchingUp = new HashSet<>();

  private EnvironmentDirectory(
      ActorContext<Command> context,
      String readJournalPluginId,
      ActorRef<Topic.Command<EnvironmentEntity.Persisted>> events) {
    super(context);
    this.journal = PersistenceQuery.get(context.getSystem()).getReadJournalFor(ReadJournal.class, readJournalPluginId);
    ActorRef<EnvironmentEntity.Persisted> live = context.messageAdapter(
        EnvironmentEntity.Persisted.class, p -> new Apply(p.environmentId(), p.sequenceNr(), p.event()));
    events.tell(Topic.subscribe(live));
    readJournal();
  }

  /** Reads the tails of the environments still changing (their events are the ones awaited). */
  private void readTransitionalTails() {
    ActorRef<Command> self = getContext().getSelf();
    List<Map.Entry<String, Long>> changing = new ArrayList<>();
    environments.forEach((id, folded) -> {
      if (folded.state().transitional()) {
        changing.add(Map.entry(PERSISTENCE_ID_PREFIX + id, folded.sequenceNr()));
      }
    });
    org.apache.pekko.stream.javadsl.Source.from(changing)
        .flatMapMerge(CATCH_UP_PARALLELISM, tail -> eventsOf(tail.getKey(), tail.getValue()))
        .runWith(Sink.foreach(self::tell), getContext().getSystem());
  }

  /**
   * Reads what the journal has that this directory lacks: all of an environment it has never heard
   * of, and the tail of every environment not yet deleted.
   */
  private void readJournal() {
    if (!(journal instanceof CurrentPersistenceIdsQuery ids)) {
      getContext().getLog().debug("The read journal cannot list persistence ids: the directory follows live events only");
      return;
    }
    ActorRef<Command> self = getContext().getSelf();
    Map<String, Long> known = new HashMap<>();
    environments.forEach((id, folded) -> {
      if (folded.state().status() != EnvironmentStatus.DELETED) {
        known.put(PERSISTENCE_ID_PREFIX + id, folded.sequenceNr());
      }
    });
    Set<String> deleted = new HashSet<>();
    environments.forEach((id, folded) -> {
      if (folded.state().status() == EnvironmentStatus.DELETED) {
        deleted.add(PERSISTENCE_ID_PREFIX + id);
      }
    });
    ids.currentPersistenceIds()
        .filter(id -> id.startsWith(PERSISTENCE_ID_PREFIX) && !deleted.contains(id))
        .flatMapMerge(CATCH_UP_PARALLELISM, id -> eventsOf(id, known.getOrDefault(id, 0L)))
        .runWith(Sink.foreach(self::tell), getContext().getSystem())
        .whenComplete((done, failure) -> {
          if (failure != null) {
            getContext().getSystem().log().warn("The environment directory could not load from the journal: {}", failure.toString());
          }
        });
  }

  private org.apache.pekko.stream.javadsl.Source<Command, org.apache.pekko.NotUsed> eventsOf(String persistenceId, long afterSequenceNr) {
    return ((CurrentEventsByPersistenceIdQuery) journal)
        .currentEventsByPersistenceId(persistenceId, afterSequenceNr + 1, Long.MAX_VALUE)
        .filter(envelope -> envelope.event() instanceof EnvironmentEntity.Event)
        .map(EnvironmentDirectory::toApply);
  }

  private static Command toApply(EventEnvelope envelope) {
    return new Apply(
        envelope.persistenceId().substring(PERSISTENCE_ID_PREFIX.length()),
        envelope.sequenceNr(),
        (EnvironmentEntity.Event) envelope.event());
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Apply.class, this::onApply)
        .onMessage(CaughtUp.class, caughtUp -> {
          catchingUp.remove(caughtUp.environmentId());
          return this;
        })
        .onMessage(ListEnvironments.class, this::onList)
        .onMessageEquals(Refresh.INSTANCE, () -> {
          readTransitionalTails();
          return this;
        })
        .onMessageEquals(FullRefresh.INSTANCE, () -> {
          readJournal();
          return this;
        })
        .build();
  }

  private Behavior<Command> onApply(Apply apply) {
    Folded current = environments.get(apply.environmentId());
    long last = current == null ? 0 : current.sequenceNr();
    if (apply.sequenceNr() <= last) {
      return this;
    }
    if (apply.sequenceNr() > last + 1) {
      catchUp(apply.environmentId(), last);
      return this;
    }
    EnvironmentState before =
        current == null ? EnvironmentState.empty(apply.environmentId()) : current.state();
    environments.put(apply.environmentId(), new Folded(before.apply(apply.event(), HISTORY_KEPT), apply.sequenceNr()));
    return this;
  }

  /** Reads what this directory missed of one environment; the events come back as {@link Apply}. */
  private void catchUp(String environmentId, long afterSequenceNr) {
    if (!catchingUp.add(environmentId)) {
      return;
    }
    ActorRef<Command> self = getContext().getSelf();
    eventsOf(PERSISTENCE_ID_PREFIX + environmentId, afterSequenceNr)
        .runWith(Sink.foreach(self::tell), getContext().getSystem())
        .whenComplete((done, failure) -> self.tell(new CaughtUp(environmentId)));
  }

  private Behavior<Command> onList(ListEnvironments list) {
    List<EnvironmentView> matching =
        environments.values().stream()
            .map(folded -> folded.state().view())
            .filter(view -> list.status() == null || list.status() == view.status())
            .filter(view -> list.name() == null || list.name().equals(view.name()))
            .sorted(Comparator.comparing(EnvironmentView::createdAt).thenComparing(EnvironmentView::id))
            .toList();
    list.replyTo().tell(new Listing(matching));
    return this;
  }
}
