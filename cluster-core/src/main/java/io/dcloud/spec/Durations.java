package io.dcloud.spec;

import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Durations as configs write them ({@code 90m}, {@code 2h}, {@code 45s}): the idle-timeout's form. */
public final class Durations {
  private static final long MINUTE = 60;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;

  private static final Pattern WRITTEN = Pattern.compile("([0-9]{1,9})(s|m|h|d)");

  private Durations() {}

  /** {@code text} read as a whole number and s, m, h or d ("30s", "10m"; "0s" too); empty when it is not one. */
  public static Optional<Duration> parse(String text) {
    Matcher matcher = WRITTEN.matcher(text.strip());
    if (!matcher.matches()) {
      return Optional.empty();
    }
    long amount = Long.parseLong(matcher.group(1));
    return Optional.of(switch (matcher.group(2)) {
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    });
  }

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
