package io.dcloud.ask;

import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * Where the answer of a Pekko ask continues.
 *
 * <p>Pekko's Java asks return Scala's {@code CompletableFuture} adapter, whose {@code thenApply},
 * {@code whenComplete} and {@code handle} run asynchronously on the JDK's default executor; with two
 * cores or fewer that executor starts a new thread per call (measured: 2,000 threads/s at 2,000 GETs/s).
 * Re-homing the answer once on an executor we choose gives a plain stage whose continuations run where
 * it completes.
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
}
