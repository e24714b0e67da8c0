package io.dcloud.gateway.service;

import java.util.function.LongSupplier;

/**
 * One service's calls in progress at this gateway: how many now (bounded: beyond the service's
 * queue a call is refused), and how many on average since the last {@link #drain} — the integral of
 * the count over time, so a burst between two reports counts for as long as it lasted, however the
 * reports fall.
 */
final class OngoingCalls {
  private final LongSupplier nanoTime;
  private int count;
  /** When the count last changed, or the sum was last drained. */
  private long changedAt;
  private long drainedAt;
  /** The count summed over time since {@link #drainedAt}, up to {@link #changedAt}: call-nanoseconds. */
  private double callNanos;

  OngoingCalls(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
    long now = nanoTime.getAsLong();
    this.changedAt = now;
    this.drainedAt = now;
  }

  /** Counts one more call unless {@code most} are in progress already; false: refused. */
  synchronized boolean enter(int most) {
    if (count >= most) {
      return false;
    }
    settle();
    count++;
    return true;
  }

  synchronized void leave() {
    settle();
    count--;
  }

  synchronized int count() {
    return count;
  }

  /** The average count since the last drain, and the time that covers (nanoseconds); starts the next period. */
  synchronized Average drain() {
    settle();
    Average average = new Average(changedAt == drainedAt ? count : callNanos / (changedAt - drainedAt),
        changedAt - drainedAt);
    drainedAt = changedAt;
    callNanos = 0;
    return average;
  }

  /** The calls in progress on average over {@code nanos}. */
  record Average(double calls, long nanos) {}

  private void settle() {
    long now = nanoTime.getAsLong();
    callNanos += (double) count * (now - changedAt);
    changedAt = now;
  }
}
