package io.dcloud.cli.common;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.ITypeConverter;

/** A duration option as people write it: 90 (seconds), 90s, 5m, 1h. */
public final class DurationConverter implements ITypeConverter<Duration> {
  private static final Pattern FORMAT = Pattern.compile("(\\d+)(s|m|h)?");

  @Override
  public Duration convert(String value) {
    Matcher matcher = FORMAT.matcher(value.strip());
    if (!matcher.matches()) {
      throw new IllegalArgumentException("a duration is a number of seconds, or one with s, m or h: 90, 90s, 5m, 1h");
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2) == null ? "s" : matcher.group(2)) {
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofSeconds(amount);
    };
  }
}
