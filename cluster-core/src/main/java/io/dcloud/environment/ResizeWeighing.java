package io.dcloud.environment;

import io.dcloud.ask.Asks;
import io.dcloud.environment.EnvironmentEntity.Conflict;
import io.dcloud.environment.EnvironmentEntity.Event;
import io.dcloud.environment.EnvironmentEntity.Ok;
import io.dcloud.environment.EnvironmentEntity.Reply;
import io.dcloud.environment.EnvironmentEntity.Resize;
import io.dcloud.environment.EnvironmentEntity.ResizeAsked;
import io.dcloud.environment.EnvironmentEntity.ResizeDeclined;
import io.dcloud.environment.EnvironmentEntity.ResizeWeighed;
import io.dcloud.environment.EnvironmentEntity.TooLate;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.Scheduler;
import java.util.List;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/**
 * A user's resize ({@link Resize}). A running environment's new size is weighed by the scheduler on
 * its node before anything changes, as Kubernetes' kubelet admits an in-place resize: the entity
 * writes what it was asked ({@link ResizeAsked}), asks ({@code Scheduler.ResizeReservation}), and
 * writes the answer: {@link EnvironmentEntity.Resized} (its limits change as it runs, or it restarts
 * for other GPUs), or {@link ResizeDeclined} and it keeps running as it is.
 *
 * <p>Why the entity asks, and writes first: the scheduler holds a size that fits as it answers, so
 * whoever hears the answer must be the one that records it. An entity that stops before the answer
 * asks again when it recovers (the scheduler answers alike: its room counts what it holds for the
 * environment), and a scheduler that does not answer in time is asked for the spec's size again, after
 * the first and so decided after it. The scheduler never keeps a size the environment did not take.
 * A stopped one takes its new size at its next start, weighed then. Static: the asker waiting for the
 * answer is all an entity keeps, in its behavior.
 */
final class ResizeWeighing {
  /** Who waits for the outcome of {@code asked}: kept by the entity's behavior, in memory only. */
  record Asker(ResizeAsked asked, ActorRef<Reply> replyTo) {}

  private ResizeWeighing() {}

  static ReplyEffect<Event, EnvironmentState> resize(EnvironmentBehavior entity, EnvironmentState state, Resize cmd) {
    String id = entity.environmentId();
    if (state.spec().service() != null) {
      // Its service keeps its replicas alike: one resized alone would differ from its definition.
      return entity.conflict(cmd.replyTo(), "environment " + id + " is a replica of service " + state.spec().service().name()
          + ": change the resources in the service's definition, which rolls its replicas");
    }
    if (state.resizeAsked() != null) {
      return entity.conflict(cmd.replyTo(), "environment " + id + " is being resized: the scheduler is weighing "
          + state.resizeAsked().resources().describeRunning() + " on its node; try again once it has answered");
    }
    if (state.status() != EnvironmentStatus.RUNNING || state.deleting() || cmd.resources().equals(state.spec().resources())) {
      return take(entity, state, cmd.resources(), false, cmd.actor(), cmd.address(), cmd.replyTo());
    }
    ResizeAsked asked = new ResizeAsked(cmd.resources(), entity.now(), cmd.actor(), cmd.address());
    entity.resizeAsker(new Asker(asked, cmd.replyTo()));
    return write(entity, List.of(asked)).thenRun(next -> ask(entity, asked)).thenNoReply();
  }

  /** Asks the scheduler to weigh {@code asked}: after it is written, and again after each recovery while it waits. */
  static void ask(EnvironmentBehavior entity, ResizeAsked asked) {
    Asks.ask(entity.context(), entity.wiring().scheduler(), entity.wiring().settings().resizeTimeout(),
        (ActorRef<Scheduler.ResizeAnswer> replyTo) -> new Scheduler.ResizeReservation(entity.environmentId(), asked.resources(), replyTo),
        (answer, failure) -> new ResizeWeighed(asked, answer));
  }

  static ReplyEffect<Event, EnvironmentState> weighed(EnvironmentBehavior entity, EnvironmentState state, ResizeWeighed weighed) {
    ResizeAsked asked = weighed.asked();
    ActorRef<Reply> asker = entity.takeResizeAsker(asked);
    String id = entity.environmentId();
    if (!asked.equals(state.resizeAsked())) {
      // Decided already (a recovery asked again, and this is the second answer), or it stopped
      // meanwhile: its place is given back at the stop, or placed anew at its restart.
      return asker == null ? entity.effects().noReply() : entity.conflict(asker, notNow(entity, state));
    }
    Scheduler.ResizeAnswer answer = weighed.answer();
    if (answer == null) {
      long millis = entity.wiring().settings().resizeTimeout().toMillis();
      ResizeDeclined declined = new ResizeDeclined(asked.resources(), "the scheduler did not weigh it within " + millis + " ms", entity.now());
      Resources held = state.spec().resources();
      // No answer is not no decision: the scheduler may have held the new size and its word been lost.
      EffectBuilder<Event, EnvironmentState> written = write(entity, List.of(declined)).thenRun(next ->
          entity.wiring().scheduler().tell(new Scheduler.ResizeReservation(id, held, entity.context().getSystem().ignoreRef())));
      return answered(written, asker, next -> new TooLate("the scheduler did not weigh the resize of environment " + id
          + " within " + millis + " ms; it keeps running as it is"));
    } else if (answer.outcome() == Scheduler.ResizeOutcome.REFUSED) {
      return answered(write(entity, List.of(new ResizeDeclined(asked.resources(), answer.reason(), entity.now()))), asker,
          next -> new Conflict("environment " + id + " cannot be resized now: " + answer.reason() + "; it keeps running as it is"));
    }
    return take(entity, state, asked.resources(), answer.outcome() == Scheduler.ResizeOutcome.IN_PLACE, asked.actor(),
        asked.address(), asker);
  }

  /** The new size written (see {@link Transitions#resize}), and its asker, if one waits, answered. */
  private static ReplyEffect<Event, EnvironmentState> take(EnvironmentBehavior entity, EnvironmentState state,
      Resources resources, boolean inPlace, String actor, String address, ActorRef<Reply> asker) {
    List<Event> events = state.deleting() ? null : Transitions.resize(state, resources, inPlace, entity.now(), actor, address);
    if (events == null) {
      return asker == null ? entity.effects().noReply() : entity.conflict(asker, notNow(entity, state));
    }
    if (events.isEmpty()) {
      return asker == null ? entity.effects().noReply() : entity.ok(asker, state);
    }
    return answered(write(entity, events), asker, next -> new Ok(next.view()));
  }

  private static String notNow(EnvironmentBehavior entity, EnvironmentState state) {
    return "environment " + entity.environmentId() + " is " + (state.deleting() ? "being deleted" : state.status())
        + ": resize it once it runs or has stopped";
  }

  /** {@code events} in one write, announced and converged on as every write of the entity is. */
  private static EffectBuilder<Event, EnvironmentState> write(EnvironmentBehavior entity, List<Event> events) {
    return entity.effects().persist(events).thenRun(next -> entity.loop().afterPersist(next, events));
  }

  private static ReplyEffect<Event, EnvironmentState> answered(
      EffectBuilder<Event, EnvironmentState> written, ActorRef<Reply> asker, Function<EnvironmentState, Reply> reply) {
    return asker == null ? written.thenNoReply() : written.thenReply(asker, reply::apply);
  }
}
