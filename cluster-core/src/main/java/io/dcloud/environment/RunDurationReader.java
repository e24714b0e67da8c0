package io.dcloud.environment;

import static io.dcloud.contract.ContractReader.kindOf;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The durations that bound how long an environment runs ("30m", "2h", "1d"; seconds, "45s", for
 * tests): {@code idle-timeout}, how long it may sit without traffic before it is stopped, and
 * {@code max-runtime}, how long it may run at all. Absent: the cluster's default. The node caps each
 * ({@code dcloud.environment.idle.max-timeout}, {@code dcloud.environment.max-runtime.max}), so a
 * config stays valid when a cap changes.
 */
final class RunDurationReader {
  static final String IDLE_TIMEOUT = "idle-timeout";
  static final String MAX_RUNTIME = "max-runtime";

  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(s|m|h|d)");

  private RunDurationReader() {}

  /** The duration of {@code field}, or null when not given (or wrong: then {@code in} has the error). */
  static Duration read(SpecFieldReader in, String field, JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return null;
    }
    if (!value.isTextual()) {
      in.error(field, "must be a duration such as \"30m\", not " + kindOf(value));
      return null;
    }
    Matcher matcher = DURATION.matcher(value.textValue().strip());
    if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0) {
      in.error(field, "\"" + value.textValue() + "\" is not a positive duration: write a number and s, m, h or d,"
          + " such as \"30m\"");
      return null;
    }
    long amount = Long.parseLong(matcher.group(1));
    return switch (matcher.group(2)) {
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
  }
}
