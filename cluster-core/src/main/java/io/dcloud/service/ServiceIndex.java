package io.dcloud.service;

import io.dcloud.serialization.CborSerializable;
import java.util.List;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The names of the services that exist, a cluster singleton: what listing asks before it asks each
 * service, and whom to wake after a restart (a service's entity keeps its replicas only while it
 * runs). Each service registers itself at every look and unregisters once deleted, so an index that
 * missed a message catches up within one reconcile interval.
 */
public final class ServiceIndex
    extends EventSourcedBehaviorWithEnforcedReplies<ServiceIndex.Command, ServiceIndex.Event, ServiceIndex.State> {

  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("dcloud-service-index");
  private static final int SNAPSHOT_EVERY = 100;
  private static final int SNAPSHOTS_KEPT = 2;

  public sealed interface Command extends CborSerializable {}

  /** Idempotent, unanswered: the service says so at every look. */
  public record Register(String name) implements Command {}

  public record Unregister(String name) implements Command {}

  public record ListNames(ActorRef<Names> replyTo) implements Command {}

  public record Names(List<String> names) implements CborSerializable {}

  public sealed interface Event extends CborSerializable {}

  public record Registered(String name) implements Event {}

  public record Unregistered(String name) implements Event {}

  public record State(List<String> names) implements CborSerializable {
    State with(String name) {
      SortedSet<String> more = new TreeSet<>(names);
      more.add(name);
      return new State(List.copyOf(more));
    }

    State without(String name) {
      return new State(names.stream().filter(n -> !n.equals(name)).toList());
    }
  }

  private final Consumer<String> wake;

  /** {@code wake}: starts a service's entity by name (see {@link ServiceEntity#wake}). */
  public static Behavior<Command> create(BackoffSupervisorStrategy journalBackoff, Consumer<String> wake) {
    return new ServiceIndex(journalBackoff, wake);
  }

  private ServiceIndex(BackoffSupervisorStrategy journalBackoff, Consumer<String> wake) {
    super(PERSISTENCE_ID, journalBackoff);
    this.wake = wake;
  }

  @Override
  public State emptyState() {
    return new State(List.of());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, SNAPSHOTS_KEPT);
  }

  /** After a restart of the cluster (or of this singleton), every service takes up its replicas again. */
  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), state -> state.names().forEach(wake)).build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Register.class, (state, register) -> state.names().contains(register.name())
            ? Effect().noReply()
            : Effect().persist(new Registered(register.name())).thenNoReply())
        .onCommand(Unregister.class, (state, unregister) -> state.names().contains(unregister.name())
            ? Effect().persist(new Unregistered(unregister.name())).thenNoReply()
            : Effect().noReply())
        .onCommand(ListNames.class, (state, list) -> Effect().reply(list.replyTo(), new Names(state.names())))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Registered.class, (state, e) -> state.with(e.name()))
        .onEvent(Unregistered.class, (state, e) -> state.without(e.name()))
        .build();
  }
}
