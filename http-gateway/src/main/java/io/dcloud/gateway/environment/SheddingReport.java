package io.dcloud.gateway.environment;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * What a gateway that refuses creates says in its log: one WARN when it starts refusing and one
 * INFO when it admits again, with how many it refused, and at most one line per {@code interval}.
 * Under a steady overload the limit is reached and freed many times a second; a line at each turn
 * was hundreds of lines a minute (BENCHMARKS §10), so a turn that comes sooner is folded into the
 * next line.
 */
final class SheddingReport {
  /** A line to log: a WARN or an INFO. */
  record Line(boolean warn, String text) {}

  private final long intervalNanos;
  private final LongSupplier nanoTime;
  private boolean reportedShedding;
  private long lastLineAt;
  private long refusedSinceLine;

  SheddingReport(Duration interval, LongSupplier nanoTime) {
    this.intervalNanos = interval.toNanos();
    this.nanoTime = nanoTime;
    this.lastLineAt = nanoTime.getAsLong() - intervalNanos;
  }

  /** A create was refused at {@code limit} creates in progress; the line to log, or null. */
  synchronized Line refused(int limit) {
    refusedSinceLine++;
    if (reportedShedding || !due()) {
      return null;
    }
    reportedShedding = true;
    return line(true, limit + " creates are in progress, the most this gateway admits now (between dcloud.http.min- and "
        + "max-creates-in-flight, as fast as creates are placed): refusing new ones with 429 until some are placed");
  }

  /** A create was admitted; the line to log, or null. */
  synchronized Line admitted(int inFlight, int limit) {
    if (!reportedShedding || !due()) {
      return null;
    }
    reportedShedding = false;
    return line(false, "Creates are admitted again (" + inFlight + " in progress, at most " + limit + " now); "
        + refusedSinceLine + " refused with 429 since the last line");
  }

  private boolean due() {
    return nanoTime.getAsLong() - lastLineAt >= intervalNanos;
  }

  private Line line(boolean warn, String text) {
    lastLineAt = nanoTime.getAsLong();
    refusedSinceLine = 0;
    return new Line(warn, text);
  }
}
