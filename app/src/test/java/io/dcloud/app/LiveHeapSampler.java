package io.dcloud.app;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The live heap of this JVM, sampled while something runs: every {@code intervalMillis} a full
 * collection ({@link System#gc()}), then the heap in use. Heap "used" without a collection is mostly
 * garbage waiting for the next one; after a full one it is what is still reachable, which is what a
 * transfer that held its bytes would grow. The baseline is taken the same way at the start.
 */
final class LiveHeapSampler implements AutoCloseable {
  private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
  private final long baseline;
  private final AtomicLong peak = new AtomicLong();
  private final AtomicInteger samples = new AtomicInteger();
  private final Thread thread;
  private volatile boolean running = true;

  LiveHeapSampler(long intervalMillis) {
    baseline = live();
    thread = new Thread(() -> {
      while (running) {
        peak.accumulateAndGet(live(), Math::max);
        samples.incrementAndGet();
        try {
          Thread.sleep(intervalMillis); // a sampling period, not a wait for anything
        } catch (InterruptedException e) {
          return;
        }
      }
    }, "live-heap-sampler");
    thread.setDaemon(true);
    thread.start();
  }

  private long live() {
    System.gc();
    return memory.getHeapMemoryUsage().getUsed();
  }

  long baselineBytes() {
    return baseline;
  }

  /** The most the live heap grew over the baseline in any sample. */
  long peakGrowthBytes() {
    return Math.max(0, peak.get() - baseline);
  }

  int samples() {
    return samples.get();
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.interrupt();
    thread.join();
  }
}
