package io.dcloud.bench;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * When each environment of a run was sent, accepted, placed and running (System.nanoTime; 0 = not
 * yet). Each array has one writer (the sender, the reply collector, the status collector); the
 * counters are incremented after the write, so a reader that sees a count sees the times before it.
 */
final class Timeline {
  final long[] sent;
  final long[] accepted;
  final long[] placed;
  final long[] running;
  final AtomicInteger sentCount = new AtomicInteger();
  final AtomicInteger acceptedCount = new AtomicInteger();
  final AtomicInteger placedCount = new AtomicInteger();
  final AtomicInteger runningCount = new AtomicInteger();
  /** PLACED or RUNNING seen again for an environment: each should happen exactly once here. */
  final AtomicInteger repeated = new AtomicInteger();
  final AtomicInteger refused = new AtomicInteger();

  Timeline(int size) {
    sent = new long[size];
    accepted = new long[size];
    placed = new long[size];
    running = new long[size];
  }

  int size() {
    return sent.length;
  }

  void mark(long[] times, AtomicInteger count, int index, long now) {
    if (times[index] != 0) {
      repeated.incrementAndGet();
      return;
    }
    times[index] = now;
    count.incrementAndGet();
  }

  /** Latencies from sending to {@code times}, in nanoseconds, sorted; environments not there yet are left out. */
  long[] latenciesTo(long[] times) {
    long[] latencies = new long[size()];
    int n = 0;
    for (int i = 0; i < size(); i++) {
      if (times[i] != 0 && sent[i] != 0) {
        latencies[n++] = times[i] - sent[i];
      }
    }
    long[] sorted = Arrays.copyOf(latencies, n);
    Arrays.sort(sorted);
    return sorted;
  }

  long first(long[] times) {
    return Arrays.stream(times).filter(t -> t != 0).min().orElse(0);
  }

  long last(long[] times) {
    return Arrays.stream(times).max().orElse(0);
  }

  /** How many of {@code times} fall in each whole second after {@code origin}. */
  int[] perSecond(long[] times, long origin) {
    long last = last(times);
    int seconds = (int) ((last - origin) / 1_000_000_000L) + 1;
    int[] counts = new int[Math.max(seconds, 1)];
    for (long t : times) {
      if (t != 0) {
        counts[(int) ((t - origin) / 1_000_000_000L)]++;
      }
    }
    return counts;
  }

  /**
   * The p99 of the latencies from sending to {@code times}, in milliseconds, for the requests sent in
   * each whole second of the run: a tail spread over the run and one made in a few seconds (a pause,
   * a flush) read the same in the overall p99.
   */
  double[] p99BySecondSent(long[] times) {
    long origin = first(sent);
    int seconds = (int) ((last(sent) - origin) / 1_000_000_000L) + 1;
    long[][] bySecond = new long[Math.max(seconds, 1)][];
    int[] counts = perSecond(sent, origin);
    for (int s = 0; s < bySecond.length; s++) {
      bySecond[s] = new long[counts[s]];
    }
    int[] filled = new int[bySecond.length];
    for (int i = 0; i < size(); i++) {
      if (sent[i] != 0 && times[i] != 0) {
        int s = (int) ((sent[i] - origin) / 1_000_000_000L);
        bySecond[s][filled[s]++] = times[i] - sent[i];
      }
    }
    double[] p99 = new double[bySecond.length];
    for (int s = 0; s < bySecond.length; s++) {
      long[] latencies = Arrays.copyOf(bySecond[s], filled[s]);
      Arrays.sort(latencies);
      p99[s] = PlacementReport.percentile(latencies, 99) / 1e6;
    }
    return p99;
  }
}
