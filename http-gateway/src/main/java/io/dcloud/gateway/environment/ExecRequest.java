package io.dcloud.gateway.environment;

import static io.dcloud.contract.ContractReader.absent;
import static io.dcloud.contract.ContractReader.at;
import static io.dcloud.contract.ContractReader.kindOf;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import io.dcloud.contract.ContractReader;
import io.dcloud.environment.SpecLimits;
import io.dcloud.gateway.common.GatewaySettings;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /environments/{id}/exec}: {@code command} (an argv list, never run
 * through a shell, bounded like a spec's command), optional {@code stdin} text (at most
 * {@code dcloud.http.exec.max-stdin}) and optional
 * {@code timeout} ("30s", "1500ms", "10m"; {@code dcloud.http.exec.default-timeout} when absent, at
 * most {@code max-timeout}). Every mistake is a 422 naming its field.
 */
record ExecRequest(List<String> command, String stdin, Duration timeout) {

  static final String COMMAND = "command";
  static final String STDIN = "stdin";
  static final String TIMEOUT = "timeout";
  private static final Set<String> FIELDS = Set.of(COMMAND, STDIN, TIMEOUT);
  private static final Pattern DURATION = Pattern.compile("(\\d{1,9})(ms|s|m)");

  /** {@code dcloud.http.exec}: how long a command may run and how much of its output comes back. */
  record Limits(Duration defaultTimeout, Duration maxTimeout, long maxOutputBytes, long maxStdinBytes) {
    static Limits fromConfig(Config config) {
      Config exec = config.getConfig("dcloud.http.exec");
      return new Limits(exec.getDuration("default-timeout"), exec.getDuration("max-timeout"), exec.getBytes("max-output"),
          exec.getBytes("max-stdin"));
    }
  }

  static ExecRequest read(JsonNode body, SpecLimits specLimits, Limits limits) {
    ContractReader in = new ContractReader();
    if (!body.isObject()) {
      in.error(ContractReader.ROOT, "must be an object with a command, not " + kindOf(body));
      in.throwIfAny();
    }
    in.refuseUnknownFields(ContractReader.ROOT, body, FIELDS);
    List<String> command = command(in, body.get(COMMAND), specLimits);
    String stdin = stdin(in, body.get(STDIN), limits);
    Duration timeout = timeout(in, body.get(TIMEOUT), limits);
    in.throwIfAny();
    return new ExecRequest(command, stdin, timeout);
  }

  private static List<String> command(ContractReader in, JsonNode value, SpecLimits limits) {
    if (absent(value) || !value.isArray() || value.isEmpty()) {
      in.error(COMMAND, "is required: a non-empty list of strings, e.g. [\"sh\", \"-c\", \"echo hi\"]");
      return null;
    }
    if (value.size() > limits.maxCommandArgs()) {
      in.error(COMMAND, "lists " + value.size() + " arguments: at most " + limits.maxCommandArgs() + " are allowed");
      return null;
    }
    List<String> command = new ArrayList<>();
    long bytes = 0;
    for (int i = 0; i < value.size(); i++) {
      JsonNode argument = value.get(i);
      if (!argument.isTextual()) {
        in.error(at(COMMAND, i), "must be a string, not " + kindOf(argument));
      } else if (argument.textValue().indexOf('\0') >= 0) {
        in.error(at(COMMAND, i), "must not contain a NUL character");
      } else {
        command.add(argument.textValue());
        bytes += argument.textValue().getBytes(StandardCharsets.UTF_8).length;
      }
    }
    if (!command.isEmpty() && command.get(0).isBlank()) {
      in.error(at(COMMAND, 0), "must name the program to run");
    }
    if (bytes > limits.maxCommandBytes()) {
      in.error(COMMAND, "holds " + bytes + " bytes of arguments: at most " + limits.maxCommandBytes() + " are allowed");
    }
    return List.copyOf(command);
  }

  private static String stdin(ContractReader in, JsonNode value, Limits limits) {
    String stdin = absent(value) ? null : in.text(STDIN, value);
    long bytes = stdin == null ? 0 : stdin.getBytes(StandardCharsets.UTF_8).length;
    if (bytes > limits.maxStdinBytes()) {
      in.error(STDIN, "holds " + bytes + " bytes: at most " + limits.maxStdinBytes() + " are allowed");
      return null;
    }
    return stdin;
  }

  private static Duration timeout(ContractReader in, JsonNode value, Limits limits) {
    if (absent(value)) {
      return limits.defaultTimeout();
    }
    Matcher matcher = value.isTextual() ? DURATION.matcher(value.textValue().strip()) : null;
    if (matcher == null || !matcher.matches()) {
      in.error(TIMEOUT, "must be a duration such as \"30s\", \"1500ms\" or \"5m\"");
      return null;
    }
    long amount = Long.parseLong(matcher.group(1));
    Duration timeout = switch (matcher.group(2)) {
      case "ms" -> Duration.ofMillis(amount);
      case "s" -> Duration.ofSeconds(amount);
      default -> Duration.ofMinutes(amount);
    };
    if (timeout.isZero() || timeout.compareTo(limits.maxTimeout()) > 0) {
      Duration max = limits.maxTimeout();
      String written = max.toSeconds() % 60 == 0 && max.toMillis() % 1000 == 0
          ? max.toMinutes() + "m" : GatewaySettings.describe(max);
      in.error(TIMEOUT, "is " + value.textValue() + ": use more than 0 and at most " + written);
      return null;
    }
    return timeout;
  }
}
