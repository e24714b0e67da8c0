package io.dcloud.gateway.common;

import java.time.Duration;

/**
 * How many creates a gateway works on at once: a limit that follows how fast they are answered
 * (placed: {@link io.dcloud.gateway.environment.CreatesInFlight} says when), like TCP's congestion window or Netflix's
 * concurrency-limits, between {@code min} and {@code max}.
 *
 * <p>It starts small ({@code initial}) and, while every answer comes in time, grows by one for each
 * timely answer given while at least half the limit was in use -- it doubles each round of answers,
 * TCP's slow start -- so a burst at a fresh gateway is refused beyond what the cluster has shown it
 * completes, instead of admitted to wait. The first create answered slower than {@code target} (its
 * wait is queueing, not work) ends that phase; from then on each slow answer takes a tenth off the
 * limit and each timely one in full use adds {@code 2/limit} (about one per round). A fixed limit
 * sized for a fast cluster let a slow one admit creates that then timed out after seconds of work
 * (BENCHMARKS §10); this one refuses them at once instead.
 */
public final class CreateAdmission {
  private static final double DECREASE = 0.9;

  /**
   * {@code dcloud.http.*-creates-in-flight} and {@code create-target-latency}; an initial or
   * minimum above the maximum is the maximum.
   */
  public record Settings(int initial, int min, int max, Duration targetLatency) {
    public Settings {
      if (max < 1) {
        throw new IllegalArgumentException("max-creates-in-flight must be at least 1, not " + max);
      }
      min = Math.max(1, Math.min(min, max));
      initial = Math.max(min, Math.min(initial, max));
    }
  }

  private final int min;
  private final int max;
  private final long targetNanos;
  private double limit;
  private boolean slowStart = true;
  private int inFlight;

  public CreateAdmission(Settings settings) {
    this.min = settings.min();
    this.max = settings.max();
    this.targetNanos = settings.targetLatency().toNanos();
    this.limit = settings.initial();
  }

  /** Counts one more create in flight and returns true, or false when the limit is reached. */
  public synchronized boolean tryAdmit() {
    if (inFlight >= currentLimit()) {
      return false;
    }
    inFlight++;
    return true;
  }

  /** An admitted create was answered (whatever the answer) {@code nanos} after it was admitted. */
  public synchronized void answered(long nanos) {
    boolean limitInUse = 2 * inFlight >= currentLimit();
    inFlight--;
    if (nanos > targetNanos) {
      slowStart = false;
      limit = Math.max(min, limit * DECREASE);
    } else if (limitInUse) {
      limit = Math.min(max, limit + (slowStart ? 1 : 2.0 / limit));
    }
  }

  /** The creates admitted at once now. */
  public synchronized int currentLimit() {
    return (int) limit;
  }

  public synchronized int inFlight() {
    return inFlight;
  }
}
