package io.dcloud.environment;

import static io.dcloud.contract.ContractReader.kindOf;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code idle-timeout}: how long an environment may sit without traffic before it is stopped
 * ("30m", "2h", "1d"; seconds, "45s", for tests). Absent: the cluster's default. The node caps it at
 * {@code dcloud.environment.idle.max-timeout}, so a config stays valid when the cap changes.
 */
final class IdleTimeoutReader {
  static final String IDLE_TIMEOUT = "idle-timeout";

  private static final Pattern DURATION = Pattern.compile("([0-9]{1,9})(s|m|h|d)");

  private IdleTimeoutReader() {}

  /** The timeout, or null when not given (or wrong: then {@code in} has the error). */
  static Duration read(SpecFieldReader in, JsonNode value) {
    if (value == null || value.isNull() || value.isMissingNode()) {
      return null;
    }
    if (!value.isTextual()) {
      in.error(IDLE_TIMEOUT, "must be a duration such as \"30m\", not " + kindOf(value));
      return null;
    }
    Matcher matcher = DURATION.matcher(value.textValue().strip());
    if (!matcher.matches() || Long.parseLong(matcher.group(1)) == 0) {
      in.error(IDLE_TIMEOUT, "\"" + value.textValue() + "\" is not a positive duration: write a number and s, m, h or d,"
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
