package io.dcloud.spec;

import java.time.Duration;

/** Durations as configs write them ({@code 90m}, {@code 2h}, {@code 45s}): the idle-timeout's form. */
public final class Durations {
  private static final long MINUTE = 60;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;

  private Durations() {}

  /** In the largest unit that divides it exactly, in whole seconds. */
  public static String format(Duration duration) {
    long seconds = duration.toSeconds();
    if (seconds != 0 && seconds % DAY == 0) {
      return seconds / DAY + "d";
    }
    if (seconds != 0 && seconds % HOUR == 0) {
      return seconds / HOUR + "h";
    }
    return seconds != 0 && seconds % MINUTE == 0 ? seconds / MINUTE + "m" : seconds + "s";
  }
}
