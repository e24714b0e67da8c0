package io.dcloud.usage;

import io.dcloud.serialization.CborSerializable;
import java.time.Instant;
import java.time.YearMonth;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * What one owner's collected environments used in one month, kept after their own events are
 * erased (see {@link UsageArchiving}): a sharded, event-sourced entity per owner and month, so
 * each stays small however long the cluster lives, and a month's report is one entity's state.
 * Archiving the same environment twice (a collection round that archived it and then failed to
 * erase it tries again) keeps the first.
 */
public final class UsageArchive
    extends EventSourcedBehaviorWithEnforcedReplies<UsageArchive.Command, UsageArchive.Event, UsageArchive.State> {

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "UsageArchive");
  /** Between owner and month in an entity id: user names never hold it (persistence ids' own '|' is reserved). */
  private static final char SEPARATOR = '@';
  /** A month's state is one map: a snapshot now and then keeps its recovery one read and a few events. */
  private static final int SNAPSHOT_EVERY = 100;
  private static final int SNAPSHOTS_KEPT = 2;

  public sealed interface Command extends CborSerializable {}

  /** Keep {@code usage}, what the environment used in this entity's month (answered once kept). */
  public record Archive(String environmentId, String name, Usage usage, ActorRef<Done> replyTo) implements Command {}

  public record GetArchived(ActorRef<Archived> replyTo) implements Command {}

  /** The month's collected environments by id. */
  public record Archived(Map<String, ArchivedEnvironment> environments) implements CborSerializable {}

  public record ArchivedEnvironment(String name, Usage usage) implements CborSerializable {}

  public sealed interface Event extends CborSerializable {}

  public record EnvironmentArchived(String environmentId, String name, Usage usage, Instant at) implements Event {}

  public record State(Map<String, ArchivedEnvironment> environments) implements CborSerializable {
    State with(EnvironmentArchived archived) {
      Map<String, ArchivedEnvironment> more = new HashMap<>(environments);
      more.put(archived.environmentId(), new ArchivedEnvironment(archived.name(), archived.usage()));
      return new State(more);
    }
  }

  /** The id of {@code owner}'s entity for {@code month}. */
  public static String entityId(String owner, YearMonth month) {
    return owner + SEPARATOR + month;
  }

  /** The owner and month of an entity's persistence id; null for another kind of entity's id. */
  public static OwnerMonth ownerMonth(String persistenceId) {
    String prefix = TYPE_KEY.name() + PersistenceId.DefaultSeparator();
    int separator = persistenceId.lastIndexOf(SEPARATOR);
    if (!persistenceId.startsWith(prefix) || separator < prefix.length()) {
      return null;
    }
    return new OwnerMonth(persistenceId.substring(prefix.length(), separator),
        YearMonth.parse(persistenceId.substring(separator + 1)));
  }

  public record OwnerMonth(String owner, YearMonth month) {}

  public static Behavior<Command> create(String entityId, BackoffSupervisorStrategy journalBackoff) {
    return new UsageArchive(entityId, journalBackoff);
  }

  private UsageArchive(String entityId, BackoffSupervisorStrategy journalBackoff) {
    super(PersistenceId.of(TYPE_KEY.name(), entityId), journalBackoff);
  }

  @Override
  public State emptyState() {
    return new State(Map.of());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, SNAPSHOTS_KEPT);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Archive.class, (state, archive) -> state.environments().containsKey(archive.environmentId())
            ? Effect().reply(archive.replyTo(), Done.getInstance())
            : Effect()
                .persist(new EnvironmentArchived(archive.environmentId(), archive.name(), archive.usage(), Instant.now()))
                .thenReply(archive.replyTo(), after -> Done.getInstance()))
        .onCommand(GetArchived.class, (state, get) -> Effect().reply(get.replyTo(), new Archived(state.environments())))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(EnvironmentArchived.class, State::with)
        .build();
  }
}
