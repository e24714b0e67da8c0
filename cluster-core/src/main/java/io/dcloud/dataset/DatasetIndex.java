package io.dcloud.dataset;

import io.dcloud.serialization.CborSerializable;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
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
 * The ids of every dataset ever uploaded to, a cluster singleton: what the read side lists before
 * it folds each dataset's own events ({@link DatasetListing}). Not every journal can list its
 * persistence ids, and Cassandra's does so by scanning; this index is one small history. An id is
 * registered before its entity's first event, so no dataset with events is ever missing from it;
 * ids are never removed (a dataset whose versions are all deleted folds to nothing and is skipped).
 */
public final class DatasetIndex
    extends EventSourcedBehaviorWithEnforcedReplies<DatasetIndex.Command, DatasetIndex.Event, DatasetIndex.State> {

  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("dcloud-dataset-index");
  private static final int SNAPSHOT_EVERY = 100;
  private static final int SNAPSHOTS_KEPT = 2;

  public sealed interface Command extends CborSerializable {}

  /** Idempotent. */
  public record Register(String id, ActorRef<Done> replyTo) implements Command {}

  public record ListIds(String prefix, ActorRef<Ids> replyTo) implements Command {}

  public record Ids(List<String> ids) implements CborSerializable {}

  public sealed interface Event extends CborSerializable {}

  public record Registered(String id) implements Event {}

  public record State(List<String> ids) implements CborSerializable {
    State with(String id) {
      SortedSet<String> more = new TreeSet<>(ids);
      more.add(id);
      return new State(List.copyOf(more));
    }
  }

  public static Behavior<Command> create(BackoffSupervisorStrategy journalBackoff) {
    return new DatasetIndex(journalBackoff);
  }

  private DatasetIndex(BackoffSupervisorStrategy journalBackoff) {
    super(PERSISTENCE_ID, journalBackoff);
  }

  @Override
  public State emptyState() {
    return new State(List.of());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, SNAPSHOTS_KEPT);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Register.class, (state, register) -> state.ids().contains(register.id())
            ? Effect().reply(register.replyTo(), Done.getInstance())
            : Effect().persist(new Registered(register.id())).thenReply(register.replyTo(), after -> Done.getInstance()))
        .onCommand(ListIds.class, (state, list) -> Effect().reply(list.replyTo(),
            new Ids(state.ids().stream().filter(id -> id.startsWith(list.prefix())).toList())))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onEvent(Registered.class, (state, e) -> state.with(e.id())).build();
  }
}
