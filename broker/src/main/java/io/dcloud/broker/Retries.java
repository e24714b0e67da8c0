package io.dcloud.broker;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Runs an asynchronous step again after a failure, up to {@code attempts} times in all, pausing
 * {@code backoff} before the second attempt and twice as long before each next one. The ingest
 * acknowledges a message to the broker only once its step succeeded or was given up: a short
 * Cassandra hiccup then costs a pause, not a reading, while a long outage never holds the session.
 */
final class Retries {
  /**
   * One daemon thread schedules every pause: CompletableFuture's default executor starts a thread
   * per task on a machine of 2 cores (its common pool has a parallelism of 1).
   */
  private static final ScheduledExecutorService PAUSES = Executors.newSingleThreadScheduledExecutor(runnable -> {
    Thread thread = new Thread(runnable, "dcloud-ingest-retries");
    thread.setDaemon(true);
    return thread;
  });

  private Retries() {}

  /** The first success, or the last failure once {@code attempts} were made (a step that throws fails). */
  static <T> CompletionStage<T> retry(Supplier<? extends CompletionStage<T>> step, int attempts, Duration backoff) {
    CompletableFuture<T> result = new CompletableFuture<>();
    attempt(step, Math.max(1, attempts), backoff, result);
    return result;
  }

  private static <T> void attempt(Supplier<? extends CompletionStage<T>> step, int attemptsLeft, Duration backoff,
      CompletableFuture<T> result) {
    CompletionStage<T> stage;
    try {
      stage = step.get();
    } catch (RuntimeException e) {
      stage = CompletableFuture.failedFuture(e);
    }
    stage.whenComplete((value, failure) -> {
      if (failure == null) {
        result.complete(value);
      } else if (attemptsLeft <= 1) {
        result.completeExceptionally(failure);
      } else {
        PAUSES.schedule(() -> attempt(step, attemptsLeft - 1, backoff.multipliedBy(2), result),
            backoff.toMillis(), TimeUnit.MILLISECONDS);
      }
    });
  }
}
