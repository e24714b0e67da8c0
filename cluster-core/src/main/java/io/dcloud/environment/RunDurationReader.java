package io.dcloud.environment;

import static io.dcloud.contract.ContractReader.kindOf;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.spec.Durations;
import java.time.Duration;

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
    Duration duration = Durations.parse(value.textValue()).filter(d -> !d.isZero()).orElse(null);
    if (duration == null) {
      in.error(field, "\"" + value.textValue() + "\" is not a positive duration: write a number and s, m, h or d,"
          + " such as \"30m\"");
    }
    return duration;
  }
}
