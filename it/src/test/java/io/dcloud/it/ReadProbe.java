package io.dcloud.it;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reads a path (or several, in turn) over and over from one node on a thread of its own while
 * something is disturbed, for the benchmarks: how many answers were not 200 (or never came), the median, 90th and 99th
 * percentile and slowest answer, and the longest time between two 200 answers (what a user polling the page would see
 * as an outage).
 */
final class ReadProbe implements AutoCloseable {
  /** What the probe saw, from its start to {@link #close}. */
  record Figures(
      int answered, int failed, double medianMs, double p90Ms, double p99Ms, long slowestMs, long longestGapMs,
      List<String> firstFailures) {}

  private static final int KEPT_FAILURES = 5;

  private final Api api;
  private final List<String> paths;
  private final long everyNanos;
  private final Thread thread;
  private volatile boolean running = true;
  private int answered;
  private int failed;
  private long slowestNanos;
  private final List<Long> tookNanos = new ArrayList<>();
  private long longestGapNanos;
  private final List<String> firstFailures = new ArrayList<>();

  private ReadProbe(Api api, List<String> paths, long everyMillis) {
    this.api = api;
    this.paths = List.copyOf(paths);
    this.everyNanos = TimeUnit.MILLISECONDS.toNanos(everyMillis);
    this.thread = new Thread(this::run, "read-probe " + paths.get(0));
  }

  /** Starts reading {@code path} through {@code api} every {@code everyMillis} (one request at a time). */
  static ReadProbe start(Api api, String path, long everyMillis) {
    return start(api, List.of(path), everyMillis);
  }

  /**
   * Starts reading {@code paths} in turn through {@code api}, one every {@code everyMillis} (one
   * request at a time): the figures are over all of them.
   */
  static ReadProbe start(Api api, List<String> paths, long everyMillis) {
    ReadProbe probe = new ReadProbe(api, paths, everyMillis);
    probe.thread.start();
    return probe;
  }

  private void run() {
    long lastAnswer = System.nanoTime();
    for (long round = 0; running; round++) {
      long sent = System.nanoTime();
      String failure = null;
      try {
        Api.Response response = api.get(paths.get((int) (round % paths.size())));
        if (response.status() != 200) {
          failure = response.status() + " " + response.body();
        }
      } catch (RuntimeException e) {
        failure = e.toString();
      }
      long now = System.nanoTime();
      synchronized (this) {
        slowestNanos = Math.max(slowestNanos, now - sent);
        tookNanos.add(now - sent);
        if (failure == null) {
          answered++;
          longestGapNanos = Math.max(longestGapNanos, now - lastAnswer);
          lastAnswer = now;
        } else {
          failed++;
          if (firstFailures.size() < KEPT_FAILURES) {
            firstFailures.add(failure);
          }
        }
      }
      // The probe's sampling rate, not synchronisation: it paces its own requests.
      long pause = sent + everyNanos - System.nanoTime();
      if (pause > 0) {
        try {
          TimeUnit.NANOSECONDS.sleep(pause);
        } catch (InterruptedException e) {
          return;
        }
      }
    }
  }

  /** Stops the probe (after its request in flight) and returns what it saw. */
  Figures stop() throws InterruptedException {
    running = false;
    thread.join();
    synchronized (this) {
      long[] took = tookNanos.stream().mapToLong(Long::longValue).sorted().toArray();
      return new Figures(answered, failed, percentileMs(took, 0.50), percentileMs(took, 0.90), percentileMs(took, 0.99),
          TimeUnit.NANOSECONDS.toMillis(slowestNanos), TimeUnit.NANOSECONDS.toMillis(longestGapNanos),
          List.copyOf(firstFailures));
    }
  }

  /** The nearest-rank quantile of sorted times, in milliseconds; 0 when there are none. */
  static double percentileMs(long[] sortedNanos, double quantile) {
    if (sortedNanos.length == 0) {
      return 0;
    }
    int index = (int) Math.min(sortedNanos.length - 1, Math.ceil(quantile * sortedNanos.length) - 1);
    return sortedNanos[Math.max(0, index)] / 1e6;
  }

  @Override
  public void close() throws InterruptedException {
    if (thread.isAlive()) {
      stop();
    }
  }
}
