package io.dcloud.environment;

import static io.dcloud.contract.ContractReader.absent;
import static io.dcloud.contract.ContractReader.at;
import static io.dcloud.contract.ContractReader.kindOf;
import static io.dcloud.environment.EnvironmentSpecParser.COMMAND;
import static io.dcloud.environment.EnvironmentSpecParser.CONSTRAINTS;
import static io.dcloud.environment.EnvironmentSpecParser.ENV;
import static io.dcloud.environment.EnvironmentSpecParser.RESTART_POLICY;
import static io.dcloud.environment.EnvironmentSpecParser.SECRET_ENV;
import static io.dcloud.resources.Quantities.quote;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.secret.SecretBox;
import io.dcloud.spec.EnvironmentSpec.RestartPolicy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Reads how and where the container runs: {@code command}, {@code env}, {@code secret-env},
 * {@code constraints} and {@code restart-policy}, each within its {@link SpecLimits}. Variables the
 * container runtime sets ({@link SpecLimits#reservedVariables()}) are refused: a user's
 * {@code NVIDIA_VISIBLE_DEVICES} would reach GPUs the scheduler never allocated.
 */
final class RunSettingsReader {
  private static final Pattern ENV_VAR_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private final SpecFieldReader in;
  private final SpecLimits limits;

  RunSettingsReader(SpecFieldReader in, SpecLimits limits) {
    this.in = in;
    this.limits = limits;
  }

  /** The container's command as an argv list; it is never run through a shell. */
  List<String> command(JsonNode value) {
    List<JsonNode> elements = in.boundedArray(COMMAND, value, limits.maxCommandArgs(), "arguments");
    if (elements == null) {
      return null;
    }
    List<String> command = new ArrayList<>();
    long bytes = 0;
    for (int i = 0; i < elements.size(); i++) {
      String argument = argument(at(COMMAND, i), elements.get(i));
      if (argument != null) {
        command.add(argument);
        bytes += utf8Length(argument);
      }
    }
    if (bytes > limits.maxCommandBytes()) {
      in.error(COMMAND, tooLong(bytes, "arguments", limits.maxCommandBytes()));
      return null;
    }
    return List.copyOf(command);
  }

  Map<String, String> env(JsonNode value) {
    Map<String, String> env = stringMap(ENV, value, limits.maxVariables(), "variables", this::variableName, this::argument);
    if (env == null) {
      return null;
    }
    long bytes = variableBytes(env);
    if (bytes > limits.maxVariableBytes()) {
      in.error(ENV, tooLong(bytes, "variables (as NAME=value)", limits.maxVariableBytes()));
      return null;
    }
    return env;
  }

  /**
   * {@code secret-env}: variables like {@code env}'s (same names, counted with {@code env} against
   * the same limits), whose values {@code box} encrypts before anything keeps them. Without a box
   * (no {@code dcloud.secrets.key}) none are accepted: they would be stored in clear. A value of
   * {@code "<generated>"} becomes a fresh random one ({@link SecretBox#GENERATED}).
   *
   * @param env what {@code env} gave (null when it was refused): a name may not be in both
   */
  Map<String, String> secretEnv(JsonNode value, Map<String, String> env, SecretBox box) {
    if (!absent(value) && box == null) {
      in.error(SECRET_ENV, "cannot be stored: this cluster has no secrets key to encrypt it with (the operator sets"
          + " dcloud.secrets.key); use env for values that are not secret");
      return null;
    }
    Map<String, String> secrets =
        stringMap(SECRET_ENV, value, limits.maxVariables(), "variables", this::variableName, this::argument);
    if (secrets == null || secrets.isEmpty()) {
      return secrets;
    }
    Map<String, String> known = env == null ? Map.of() : env;
    boolean clash = false;
    for (String name : secrets.keySet()) {
      if (known.containsKey(name)) {
        in.error(at(SECRET_ENV, name), "is also in env: give each variable once");
        clash = true;
      }
    }
    int count = known.size() + secrets.size();
    if (count > limits.maxVariables()) {
      in.error(SECRET_ENV, "with env, " + SpecFieldReader.tooMany(count, limits.maxVariables(), "variables"));
      return null;
    }
    long bytes = variableBytes(known) + variableBytes(secrets);
    if (bytes > limits.maxVariableBytes()) {
      in.error(SECRET_ENV, "with env, " + tooLong(bytes, "variables (as NAME=value)", limits.maxVariableBytes()));
      return null;
    }
    if (clash) {
      return null;
    }
    Map<String, String> sealed = new LinkedHashMap<>();
    secrets.forEach((name, plaintext) -> sealed.put(name,
        box.seal(name, SecretBox.GENERATED.equals(plaintext) ? SecretBox.generatedValue() : plaintext)));
    return Collections.unmodifiableMap(sealed);
  }

  Map<String, String> constraints(JsonNode value) {
    return stringMap(CONSTRAINTS, value, limits.maxConstraints(), "constraints",
        (field, key) -> in.checkedName(field, key) != null, in::name);
  }

  private boolean variableName(String field, String name) {
    if (!ENV_VAR_NAME.matcher(name).matches()) {
      in.error(field, quote(name) + " is not a variable name: use letters, digits and '_', not starting with a"
          + " digit");
      return false;
    }
    String reservation = limits.reservation(name);
    if (reservation != null) {
      in.error(field, "reserved: the container runtime sets " + reservation + " itself; choose another name");
      return false;
    }
    return true;
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

  /** "holds 70000 bytes of arguments: at most 65536 are allowed" (UTF-8, as the kernel counts them). */
  private static String tooLong(long bytes, String what, long max) {
    return "holds " + bytes + " bytes of " + what + ": at most " + max + " are allowed";
  }

  /** As the kernel counts them: NAME=value, in UTF-8. */
  private static long variableBytes(Map<String, String> variables) {
    long bytes = 0;
    for (Map.Entry<String, String> variable : variables.entrySet()) {
      bytes += utf8Length(variable.getKey()) + 1 + utf8Length(variable.getValue());
    }
    return bytes;
  }

  private static long utf8Length(String text) {
    return text.getBytes(StandardCharsets.UTF_8).length;
  }

  private interface KeyCheck {
    boolean ok(String field, String key);
  }

  private interface ValueReader {
    String read(String field, JsonNode value);
  }

  /** An optional object of at most {@code max} strings, in document order. */
  private Map<String, String> stringMap(
      String field, JsonNode value, int max, String entries, KeyCheck keyCheck, ValueReader valueReader) {
    if (absent(value)) {
      return Map.of();
    }
    if (!value.isObject()) {
      in.error(field, "must be an object of names to strings, not " + kindOf(value));
      return null;
    }
    if (value.size() > max) {
      in.error(field, SpecFieldReader.tooMany(value.size(), max, entries));
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
