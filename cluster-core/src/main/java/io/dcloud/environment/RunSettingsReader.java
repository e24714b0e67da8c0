package io.dcloud.environment;

import static io.dcloud.contract.ContractReader.absent;
import static io.dcloud.contract.ContractReader.at;
import static io.dcloud.contract.ContractReader.kindOf;
import static io.dcloud.environment.EnvironmentSpecParser.COMMAND;
import static io.dcloud.environment.EnvironmentSpecParser.CONSTRAINTS;
import static io.dcloud.environment.EnvironmentSpecParser.ENV;
import static io.dcloud.environment.EnvironmentSpecParser.RESTART_POLICY;
import static io.dcloud.resources.Quantities.quote;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.spec.EnvironmentSpec.RestartPolicy;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads how and where the container runs: {@code command}, {@code env}, {@code constraints} and
 * {@code restart-policy}.
 */
final class RunSettingsReader {
  private static final Pattern ENV_VAR_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final SpecFieldReader in;

  RunSettingsReader(SpecFieldReader in) {
    this.in = in;
  }

  /** The container's command as an argv list; it is never run through a shell. */
  List<String> command(JsonNode value) {
    List<JsonNode> elements = in.optionalArray(COMMAND, value);
    if (elements == null) {
      return null;
    }
    List<String> command = new ArrayList<>();
    for (int i = 0; i < elements.size(); i++) {
      String argument = argument(at(COMMAND, i), elements.get(i));
      if (argument != null) {
        command.add(argument);
      }
    }
    return List.copyOf(command);
  }

  Map<String, String> env(JsonNode value) {
    return stringMap(ENV, value, (field, key) -> {
      if (!ENV_VAR_NAME.matcher(key).matches()) {
        in.error(field, quote(key) + " is not a variable name: use letters, digits and '_', not starting with a"
            + " digit");
        return false;
      }
      return true;
    }, this::argument);
  }

  Map<String, String> constraints(JsonNode value) {
    return stringMap(CONSTRAINTS, value, (field, key) -> in.checkedName(field, key) != null, in::name);
  }

  RestartPolicy restartPolicy(JsonNode value) {
    if (absent(value)) {
      return RestartPolicy.ALWAYS;
    }
    String text = in.name(RESTART_POLICY, value);
    if (text == null) {
      return null;
    }
    for (RestartPolicy policy : RestartPolicy.values()) {
      if (contractName(policy).equalsIgnoreCase(text)) {
        return policy;
      }
    }
    in.error(RESTART_POLICY, quote(text) + " is not a restart policy: use always, on-failure or never");
    return null;
  }

  /** The policy as the contract spells it: {@code on-failure}. */
  static String contractName(RestartPolicy policy) {
    return policy.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  /** Free text handed to the process as is; only NUL is refused, since no OS can pass it on. */
  private String argument(String field, JsonNode value) {
    if (!value.isTextual()) {
      in.error(field, "must be a string, not " + kindOf(value));
      return null;
    }
    if (value.textValue().indexOf('\0') >= 0) {
      in.error(field, "must not contain a NUL character");
      return null;
    }
    return value.textValue();
  }

  private interface KeyCheck {
    boolean ok(String field, String key);
  }

  private interface ValueReader {
    String read(String field, JsonNode value);
  }

  /** An optional object of strings, in document order. */
  private Map<String, String> stringMap(String field, JsonNode value, KeyCheck keyCheck, ValueReader valueReader) {
    if (absent(value)) {
      return Map.of();
    }
    if (!value.isObject()) {
      in.error(field, "must be an object of names to strings, not " + kindOf(value));
      return null;
    }
    Map<String, String> map = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : value.properties()) {
      String entryField = at(field, entry.getKey());
      boolean keyOk = keyCheck.ok(entryField, entry.getKey());
      String entryValue = valueReader.read(entryField, entry.getValue());
      if (keyOk && entryValue != null) {
        map.put(entry.getKey(), entryValue);
      }
    }
    return Collections.unmodifiableMap(map);
  }
}
