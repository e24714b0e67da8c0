package io.dcloud.job;

import io.dcloud.serialization.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The jobs that exist, with their owners (what listing asks first), a cluster singleton. It wakes
 * every unfinished job at its start and every {@code wake-interval}: a job's entity runs only while
 * it gets messages, and its own ticks die with its node, so this is what moves a job to another node
 * after its node is lost (and starts them all after a restart of the cluster).
 */
public final class JobIndex
    extends EventSourcedBehaviorWithEnforcedReplies<JobIndex.Command, JobIndex.Event, JobIndex.State> {

  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("dcloud-job-index");
  private static final int SNAPSHOT_EVERY = 100;
  private static final int SNAPSHOTS_KEPT = 2;

  public sealed interface Command extends CborSerializable {}

  /** Idempotent, unanswered: an unfinished job says so at each of its looks. */
  public record Register(String id, String owner, String service) implements Command {}

  public record Finished(String id) implements Command {}

  /** {@code owner} null: every job. */
  public record ListJobs(String owner, ActorRef<Jobs> replyTo) implements Command {}

  /** The timer's: wake the unfinished ones. */
  public record WakeUnfinished() implements Command {}

  public record Jobs(List<Entry> jobs) implements CborSerializable {}

  public record Entry(String id, String owner, String service, boolean finished) implements CborSerializable {}

  public sealed interface Event extends CborSerializable {}

  public record Registered(String id, String owner, String service) implements Event {}

  public record MarkedFinished(String id) implements Event {}

  public record State(List<Entry> jobs) implements CborSerializable {
    Entry entry(String id) {
      return jobs.stream().filter(e -> e.id().equals(id)).findFirst().orElse(null);
    }

    State with(Entry entry) {
      List<Entry> more = new ArrayList<>(jobs.stream().filter(e -> !e.id().equals(entry.id())).toList());
      more.add(entry);
      return new State(List.copyOf(more));
    }
  }

  private final Consumer<String> wake;

  /** {@code wake}: starts a job's entity by id (see {@link JobEntity#wake}). */
  public static Behavior<Command> create(BackoffSupervisorStrategy journalBackoff, Duration wakeInterval,
      Consumer<String> wake) {
    return Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(new WakeUnfinished(), wakeInterval);
      return new JobIndex(journalBackoff, wake);
    });
  }

  private JobIndex(BackoffSupervisorStrategy journalBackoff, Consumer<String> wake) {
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

  @Override
  public SignalHandler<State> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), this::wakeUnfinished).build();
  }

  private void wakeUnfinished(State state) {
    state.jobs().stream().filter(e -> !e.finished()).forEach(e -> wake.accept(e.id()));
  }

  @Override
  public CommandHandlerWithReply<Command, Event, State> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Register.class, (state, register) -> state.entry(register.id()) != null
            ? Effect().noReply()
            : Effect().persist(new Registered(register.id(), register.owner(), register.service())).thenNoReply())
        .onCommand(Finished.class, (state, finished) -> {
          Entry entry = state.entry(finished.id());
          return entry == null || entry.finished()
              ? Effect().noReply()
              : Effect().persist(new MarkedFinished(finished.id())).thenNoReply();
        })
        .onCommand(ListJobs.class, (state, list) -> Effect().reply(list.replyTo(), new Jobs(state.jobs().stream()
            .filter(e -> list.owner() == null || list.owner().equals(e.owner())).toList())))
        .onCommand(WakeUnfinished.class, (state, tick) -> {
          wakeUnfinished(state);
          return Effect().noReply();
        })
        .build();
  }

  @Override
  public EventHandler<State, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState()
        .onEvent(Registered.class, (state, e) -> state.with(new Entry(e.id(), e.owner(), e.service(), false)))
        .onEvent(MarkedFinished.class, (state, e) -> {
          Entry entry = state.entry(e.id());
          return state.with(new Entry(entry.id(), entry.owner(), entry.service(), true));
        })
        .build();
  }
}
