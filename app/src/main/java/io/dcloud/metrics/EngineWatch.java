package io.dcloud.metrics;

import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.deploy.ContainerRuntime.RuntimeInfo;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.Scheduler;
import org.slf4j.Logger;
import scala.concurrent.ExecutionContextExecutor;
import org.slf4j.LoggerFactory;

/**
 * Asks a worker's Docker Engine, at start and then every {@code dcloud.management.engine-check-interval},
 * whether it answers, and tells {@link Readiness}: a worker whose engine stopped answering is taken
 * out of rotation by whatever reads /ready, and put back when it answers again. The question runs on
 * the blocking pool (the engine may take its whole call timeout) and never twice at once.
 */
public final class EngineWatch {
  private static final Logger LOG = LoggerFactory.getLogger(EngineWatch.class);

  private final Supplier<String> problem;
  private final Readiness readiness;
  private final Executor blocking;
  private volatile boolean asking;
  private volatile String last = "not asked yet";

  /** {@code problem}: asks the engine once; null when it answered, else what is wrong. */
  EngineWatch(Supplier<String> problem, Readiness readiness, Executor blocking) {
    this.problem = problem;
    this.readiness = readiness;
    this.blocking = blocking;
  }

  /** Starts watching {@code runtime}; cancel the answer to stop. */
  public static Cancellable start(ContainerRuntime runtime, Readiness readiness, Scheduler scheduler,
      ExecutionContextExecutor blocking, Duration interval) {
    EngineWatch watch = new EngineWatch(() -> problemOf(runtime.info()), readiness, blocking);
    return scheduler.scheduleWithFixedDelay(Duration.ZERO, interval, watch::askOnce, blocking);
  }

  static String problemOf(RuntimeInfo info) {
    return info.available() ? null : "unavailable: " + info.error();
  }

  /** One question to the engine, unless the previous one is still waiting for its answer. */
  void askOnce() {
    if (asking) {
      return;
    }
    asking = true;
    blocking.execute(() -> {
      try {
        report(safely());
      } finally {
        asking = false;
      }
    });
  }

  private String safely() {
    try {
      return problem.get();
    } catch (RuntimeException e) {
      return String.valueOf(e.getMessage());
    }
  }

  private void report(String now) {
    String before = last;
    last = now;
    readiness.engineAnswered(now);
    if (now == null && before != null && !"not asked yet".equals(before)) {
      LOG.info("Docker Engine answers again: this worker is ready");
    } else if (now != null && before == null) {
      LOG.warn("Docker Engine stopped answering ({}): this worker reports not ready", now);
    }
  }
}
