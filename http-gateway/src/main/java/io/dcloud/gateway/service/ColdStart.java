package io.dcloud.gateway.service;

import io.dcloud.service.ServiceView;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * A call to a service that autoscales down to zero replicas, when none is ready: rather than the
 * 503 of a service with no ready replica, the call waits — as Knative's activator and Ray Serve's
 * handles hold a request while the first replica starts — until a replica is ready or the call's
 * time is nearly up. The service hears of the waiting call at once ({@code wake}: this gateway's
 * load report for it), so its entity adds a replica without waiting for the next report.
 */
final class ColdStart {
  private final Function<String, CompletionStage<Optional<ServiceView>>> fresh;
  private final Consumer<String> wake;
  private final Duration pollEvery;
  private final Duration longest;
  private final LongSupplier nanoTime;

  /**
   * {@code fresh} reads a service's view now; {@code pollEvery}: how often while a call waits;
   * {@code longest}: how long a call may wait (what is left of its time goes to the call itself).
   */
  ColdStart(Function<String, CompletionStage<Optional<ServiceView>>> fresh, Consumer<String> wake, Duration pollEvery,
      Duration longest, LongSupplier nanoTime) {
    this.fresh = fresh;
    this.wake = wake;
    this.pollEvery = pollEvery;
    this.longest = longest;
    this.nanoTime = nanoTime;
  }

  /** Whether a call to {@code view} waits for a replica rather than being refused at once. */
  static boolean waitsFor(ServiceView view) {
    return view.autoscaling() != null && view.autoscaling().minReplicas() == 0 && ServiceDirectory.ready(view).isEmpty();
  }

  /** {@code view} when it has a ready replica or does not scale to zero; else the first fresh one that has (or the last, at the deadline). */
  CompletionStage<ServiceView> ready(String name, ServiceView view) {
    if (!waitsFor(view)) {
      return CompletableFuture.completedFuture(view);
    }
    wake.accept(name);
    return poll(name, view, nanoTime.getAsLong() + longest.toNanos());
  }

  private CompletionStage<ServiceView> poll(String name, ServiceView last, long deadline) {
    if (nanoTime.getAsLong() - deadline >= 0) {
      return CompletableFuture.completedFuture(last);
    }
    Executor later = CompletableFuture.delayedExecutor(pollEvery.toNanos(), TimeUnit.NANOSECONDS);
    return CompletableFuture.supplyAsync(() -> name, later)
        .thenCompose(fresh)
        .thenCompose(view -> {
          if (view.isEmpty()) {
            return CompletableFuture.completedFuture(last);
          }
          return waitsFor(view.get()) ? poll(name, view.get(), deadline) : CompletableFuture.completedFuture(view.get());
        });
  }
}
