package io.dcloud.catalog;

import io.dcloud.serialization.CborSerializable;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The admin-owned library catalog, a cluster singleton on the control role. Until an admin
 * replaces it, the catalog shipped with DCloud ({@link DefaultCatalog}) is in force. Callers
 * validate a new catalog before sending it: this actor only stores and serves it.
 */
public final class CatalogRegistry
    extends EventSourcedBehaviorWithEnforcedReplies<CatalogRegistry.Command, CatalogRegistry.Event, CatalogRegistry.State> {

  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("dcloud-catalog");
  /** Every replacement is a whole catalog, so keeping one snapshot per event makes recovery one read. */
  private static final int SNAPSHOT_EVERY = 1;
  private static final int SNAPSHOTS_KEPT = 2;

  public sealed interface Command extends CborSerializable {}

  public record GetCatalog(ActorRef<Catalog> replyTo) implements Command {}

  public record ReplaceCatalog(Catalog catalog, ActorRef<Done> replyTo) implements Command {}

  public sealed interface Event extends CborSerializable {}

  public record CatalogReplaced(Catalog catalog) implements Event {}

  public record State(Catalog catalog) implements CborSerializable {}

  /** {@code journalBackoff}: how it restarts when the journal fails (see {@code JournalBackoff}). */
  public static Behavior<Command> create(BackoffSupervisorStrategy journalBackoff) {
    return new CatalogRegistry(journalBackoff);
  }

  private CatalogRegistry(BackoffSupervisorStrategy journalBackoff) {
    super(PERSISTENCE_ID, journalBackoff);
  }

  @Override
  public State emptyState() {
    return new State(DefaultCatalog.load());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, SNAPSHOTS_KEPT);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(GetCatalog.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state.catalog()))
        .onCommand(ReplaceCatalog.class, (state, cmd) -> Effect()
            .persist(new CatalogReplaced(cmd.catalog()))
            .thenReply(cmd.replyTo(), after -> Done.getInstance()))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder()
        .forAnyState()
        .onEvent(CatalogReplaced.class, (state, e) -> new State(e.catalog()))
        .build();
  }
}
