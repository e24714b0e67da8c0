package io.dcloud.scheduler;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** The scheduler's decisions by outcome (placed, refused), on the node the singleton runs on. */
final class PlacementCounts {
  /** Registered once per outcome: a registry lookup per placement cost more than the count. */
  private static final Map<String, Counter> BY_OUTCOME = new ConcurrentHashMap<>();

  private PlacementCounts() {}

  static void count(String outcome) {
    BY_OUTCOME.computeIfAbsent(outcome, PlacementCounts::counter).increment();
  }

  private static Counter counter(String outcome) {
    return Counter.builder("dcloud.scheduler.placements").description("Placement decisions by outcome")
        .tag("outcome", outcome).register(Metrics.globalRegistry);
  }
}
