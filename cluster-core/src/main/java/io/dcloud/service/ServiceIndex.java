package io.dcloud.service;

import com.typesafe.config.Config;
import io.dcloud.node.AfterRemoval;
import io.dcloud.node.NodeWatch;
import io.dcloud.serialization.CborSerializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
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

  /**
   * Idempotent, unanswered: the service says so at every look. {@code owner}: null from an earlier
   * version (its service says it again at its next look).
   */
  public record Register(String name, String owner) implements Command {}

  public record Unregister(String name) implements Command {}

  /**
   * Wakes every service: sent by the index to itself after a member's removal (a service whose
   * entity lived there takes up its replicas again elsewhere, replacing those lost with it, before
   * anyone calls it).
   */
  public record WakeAll() implements Command {}

  /**
   * The names of {@code owner}'s services, and of those whose owner the index does not know yet
   * (registered by an earlier version, until their next look); null: every service's.
   */
  public record ListNames(String owner, ActorRef<Names> replyTo) implements Command {
    /** Every service's (as an earlier version asked). */
    public ListNames(ActorRef<Names> replyTo) {
      this(null, replyTo);
    }
  }

  /** In name order. */
  public record Names(List<String> names) implements CborSerializable {}

  public sealed interface Event extends CborSerializable {}

  /** {@code owner}: null in the events of an earlier version, which knew only names. */
  public record Registered(String name, String owner) implements Event {
    public Registered(String name) {
      this(name, null);
    }
  }

  public record Unregistered(String name) implements Event {}

  /**
   * The names in order, and the owner of each the index knows it of: a listing asks only the
   * caller's own services' entities, not every service's in the cluster.
   */
  public record State(List<String> names, Map<String, String> owners) implements CborSerializable {
    public State {
      owners = owners == null ? Map.of() : owners;
    }

    /** As an earlier version's snapshot holds it: names alone. */
    public State(List<String> names) {
      this(names, Map.of());
    }

    State with(String name, String owner) {
      SortedSet<String> more = new TreeSet<>(names);
      more.add(name);
      Map<String, String> moreOwners = new HashMap<>(owners);
      if (owner != null) {
        moreOwners.put(name, owner);
      }
      return new State(List.copyOf(more), Map.copyOf(moreOwners));
    }

    State without(String name) {
      Map<String, String> fewer = new HashMap<>(owners);
      fewer.remove(name);
      return new State(names.stream().filter(n -> !n.equals(name)).toList(), Map.copyOf(fewer));
    }

    boolean knows(Register register) {
      return names.contains(register.name())
          && (register.owner() == null || register.owner().equals(owners.get(register.name())));
    }

    List<String> namesOf(String owner) {
      return owner == null ? names : names.stream()
          .filter(name -> !owners.containsKey(name) || owners.get(name).equals(owner))
          .toList();
    }
  }

  /**
   * When every service is woken besides the index's start: {@code afterRemoval} after {@code nodes}
   * tell of a member's removal, and again at 2, 4 and 8 times that (see {@link AfterRemoval}).
   */
  public record Waking(Duration afterRemoval, NodeWatch nodes) {
    /** {@code root} is the whole configuration. */
    public static Waking fromConfig(Config root, NodeWatch nodes) {
      return new Waking(root.getDuration("dcloud.services.wake-after-removal"), nodes);
    }
  }

  private final Consumer<String> wake;
  private final Runnable stopHearing;

  /** {@code wake}: starts a service's entity by name (see {@link ServiceEntity#wake}). */
  public static Behavior<Command> create(BackoffSupervisorStrategy journalBackoff, Consumer<String> wake, Waking waking) {
    return Behaviors.setup(context -> {
      ActorRef<Command> self = context.getSelf();
      Runnable stopHearing = waking.nodes().whenMembersRemoved(AfterRemoval.repeated(context.getSystem().scheduler(),
          context.getSystem().executionContext(), waking.afterRemoval(), address -> self.tell(new WakeAll())));
      return new ServiceIndex(journalBackoff, wake, stopHearing);
    });
  }

  private ServiceIndex(BackoffSupervisorStrategy journalBackoff, Consumer<String> wake, Runnable stopHearing) {
    super(PERSISTENCE_ID, journalBackoff);
    this.wake = wake;
    this.stopHearing = stopHearing;
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
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> state.names().forEach(wake))
        // Not on a restart after a journal failure: this object, and so its subscription, lives on.
        .onSignal(PostStop.instance(), state -> stopHearing.run())
        // A restart by its supervisor (after an unexpected failure) sets up a new subscription.
        .onSignal(PreRestart.instance(), state -> stopHearing.run())
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Register.class, (state, register) -> state.knows(register)
            ? Effect().noReply()
            : Effect().persist(new Registered(register.name(), register.owner())).thenNoReply())
        .onCommand(Unregister.class, (state, unregister) -> state.names().contains(unregister.name())
            ? Effect().persist(new Unregistered(unregister.name())).thenNoReply()
            : Effect().noReply())
        .onCommand(WakeAll.class, (state, all) -> {
          state.names().forEach(wake);
          return Effect().noReply();
        })
        .onCommand(ListNames.class, (state, list) -> Effect().reply(list.replyTo(), new Names(state.namesOf(list.owner()))))
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Registered.class, (state, e) -> state.with(e.name(), e.owner()))
        .onEvent(Unregistered.class, (state, e) -> state.without(e.name()))
        .build();
  }
}
