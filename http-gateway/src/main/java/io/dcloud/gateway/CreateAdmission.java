package io.dcloud.gateway;

import java.time.Duration;

/**
 * How many creates a gateway works on at once: a limit that follows how fast they are answered,
 * like TCP Vegas' window or Netflix's concurrency-limits, between {@code min} and {@code max}. A
 * create answered slower than {@code target} (its wait is queueing, not work) takes a tenth off
 * the limit; one answered in time while at least half the limit was in use adds {@code 2/limit}
 * (about one for each round of answers that used the limit). A fixed limit sized for a fast cluster let a slow one admit creates that
 * then timed out after seconds of work (BENCHMARKS §10); this one refuses them at once instead.
 */
final class CreateAdmission {
  private static final double DECREASE = 0.9;

  private final int min;
  private final int max;
  private final long targetNanos;
  private double limit;
  private int inFlight;

  /** Starts at {@code max}: a cluster is trusted until its answers say otherwise. */
  CreateAdmission(int min, int max, Duration target) {
    if (max < 1) {
      throw new IllegalArgumentException("max-creates-in-flight must be at least 1, not " + max);
    }
    this.max = max;
    this.min = Math.max(1, Math.min(min, max));
    this.targetNanos = target.toNanos();
    this.limit = max;
  }

  /** Counts one more create in flight and returns true, or false when the limit is reached. */
  synchronized boolean tryAdmit() {
    if (inFlight >= currentLimit()) {
      return false;
    }
    inFlight++;
    return true;
  }

  /** An admitted create was answered (whatever the answer) {@code nanos} after it was admitted. */
  synchronized void answered(long nanos) {
    boolean limitInUse = 2 * inFlight >= currentLimit();
    inFlight--;
    if (nanos > targetNanos) {
      limit = Math.max(min, limit * DECREASE);
    } else if (limitInUse) {
      limit = Math.min(max, limit + 2.0 / limit);
    }
  }

  /** The creates admitted at once now. */
  synchronized int currentLimit() {
    return (int) limit;
  }

  synchronized int inFlight() {
    return inFlight;
  }
}
