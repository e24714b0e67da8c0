package io.dcloud.environment;

import java.time.Duration;
import java.time.Instant;
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
 * and never applies an event twice. A deleted environment that a full sweep no longer finds in the
 * journal was collected ({@link DeletedEnvironmentCollector}) and is forgotten.
 *
 * <p>Journal reads run as streams off this actor's thread: they only tell it events, and their end
 * comes back as a message ({@code pipeToSelf}), so the actor's state is only ever touched by the
 * actor. A read that fails is logged once per streak of failures and made again at the next
 * refresh; meanwhile the directory keeps answering from what it has folded.
 */
public final class EnvironmentDirectory extends AbstractBehavior<EnvironmentDirectory.Command> {

  /** The read side needs only the latest step of each environment's history. */
  private static final int HISTORY_KEPT = 1;

  public sealed interface Command {}

  /** One journal event of one environment. */
  public record Apply(String environmentId, long sequenceNr, EnvironmentEntity.Event event)
      implements Command, NoSerializationVerificationNeeded {}

  /**
   * {@code status}, {@code name}, {@code node} (the node it is placed on), {@code idPrefix} (the
   * start of its id, lower case: what a command line takes for an id) and {@code owner} are
   * optional filters (null = any, but DELETED: deleted environments are listed only when asked for
   * by that status, as removed containers are not in {@code docker ps -a}); an owner filter matches environments without an owner (created
   * before DCloud had users) never. {@code groups} widens an owner filter: environments shared with
   * any of them match too (null or empty: none). {@code ownedBy} (null: any) narrows what those let
   * through to one owner's: whose environments the caller asks for, where {@code owner} is whose
   * view it is.
   */
  public record ListEnvironments(
      EnvironmentStatus status, String name, String node, String idPrefix, String owner, Set<String> groups,
      String ownedBy, Page page, ActorRef<Listing> replyTo)
      implements Command, NoSerializationVerificationNeeded {
    public ListEnvironments(EnvironmentStatus status, String name, String node, String idPrefix, String owner,
        Set<String> groups, Page page, ActorRef<Listing> replyTo) {
      this(status, name, node, idPrefix, owner, groups, null, page, replyTo);
    }

    public ListEnvironments(EnvironmentStatus status, String name, ActorRef<Listing> replyTo) {
      this(status, name, null, null, null, null, null, Page.ALL, replyTo);
    }

    public ListEnvironments(EnvironmentStatus status, String name, String owner, ActorRef<Listing> replyTo) {
      this(status, name, null, null, owner, null, null, Page.ALL, replyTo);
    }

    public ListEnvironments(
        EnvironmentStatus status, String name, String node, String owner, Set<String> groups, ActorRef<Listing> replyTo) {
      this(status, name, node, null, owner, groups, null, Page.ALL, replyTo);
    }

    boolean lets(EnvironmentView view) {
      return owner == null
          || owner.equals(view.owner())
          || groups != null && view.sharedWith().stream().anyMatch(groups::contains);
    }
  }

  /**
   * Where a listing stands in the order lists are made in: by creation, then id. Environments
   * created or deleted between two pages move no other environment's position, so paging on
   * finds each one that existed all along exactly once.
   */
  public record Position(Instant createdAt, String id) {
    static final Comparator<EnvironmentView> ORDER =
        Comparator.comparing(EnvironmentView::createdAt).thenComparing(EnvironmentView::id);

    static Position of(EnvironmentView view) {
      return new Position(view.createdAt(), view.id());
    }

    boolean before(EnvironmentView view) {
      int byCreation = createdAt.compareTo(view.createdAt());
      return byCreation < 0 || byCreation == 0 && id.compareTo(view.id()) < 0;
    }
  }

  /** At most {@code limit} environments (0: all) listed after {@code after} (null: from the first). */
  public record Page(int limit, Position after) {
    public static final Page ALL = new Page(0, null);
  }

  /** {@code next}: where the next page begins when the page was full and more follow; null on the last. */
  public record Listing(List<EnvironmentView> environments, Position next) implements NoSerializationVerificationNeeded {
    public Listing(List<EnvironmentView> environments) {
      this(environments, null);
    }
  }

  /** How many environments are in each status, counted as changes are applied (no listing made). */
  public record CountByStatus(ActorRef<StatusCounts> replyTo) implements Command, NoSerializationVerificationNeeded {}

  public record StatusCounts(Map<EnvironmentStatus, Long> counts) implements NoSerializationVerificationNeeded {}

  /** One environment as a directory folded it ({@link FoldedEnvironments#get}). */
  public sealed interface GetReply {}

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
   * started one once it holds a place again), so they are not counted twice; and how many replicas
   * (environments not deleted) each of {@code services} has, for what the ledger holds for them.
   */
  public record GetUsage(
      String owner, Set<String> recentCreates, Set<String> recentStarts, Set<String> services, ActorRef<Usage> replyTo)
      implements Command, NoSerializationVerificationNeeded {
    /** Asking of no service. */
    public GetUsage(String owner, Set<String> recentCreates, Set<String> recentStarts, ActorRef<Usage> replyTo) {
      this(owner, recentCreates, recentStarts, Set.of(), replyTo);
    }
  }

  /** {@code replicas}: of each service asked about, its environments that are not deleted (absent: none). */
  public record Usage(OwnerUsage usage, Set<String> known, Map<String, Integer> replicas)
      implements NoSerializationVerificationNeeded {
    /** Asked of no service. */
    public Usage(OwnerUsage usage, Set<String> known) {
      this(usage, known, Map.of());
    }
  }

  /**
   * From now on, {@code watcher} is told every environment as it is after each change this directory
   * applies (the gateway's event stream feeds on it). Changes folded while it first reads the journal
   * at start are not told: they are the past, not news. The state, not its view: a watcher that keeps
   * recent changes keeps what the directory made anyway, and makes a view only when one is read.
   */
  public record Watch(ActorRef<EnvironmentState> watcher) implements Command, NoSerializationVerificationNeeded {}

  /**
   * A deleted environment whose events the journal no longer has ({@link DeletedEnvironmentCollector}):
   * it leaves the listing. Ignored for an environment that is not deleted.
   */
  public record Forget(String environmentId) implements Command, NoSerializationVerificationNeeded {}

  /** {@code action}: environment.create, .stop, .start or .delete. */
  /** {@code address}: where the request came from; null for requests recorded before it was. */
  public record AuditLine(Instant at, String actor, String action, String environmentId, String address) {}

  /** A journal read ended; {@code failure} is null when it completed. {@code environmentId} only for MISSED. */
  record ReadEnded(DirectoryJournalReads.Read read, String environmentId, Throwable failure)
      implements Command, NoSerializationVerificationNeeded {}

  private record Unwatch(ActorRef<EnvironmentState> watcher) implements Command, NoSerializationVerificationNeeded {}

  private enum Refresh implements Command, NoSerializationVerificationNeeded { INSTANCE }

  private enum FullRefresh implements Command, NoSerializationVerificationNeeded { INSTANCE }

  record Folded(EnvironmentState state, long sequenceNr, Instant asOf) {}

  /**
   * {@code readJournalPluginId} names a read journal with {@code currentEventsByPersistenceId}
   * (and, to load existing environments at start, {@code currentPersistenceIds}); {@code events}
   * is the topic the entities publish on; {@code folded} is where it keeps what it folds, for its
   * gateway to read (a fresh instance per directory).
   */
  public static Behavior<Command> create(
      String readJournalPluginId,
      ActorRef<Topic.Command<EnvironmentEntity.Persisted>> events,
      Duration refreshInterval,
      Duration fullRefreshInterval,
      FoldedEnvironments folded) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Refresh.INSTANCE, refreshInterval);
      timers.startTimerWithFixedDelay(FullRefresh.INSTANCE, fullRefreshInterval);
      return new EnvironmentDirectory(context, readJournalPluginId, events, folded);
    }));
  }

  private final DirectoryJournalReads reads;
  /** Written here only; read by the gateway from other threads as well ({@link FoldedEnvironments}). */
  private final Map<String, Folded> environments;
  private final DirectoryIndexes indexes = new DirectoryIndexes();
  private final List<ActorRef<EnvironmentState>> watchers = new ArrayList<>();
  /** Whether the first full read of the journal has ended: only changes after it are told to watchers. */
  private boolean caughtUp;

  private EnvironmentDirectory(
      ActorContext<Command> context,
      String readJournalPluginId,
      ActorRef<Topic.Command<EnvironmentEntity.Persisted>> events,
      FoldedEnvironments folded) {
    super(context);
    this.environments = folded.entries();
    this.reads = new DirectoryJournalReads(context, readJournalPluginId);
    ActorRef<EnvironmentEntity.Persisted> live = context.messageAdapter(
        EnvironmentEntity.Persisted.class, p -> new Apply(p.environmentId(), p.sequenceNr(), p.event()));
    events.tell(Topic.subscribe(live));
    readJournal();
  }

  /**
   * Reads what the journal has that this directory lacks; a journal that cannot list environments
   * leaves nothing to catch up with, so changes are news for the watchers from now on.
   */
  private void readJournal() {
    if (!reads.readAll(environments)) {
      caughtUp = true;
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Apply.class, this::onApply)
        .onMessage(ReadEnded.class, this::onReadEnded)
        .onMessage(Forget.class, forget -> {
          forget(forget.environmentId());
          return this;
        })
        .onMessage(ListEnvironments.class, this::onList)
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
          if (reads.fullReadFailing()) {
            readJournal();
          } else {
            reads.readTransitionalTails(environments);
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
      reads.catchUp(apply.environmentId(), last);
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
    Map<String, Integer> replicas = new HashMap<>();
    get.services().forEach(service -> replicas.put(service, indexes.replicas(service)));
    get.replyTo().tell(new Usage(indexes.usage(get.owner()), known, replicas));
    return this;
  }

  private Behavior<Command> onGetAudit(GetAudit get) {
    get.replyTo().tell(new AuditLines(indexes.requests(get.since(), get.actor())));
    return this;
  }

  private Behavior<Command> onReadEnded(ReadEnded ended) {
    // Once the first full read has ended, failed or not, changes are news for the watchers.
    caughtUp |= ended.read() == DirectoryJournalReads.Read.ALL;
    // Deleted environments a complete listing of the journal no longer had were collected: another
    // node's collector erased them, and only its own directory was told.
    reads.ended(ended).forEach(this::forget);
    return this;
  }

  private void forget(String environmentId) {
    Folded folded = environments.get(environmentId);
    if (folded != null && folded.state().status() == EnvironmentStatus.DELETED) {
      environments.remove(environmentId);
      indexes.forgotten(folded.state());
    }
  }

  private Behavior<Command> onList(ListEnvironments list) {
    Position after = list.page().after();
    List<EnvironmentView> matching =
        environments.values().stream()
            .map(folded -> folded.state().view())
            .filter(view -> list.status() == null ? view.status() != EnvironmentStatus.DELETED : list.status() == view.status())
            .filter(view -> list.name() == null || list.name().equals(view.name()))
            .filter(view -> list.node() == null || list.node().equals(view.node()))
            .filter(view -> list.idPrefix() == null || view.id().startsWith(list.idPrefix()))
            .filter(list::lets)
            .filter(view -> list.ownedBy() == null || list.ownedBy().equals(view.owner()))
            .filter(view -> after == null || after.before(view))
            .sorted(Position.ORDER)
            .toList();
    int limit = list.page().limit();
    if (limit > 0 && matching.size() > limit) {
      List<EnvironmentView> page = matching.subList(0, limit);
      list.replyTo().tell(new Listing(List.copyOf(page), Position.of(page.get(limit - 1))));
    } else {
      list.replyTo().tell(new Listing(matching));
    }
    return this;
  }
}
