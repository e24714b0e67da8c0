package io.dcloud.node;

import java.time.Duration;

/**
 * Bytes fetched of the dataset versions one environment waits for, passed on to its
 * {@link DatasetMounts.Progress} at most once per {@code interval} (a stream's chunks are many) and
 * once at each end. Silent when nothing is to be fetched: a cached environment goes straight on.
 */
final class FetchProgress {
  private final long totalBytes;
  private final long intervalNanos;
  private final DatasetMounts.Progress listener;
  private long bytes;
  private long lastTold;

  FetchProgress(long totalBytes, Duration interval, DatasetMounts.Progress listener) {
    this.totalBytes = totalBytes;
    this.intervalNanos = interval.toNanos();
    this.listener = listener;
    if (totalBytes > 0) {
      tell();
    }
  }

  /** Called from the fetch's stream, one thread at a time. */
  synchronized void add(long more) {
    bytes += more;
    if (System.nanoTime() - lastTold >= intervalNanos) {
      tell();
    }
  }

  synchronized void done() {
    if (totalBytes > 0) {
      tell();
    }
  }

  private void tell() {
    lastTold = System.nanoTime();
    // A version evicted between the count and its mount is fetched again: never report past the end.
    listener.fetched(Math.min(bytes, totalBytes), totalBytes);
  }
}
