package io.dcloud.job;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Jobs as meters, on the node whose entities run them: {@code dcloud.jobs.running} (a gauge; summed
 * over the nodes it counts each running job once), {@code dcloud.jobs.finished} by {@code outcome}
 * (succeeded, failed, cancelled), {@code dcloud.jobs.tasks.retried} and {@code dcloud.jobs.tasks.resent}.
 */
final class JobMetrics {
  private static final AtomicInteger RUNNING = new AtomicInteger();

  static {
    Gauge.builder("dcloud.jobs.running", RUNNING, AtomicInteger::get)
        .description("Inference jobs whose entity runs on this node and dispatches tasks")
        .register(Metrics.globalRegistry);
  }

  private JobMetrics() {}

  static void started() {
    RUNNING.incrementAndGet();
  }

  /** The entity stopped dispatching: it finished, or stopped (its node leaves, it moves). */
  static void stopped() {
    RUNNING.decrementAndGet();
  }

  static void finished(JobStatus outcome) {
    Counter.builder("dcloud.jobs.finished").tag("outcome", outcome.name().toLowerCase(java.util.Locale.ROOT))
        .description("Inference jobs that ended, by how").register(Metrics.globalRegistry).increment();
  }

  static void retried() {
    Counter.builder("dcloud.jobs.tasks.retried").description("Job tasks sent again after a replica failed them")
        .register(Metrics.globalRegistry).increment();
  }

  static void resent(int tasks) {
    Counter.builder("dcloud.jobs.tasks.resent")
        .description("Job tasks sent again because a member left the cluster while they were in flight")
        .register(Metrics.globalRegistry).increment(tasks);
  }

  static void collected() {
    Counter.builder("dcloud.jobs.collected").description("Finished jobs whose events were erased once their retention had passed")
        .register(Metrics.globalRegistry).increment();
  }
}
