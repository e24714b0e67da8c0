package io.dcloud.ask;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Where the answer of a Pekko ask continues.
 *
 * <p>Pekko's Java asks return Scala's {@code CompletableFuture} adapter, whose {@code thenApply},
 * {@code whenComplete} and {@code handle} run asynchronously on the JDK's default executor; with two
 * cores or fewer that executor starts a new thread per call (measured: 2,000 threads/s at 2,000 GETs/s).
 * Re-homing the answer once on an executor we choose gives a plain stage whose continuations run where
 * it completes. The same adapter stands behind {@code ActorContext.ask}, {@code pipeToSelf} of a
 * stream's or Pekko HTTP's stage, and every other Java stage Pekko makes from a Scala future: actors
 * use {@link #ask(ActorContext, RecipientRef, Duration, Function, BiFunction)} and
 * {@link #pipeToSelf(ActorContext, CompletionStage, BiFunction)} instead.
 */
public final class Asks {
  private Asks() {}

  /** The same answer, completed by {@code executor}: a dispatcher, or a parasitic executor for a tell. */
  public static <T> CompletionStage<T> completedOn(CompletionStage<T> answer, Executor executor) {
    return answer.thenApplyAsync(Function.identity(), executor);
  }

  /** The same answer, completed on the thread that answers: for continuations that only tell an actor. */
  public static <T> CompletionStage<T> completedInline(CompletionStage<T> answer) {
    return completedOn(answer, Runnable::run);
  }

  /**
   * {@code ActorContext.ask}: the answer (or the failure, a timeout included) comes back to the
   * actor as the message {@code toMessage} makes, handed over by the thread that answered.
   */
  public static <Req, Res, T> void ask(ActorContext<T> context, RecipientRef<Req> target, Duration timeout,
      Function<ActorRef<Res>, Req> request, BiFunction<Res, Throwable, T> toMessage) {
    pipeToSelf(context, AskPattern.ask(target, request::apply, timeout, context.getSystem().scheduler()), toMessage);
  }

  /** {@code ActorContext.pipeToSelf} of a stage Pekko made (an ask, a stream's end, an HTTP call). */
  public static <V, T> void pipeToSelf(
      ActorContext<T> context, CompletionStage<V> stage, BiFunction<V, Throwable, T> toMessage) {
    context.pipeToSelf(completedInline(stage), toMessage::apply);
  }
}
