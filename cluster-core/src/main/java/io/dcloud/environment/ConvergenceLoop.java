package io.dcloud.environment;

import io.dcloud.environment.EnvironmentEntity.Command;
import io.dcloud.environment.EnvironmentEntity.Event;
import io.dcloud.environment.EnvironmentEntity.RetryTick;
import io.dcloud.environment.EnvironmentSharding.Wiring;
import io.dcloud.journal.JournalFailure;
import io.dcloud.journal.NewEntityJournal;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.typed.JournalPersistFailed;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.RecoveryFailed;
import scala.Tuple2;
import scala.runtime.AbstractPartialFunction;
import scala.runtime.BoxedUnit;

/**
 * What one incarnation of an {@link EnvironmentBehavior} does besides handling commands: after
 * each write it publishes the events and acts on the new state (see {@link Convergence}); while the
 * state is transitional it keeps one retry tick on its way; and after every recovery, including the
 * restart that follows a journal failure, it announces what was never announced and starts over.
 * It is also the entity's signal handler, since those signals are where the loop starts over: one
 * small object an entity, where the behavior would otherwise keep a handler of its own.
 */
final class ConvergenceLoop extends AbstractPartialFunction<Tuple2<EnvironmentState, Signal>, BoxedUnit> {

  /** Its id, context and wiring are the behavior's, not copied: this object lives as long as every live entity. */
  private final EnvironmentBehavior behavior;
  /** Tells this incarnation's retry ticks from those an earlier one (before passivation) scheduled. */
  private final long incarnation = ThreadLocalRandom.current().nextLong();
  /** When the retry tick this incarnation scheduled is due (System.nanoTime); 0 when none is. */
  private long retryDueAt;
  /**
   * The sequence number of the last event this object published. A write that fails may have
   * reached the journal all the same (a timeout is not a refusal): the recovery that follows then
   * finds more events than were published, and no one was told of the status they recorded.
   */
  private long announcedUpTo;
  /** A write or recovery failed: the restart that follows ends with a {@link EnvironmentEntity.ResumeAfterRestart}. */
  private boolean restarting;

  ConvergenceLoop(EnvironmentBehavior behavior) {
    this.behavior = behavior;
  }

  @Override
  public boolean isDefinedAt(Tuple2<EnvironmentState, Signal> stateAndSignal) {
    Signal signal = stateAndSignal._2();
    return signal instanceof RecoveryCompleted || signal instanceof RecoveryFailed || signal instanceof JournalPersistFailed;
  }

  @Override
  public BoxedUnit apply(Tuple2<EnvironmentState, Signal> stateAndSignal) {
    Signal signal = stateAndSignal._2();
    if (signal instanceof RecoveryCompleted) {
      converge(stateAndSignal._1());
      if (restarting) {
        restarting = false;
        behavior.context().getSelf().tell(new EnvironmentEntity.ResumeAfterRestart());
      }
    } else if (signal instanceof RecoveryFailed failed) {
      journalFailed(failed.getFailure());
    } else if (signal instanceof JournalPersistFailed failed) {
      journalFailed(failed.getFailure());
    }
    return BoxedUnit.UNIT;
  }

  /** Counted with every other entity's in one line (see OverloadReport); the restart follows. */
  private void journalFailed(Throwable failure) {
    restarting = true;
    ActorContext<Command> context = behavior.context();
    if (behavior.newId()) {
      // The failed write may have reached the journal: the restart must read what is there.
      NewEntityJournal.of(Adapter.toClassic(context.getSystem()))
          .tell(new NewEntityJournal.RecoverFromJournal(behavior.persistenceId().id()), Adapter.toClassic(context.getSelf()));
    }
    Throwable cause = failure;
    while (cause.getCause() != null) {
      cause = cause.getCause();
    }
    context.getSystem().eventStream().tell(new EventStream.Publish<>(
        new JournalFailure(EnvironmentEntity.TYPE_KEY.name() + " entities", String.valueOf(cause.getMessage()))));
  }

  /** Publishes what was persisted (for read sides and live streams), then does what the new state needs. */
  void afterPersist(EnvironmentState state, List<Event> persisted) {
    announce(state, persisted);
    act(state, false);
    if (persisted.get(persisted.size() - 1) instanceof EnvironmentEntity.RestartScheduled) {
      remindOfRestart(state);
    }
  }

  /**
   * The restart is kept in the journal, the reminder only in memory: each recovery schedules it
   * again (see {@link #converge}), and a reminder of a restart that is no longer due is ignored.
   */
  private void remindOfRestart(EnvironmentState state) {
    Wiring wiring = behavior.wiring();
    String environmentId = behavior.environmentId();
    long dueAt = state.restart().dueAtMilli();
    Duration wait = Duration.ofMillis(Math.max(0, dueAt - wiring.clock().millis()));
    EnvironmentEntity.RestartDue due = new EnvironmentEntity.RestartDue(dueAt);
    behavior.context().getSystem().scheduler().scheduleOnce(
        wait, () -> wiring.retryVia().accept(environmentId, due), behavior.context().getExecutionContext());
  }

  void announce(EnvironmentState state, List<Event> persisted) {
    ActorContext<Command> context = behavior.context();
    announcedUpTo = behavior.lastSequenceNumber(context);
    Convergence.announce(behavior.wiring(), behavior.environmentId(), state, persisted, announcedUpTo - persisted.size() + 1,
        context.getLog());
  }

  /** Acts again on a transitional state when the tick is this incarnation's own. */
  void retry(EnvironmentState state, RetryTick tick) {
    if (tick.incarnation() != incarnation) {
      // Scheduled before a passivation: delivering it has woken this incarnation, which converged.
      return;
    }
    retryDueAt = 0;
    if (state.transitional()) {
      act(state, true);
    }
  }

  /**
   * After every recovery, including the one that follows a journal failure (this object outlives
   * it): the retries start anew, since a tick scheduled before may have been dropped while the
   * entity could not take it, and nothing else would wake an environment that waits.
   */
  private void converge(EnvironmentState state) {
    retryDueAt = 0;
    ActorContext<Command> context = behavior.context();
    long recoveredUpTo = behavior.lastSequenceNumber(context);
    if (state.exists() && announcedUpTo > 0 && recoveredUpTo > announcedUpTo) {
      Convergence.announceCurrent(behavior.wiring(), behavior.environmentId(), state, context.getLog());
    }
    announcedUpTo = recoveredUpTo;
    if (state.exists()) {
      act(state, true);
    }
    if (state.exists() && state.restartPending()) {
      remindOfRestart(state);
    }
    if (state.exists() && state.resizeAsked() != null) {
      // Asked for before this incarnation: the scheduler may hold it already, and only this entity records it.
      ResizeWeighing.ask(behavior, state.resizeAsked());
    }
  }

  private void act(EnvironmentState state, boolean retrying) {
    Wiring wiring = behavior.wiring();
    String environmentId = behavior.environmentId();
    Convergence.act(wiring, environmentId, state, retrying);
    long now = System.nanoTime();
    long interval = wiring.settings().retryInterval().toNanos();
    // A tick overdue by a whole interval was lost (an overfull stash drops what it cannot hold).
    boolean tickOnItsWay = retryDueAt != 0 && now - retryDueAt < interval;
    if (state.transitional() && !tickOnItsWay) {
      retryDueAt = now + interval;
      RetryTick tick = new RetryTick(incarnation);
      behavior.context().getSystem().scheduler().scheduleOnce(
          wiring.settings().retryInterval(), () -> wiring.retryVia().accept(environmentId, tick),
          behavior.context().getExecutionContext());
    }
  }
}
