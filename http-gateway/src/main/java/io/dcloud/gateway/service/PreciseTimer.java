package io.dcloud.gateway.service;

import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Waits of a few milliseconds, kept to the millisecond, for the predict batcher. Pekko's scheduler
 * runs what is due once per tick ({@code pekko.scheduler.tick-duration}, 10 ms), so a batch told to
 * wait 5 ms waited 10 to 20 and batched calls were slower than unbatched ones (BENCHMARKS §10). One
 * daemon thread only waits; the task runs on {@code executor} (the actor system's dispatcher).
 */
final class PreciseTimer implements PredictBatcher.Timer, AutoCloseable {
  private final ScheduledThreadPoolExecutor waits;
  private final Executor executor;

  PreciseTimer(String name, Executor executor) {
    this.executor = executor;
    this.waits = new ScheduledThreadPoolExecutor(1, runnable -> {
      Thread thread = new Thread(runnable, name);
      thread.setDaemon(true);
      return thread;
    });
  }

  @Override
  public void after(Duration delay, Runnable task) {
    waits.schedule(() -> executor.execute(task), delay.toNanos(), TimeUnit.NANOSECONDS);
  }

  /** Waits not yet over are dropped: their batches' callers are answered by the system's shutdown. */
  @Override
  public void close() {
    waits.shutdownNow();
  }
}
