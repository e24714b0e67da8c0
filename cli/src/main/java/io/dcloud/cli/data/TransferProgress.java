package io.dcloud.cli.data;

import io.dcloud.cli.common.CliIo;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import io.dcloud.cli.common.ByteSizes;
import java.util.Locale;

/**
 * The progress bar of a dataset transfer on stderr: bytes done of the total (when known), percent
 * and mean rate, redrawn in place with {@code \r} at most every {@value #REDRAW_MILLIS} ms and
 * ended with a final line at the end. Counts the bytes as they are read from the stream it wraps
 * (the file going up, the response coming down). Off, it passes the stream through untouched.
 */
final class TransferProgress {
  private static final int REDRAW_MILLIS = 200;
  private static final int WIDTH = 24;

  private final PrintStream err;
  private final long total;
  private final boolean on;
  private final long startNanos = System.nanoTime();
  private long done;
  private long drawnNanos;

  /** {@code total} is -1 when unknown (a folder tarred on the fly). */
  TransferProgress(PrintStream err, long total, boolean on) {
    this.err = err;
    this.total = total;
    this.on = on;
  }

  /** Shown on a terminal, or everywhere when asked for ({@code --progress}). */
  static boolean wanted(CliIo io, boolean asked) {
    return asked || io.terminal();
  }

  InputStream count(InputStream in) {
    if (!on) {
      return in;
    }
    return new FilterInputStream(in) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          advance(1);
        }
        return b;
      }

      @Override
      public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
          advance(n);
        }
        return n;
      }
    };
  }

  /** The final line, ended with a newline; nothing when off. */
  void finish() {
    if (on) {
      err.print("\r" + line(System.nanoTime()) + "\n");
      err.flush();
    }
  }

  private synchronized void advance(long bytes) {
    done += bytes;
    long now = System.nanoTime();
    if (now - drawnNanos >= REDRAW_MILLIS * 1_000_000L) {
      drawnNanos = now;
      err.print("\r" + line(now));
      err.flush();
    }
  }

  /** e.g. {@code [############------------]  50%  512.0 MiB / 1.0 GiB  85.3 MiB/s}. */
  synchronized String line(long nowNanos) {
    double seconds = (nowNanos - startNanos) / 1e9;
    String rate = seconds > 0 ? ByteSizes.of(done / seconds) + "/s" : "-";
    if (total < 0) {
      return String.format(Locale.ROOT, "%s  %s", ByteSizes.of(done), rate);
    }
    double fraction = total == 0 ? 1 : Math.min(1, (double) done / total);
    int filled = (int) Math.round(fraction * WIDTH);
    return String.format(Locale.ROOT, "[%s%s] %3d%%  %s / %s  %s", "#".repeat(filled), "-".repeat(WIDTH - filled),
        Math.round(fraction * 100), ByteSizes.of(done), ByteSizes.of(total), rate);
  }
}
