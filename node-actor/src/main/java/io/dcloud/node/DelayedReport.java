package io.dcloud.node;

/**
 * A report made by a timer unless cancelled first, never both, and never still being made once
 * {@link #cancel} answers: a timer that fires just as the container comes up runs on the
 * scheduler's thread, and without this its STARTING could reach the environment (and the idle
 * clock) after the node's RUNNING, as a step back. A timer's own cancel cannot say so: it answers
 * false as soon as the task has begun.
 */
final class DelayedReport implements Runnable {
  private final Runnable report;
  private boolean made;
  private boolean cancelled;

  DelayedReport(Runnable report) {
    this.report = report;
  }

  @Override
  public synchronized void run() {
    if (!cancelled) {
      made = true;
      report.run();
    }
  }

  /** True when the report will never be made; false once it has been made (waiting for one being made). */
  synchronized boolean cancel() {
    cancelled = !made;
    return cancelled;
  }
}
