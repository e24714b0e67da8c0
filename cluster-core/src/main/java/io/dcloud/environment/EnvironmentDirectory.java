package io.dcloud.environment;

import io.dcloud.ask.Asks;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.NotUsed;
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
import org.apache.pekko.stream.javadsl.Source;

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
 *
 * <p>Journal reads run as streams off this actor's thread: they only tell it events, and their end
 * comes back as a message ({@code pipeToSelf}), so the actor's state is only ever touched by the
 * actor. A read that fails is logged once per streak of failures and made again at the next
 * refresh; meanwhile the directory keeps answering from what it has folded.
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

  /**
   * {@code status}, {@code name}, {@code node} (the node it is placed on) and {@code owner} are
   * optional filters (null = any); an owner filter matches environments without an owner (created
   * before DCloud had users) never. {@code groups} widens an owner filter: environments shared with
   * any of them match too (null or empty: none).
   */
  public record ListEnvironments(
      EnvironmentStatus status, String name, String node, String owner, Set<String> groups, ActorRef<Listing> replyTo)
      implements Command, NoSerializationVerificationNeeded {
    public ListEnvironments(EnvironmentStatus status, String name, ActorRef<Listing> replyTo) {
      this(status, name, null, null, null, replyTo);
    }

    public ListEnvironments(EnvironmentStatus status, String name, String owner, ActorRef<Listing> replyTo) {
      this(status, name, null, owner, null, replyTo);
    }

    boolean lets(EnvironmentView view) {
      return owner == null
          || owner.equals(view.owner())
          || groups != null && view.sharedWith().stream().anyMatch(groups::contains);
    }
  }

  public record Listing(List<EnvironmentView> environments) implements NoSerializationVerificationNeeded {}

  /** How many environments are in each status, counted as changes are applied (no listing made). */
  public record CountByStatus(ActorRef<StatusCounts> replyTo) implements Command, NoSerializationVerificationNeeded {}

  public record StatusCounts(Map<EnvironmentStatus, Long> counts) implements NoSerializationVerificationNeeded {}

  /** One environment as this directory folded it (see {@link Known}). */
  public record Get(String environmentId, ActorRef<GetReply> replyTo) implements Command, NoSerializationVerificationNeeded {}

  public sealed interface GetReply extends NoSerializationVerificationNeeded {}

  /**
   * {@code asOf} is when this directory last applied an event of the environment (its own clock):
   * the view is what the journal said then, possibly behind what the entity knows now.
   */
  public record Known(EnvironmentView view, Instant asOf) implements GetReply {}

  /** The directory has no event of this environment (it may be too new for it, or not exist). */
  public record Unknown(String environmentId) implements GetReply {}

  /** Users' requests on environments since {@code since}, of {@code actor} if not null (the audit's share). */
  public record GetAudit(Instant since, String actor, ActorRef<AuditLines> replyTo)
      implements Command, NoSerializationVerificationNeeded {}

  public record AuditLines(List<AuditLine> lines) implements NoSerializationVerificationNeeded {}

  /**
   * What {@code owner}'s environments hold now, and which of the environments the quota ledger
   * just admitted this directory counts already (a created one once it exists here at all, a
   * started one once it holds a place again), so they are not counted twice.
   */
  public record GetUsage(String owner, Set<String> recentCreates, Set<String> recentStarts, ActorRef<Usage> replyTo)
      implements Command, NoSerializationVerificationNeeded {}

  public record Usage(OwnerUsage usage, Set<String> known) implements NoSerializationVerificationNeeded {}

  /**
   * From now on, {@code watcher} is told every environment as it is after each change this directory
   * applies (the gateway's event stream feeds on it). Changes folded while it first reads the journal
   * at start are not told: they are the past, not news. The state, not its view: a watcher that keeps
   * recent changes keeps what the directory made anyway, and makes a view only when one is read.
   */
  public record Watch(ActorRef<EnvironmentState> watcher) implements Command, NoSerializationVerificationNeeded {}

  /** {@code action}: environment.create, .stop, .start or .delete. */
  public record AuditLine(Instant at, String actor, String action, String environmentId) {}

  /** The journal reads this directory makes, named for the log. */
  private enum Read {
    ALL("the environments"),
    TAILS("the environments still changing"),
    MISSED("the events it missed of an environment");

    private final String what;

    Read(String what) {
      this.what = what;
    }
  }

  /** A journal read ended; {@code failure} is null when it completed. {@code environmentId} only for MISSED. */
  private record ReadEnded(Read read, String environmentId, Throwable failure)
      implements Command, NoSerializationVerificationNeeded {}

  private record Unwatch(ActorRef<EnvironmentState> watcher) implements Command, NoSerializationVerificationNeeded {}

  private enum Refresh implements Command, NoSerializationVerificationNeeded { INSTANCE }

  private enum FullRefresh implements Command, NoSerializationVerificationNeeded { INSTANCE }

  private record Folded(EnvironmentState state, long sequenceNr, Instant asOf) {}

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
  /** Full and tail reads under way: a slow journal does not get a second one of each piled on. */
  private final Set<Read> running = EnumSet.noneOf(Read.class);
  /** Reads whose last attempt failed: the first failure of a streak is logged, the rest are not. */
  private final Set<Read> failing = EnumSet.noneOf(Read.class);
  private final DirectoryIndexes indexes = new DirectoryIndexes();
  private final List<ActorRef<EnvironmentState>> watchers = new ArrayList<>();
  /** Whether the first full read of the journal has ended: only changes after it are told to watchers. */
  private boolean caughtUp;

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
   * Reads what the journal has that this directory lacks: all of an environment it has never heard
   * of, and the tail of every environment not yet deleted.
   */
  private void readJournal() {
    if (!(journal instanceof CurrentPersistenceIdsQuery ids)) {
      getContext().getLog().debug("The read journal cannot list persistence ids: the directory follows live events only");
      caughtUp = true;
      return;
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
    run(Read.ALL, null, ids.currentPersistenceIds()
        .filter(id -> id.startsWith(PERSISTENCE_ID_PREFIX) && !deleted.contains(id))
        .flatMapMerge(CATCH_UP_PARALLELISM, id -> eventsOf(query, id, known.getOrDefault(id, 0L))));
  }

  /**
   * Runs a read: the stream only tells this actor the events it reads, and its end comes back as a
   * {@link ReadEnded}, so nothing off the actor's thread touches the actor. A full or tail read is
   * not started while the previous one of its kind still runs.
   */
  private void run(Read read, String environmentId, Source<Command, NotUsed> events) {
    if (read != Read.MISSED && !running.add(read)) {
      return;
    }
    ActorRef<Command> self = getContext().getSelf();
    Asks.pipeToSelf(getContext(),
        events.runWith(Sink.foreach(self::tell), getContext().getSystem()),
        (done, failure) -> new ReadEnded(read, environmentId, failure));
  }

  /** Taken on the actor's thread, so the streams' callbacks capture the query, not the actor. */
  private CurrentEventsByPersistenceIdQuery eventsQuery() {
    return (CurrentEventsByPersistenceIdQuery) journal;
  }

  private static Source<Command, NotUsed> eventsOf(
      CurrentEventsByPersistenceIdQuery query, String persistenceId, long afterSequenceNr) {
    return query.currentEventsByPersistenceId(persistenceId, afterSequenceNr + 1, Long.MAX_VALUE)
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
        .onMessage(ReadEnded.class, this::onReadEnded)
        .onMessage(ListEnvironments.class, this::onList)
        .onMessage(Get.class, this::onGet)
        .onMessage(CountByStatus.class, count -> {
          count.replyTo().tell(new StatusCounts(indexes.byStatus()));
          return this;
        })
        .onMessage(GetAudit.class, this::onGetAudit)
        .onMessage(GetUsage.class, this::onGetUsage)
        .onMessage(Watch.class, watch -> {
          watchers.add(watch.watcher());
          getContext().watchWith(watch.watcher(), new Unwatch(watch.watcher()));
          return this;
        })
        .onMessage(Unwatch.class, unwatch -> {
          watchers.remove(unwatch.watcher());
          return this;
        })
        .onMessageEquals(Refresh.INSTANCE, () -> {
          // A full read that failed (the one at start, say) is made again now, not a full interval later.
          if (failing.contains(Read.ALL)) {
            readJournal();
          } else {
            readTransitionalTails();
          }
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
    EnvironmentState after = before.apply(apply.event(), HISTORY_KEPT);
    environments.put(apply.environmentId(), new Folded(after, apply.sequenceNr(), Instant.now()));
    indexes.applied(apply.environmentId(), before, after, apply.event());
    if (caughtUp && !watchers.isEmpty()) {
      watchers.forEach(watcher -> watcher.tell(after));
    }
    return this;
  }

  private Behavior<Command> onGetUsage(GetUsage get) {
    Set<String> known = new HashSet<>();
    for (String id : get.recentCreates()) {
      if (environments.containsKey(id)) {
        known.add(id);
      }
    }
    for (String id : get.recentStarts()) {
      Folded folded = environments.get(id);
      if (folded != null && OwnerUsage.holdsPlace(folded.state().status())) {
        known.add(id);
      }
    }
    get.replyTo().tell(new Usage(indexes.usage(get.owner()), known));
    return this;
  }

  private Behavior<Command> onGetAudit(GetAudit get) {
    get.replyTo().tell(new AuditLines(indexes.requests(get.since(), get.actor())));
    return this;
  }

  /** Reads what this directory missed of one environment; the events come back as {@link Apply}. */
  private void catchUp(String environmentId, long afterSequenceNr) {
    if (!catchingUp.add(environmentId)) {
      return;
    }
    run(Read.MISSED, environmentId, eventsOf(eventsQuery(), PERSISTENCE_ID_PREFIX + environmentId, afterSequenceNr));
  }

  /**
   * A failed read changes nothing folded: the next refresh (or, for missed events, the next event
   * that skips ahead) reads again. Only the first failure of a streak is a warning, so a journal
   * that is down for a while does not flood the log; its recovery is said once too.
   */
  private Behavior<Command> onReadEnded(ReadEnded ended) {
    if (ended.read() == Read.MISSED) {
      catchingUp.remove(ended.environmentId());
    } else {
      // Once the first full read has ended, failed or not, changes are news for the watchers.
      caughtUp |= ended.read() == Read.ALL;
      running.remove(ended.read());
    }
    String what = ended.read() == Read.MISSED
        ? ended.read().what + " (" + ended.environmentId() + ")"
        : ended.read().what;
    if (ended.failure() == null) {
      if (failing.remove(ended.read())) {
        getContext().getLog().info("The environment directory read {} from the journal again", what);
      }
    } else if (failing.add(ended.read())) {
      getContext().getLog().warn(
          "The environment directory could not read {} from the journal; it answers with what it has and reads again at its next refresh: {}",
          what, ended.failure().toString());
    } else {
      getContext().getLog().debug("The environment directory still cannot read {} from the journal: {}", what,
          ended.failure().toString());
    }
    return this;
  }

  private Behavior<Command> onGet(Get get) {
    Folded folded = environments.get(get.environmentId());
    get.replyTo().tell(folded == null
        ? new Unknown(get.environmentId())
        : new Known(folded.state().view(), folded.asOf()));
    return this;
  }

  private Behavior<Command> onList(ListEnvironments list) {
    List<EnvironmentView> matching =
        environments.values().stream()
            .map(folded -> folded.state().view())
            .filter(view -> list.status() == null || list.status() == view.status())
            .filter(view -> list.name() == null || list.name().equals(view.name()))
            .filter(view -> list.node() == null || list.node().equals(view.node()))
            .filter(list::lets)
            .sorted(Comparator.comparing(EnvironmentView::createdAt).thenComparing(EnvironmentView::id))
            .toList();
    list.replyTo().tell(new Listing(matching));
    return this;
  }
}
