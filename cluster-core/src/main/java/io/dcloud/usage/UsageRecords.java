package io.dcloud.usage;

import com.typesafe.config.Config;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentSharding;
import io.dcloud.journal.JournalBackoff;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.time.YearMonth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentPersistenceIdsQuery;
import org.apache.pekko.persistence.query.javadsl.ReadJournal;
import org.apache.pekko.stream.javadsl.Sink;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where usage is read from and kept: an environment's own events in the journal while it has them
 * (metered by {@link UsageMeter}), and the {@link UsageArchive} of its owner's months once it is
 * collected. {@link #keep} is what the collector of deleted environments does before it erases one.
 */
public final class UsageRecords {
  private static final Logger LOG = LoggerFactory.getLogger(UsageRecords.class);

  private final ActorSystem<?> system;
  private final ReadJournal journal;
  private final Function<String, EntityRef<UsageArchive.Command>> archives;
  private final Duration timeout;
  private final int parallelReads;
  private final Clock clock;
  private final Counter archived = Counter.builder("dcloud.usage.archived")
      .description("Collected environments whose usage was archived before their events were erased")
      .register(Metrics.globalRegistry);

  /**
   * {@code readJournalPluginId}: a read journal with current events by id and current ids (the read
   * side's); {@code archives}: the archive entity of an id; {@code timeout}: for each read and ask;
   * {@code parallelReads}: environments read from the journal at once for a report.
   */
  private UsageRecords(ActorSystem<?> system, String readJournalPluginId,
      Function<String, EntityRef<UsageArchive.Command>> archives, Duration timeout, int parallelReads, Clock clock) {
    this.system = system;
    this.journal = PersistenceQuery.get(system).getReadJournalFor(ReadJournal.class, readJournalPluginId);
    this.archives = archives;
    this.timeout = timeout;
    this.parallelReads = parallelReads;
    this.clock = clock;
  }

  /**
   * Starts the archive entities' sharding and answers the records of this node. {@code root}: the
   * whole configuration; {@code readJournalPluginId}: the read side's read journal.
   */
  public static UsageRecords init(ActorSystem<?> system, Config root, String readJournalPluginId) {
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(Entity.of(UsageArchive.TYPE_KEY,
        entity -> UsageArchive.create(entity.getEntityId(), JournalBackoff.fromConfig(root))));
    return new UsageRecords(system, readJournalPluginId,
        id -> sharding.entityRefFor(UsageArchive.TYPE_KEY, id), root.getDuration("dcloud.ask-timeout"),
        root.getInt("dcloud.usage.report-parallelism"), Clock.systemUTC());
  }

  /** One environment metered from all its events (none: it was never created, or is collected). */
  public CompletionStage<UsageMeter> meter(String environmentId) {
    return ((CurrentEventsByPersistenceIdQuery) journal)
        .currentEventsByPersistenceId(EnvironmentSharding.persistenceId(environmentId), 0, Long.MAX_VALUE)
        .completionTimeout(timeout)
        .runWith(Sink.fold(new UsageMeter(environmentId), (meter, envelope) -> {
          meter.apply((EnvironmentEntity.Event) envelope.event());
          return meter;
        }), system);
  }

  /** {@code owner}'s environments collected, with what each used in {@code month}. */
  public CompletionStage<Map<String, UsageArchive.ArchivedEnvironment>> archived(String owner, YearMonth month) {
    return archives.apply(UsageArchive.entityId(owner, month))
        .<UsageArchive.Archived>ask(UsageArchive.GetArchived::new, timeout)
        .thenApply(UsageArchive.Archived::environments);
  }

  /**
   * The owners with environments collected that used something in {@code month}, from the ids the
   * journal lists (a scan of its partition keys, as the read side's full refresh makes). A journal
   * that cannot list ids (the in-memory one of tests) has none to tell.
   */
  public CompletionStage<Set<String>> ownersArchived(YearMonth month) {
    if (!(journal instanceof CurrentPersistenceIdsQuery ids)) {
      return CompletableFuture.completedFuture(Set.of());
    }
    return ids.currentPersistenceIds()
        .completionTimeout(timeout)
        .map(persistenceId -> Optional.ofNullable(UsageArchive.ownerMonth(persistenceId)))
        .filter(ownerMonth -> ownerMonth.isPresent() && ownerMonth.get().month().equals(month))
        .map(ownerMonth -> ownerMonth.get().owner())
        .runWith(Sink.seq(), system)
        .thenApply(Set::copyOf);
  }

  /**
   * Archives what a deleted environment used, each month in its owner's archive of that month,
   * before its events are erased; completes once every month is kept. One without an owner (made
   * before DCloud had users) or that never ran has nothing to keep.
   */
  public CompletionStage<Done> keep(String environmentId) {
    return meter(environmentId).thenCompose(meter -> {
      String owner = meter.state().owner();
      Map<YearMonth, Usage> months = meter.months(clock.instant());
      if (owner == null || months.isEmpty()) {
        return CompletableFuture.completedFuture(Done.getInstance());
      }
      String name = nameOf(meter);
      List<CompletableFuture<Done>> kept = new ArrayList<>();
      months.forEach((month, usage) -> kept.add(archives.apply(UsageArchive.entityId(owner, month))
          .<Done>ask(replyTo -> new UsageArchive.Archive(environmentId, name, usage, replyTo), timeout)
          .toCompletableFuture()));
      return CompletableFuture.allOf(kept.toArray(CompletableFuture[]::new)).thenApply(all -> {
        archived.increment();
        LOG.debug("Archived the usage of environment {} of {} in {} month(s)", environmentId, owner, months.size());
        return Done.getInstance();
      });
    });
  }

  Clock clock() {
    return clock;
  }

  int parallelReads() {
    return parallelReads;
  }

  ActorSystem<?> system() {
    return system;
  }

  static String nameOf(UsageMeter meter) {
    return meter.state().spec() == null ? null : meter.state().spec().name();
  }
}
