package io.dcloud.gateway.device;

import static io.dcloud.contract.ContractReader.absent;
import static io.dcloud.contract.ContractReader.kindOf;
import static io.dcloud.contract.ContractReader.quote;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.contract.ContractReader;
import io.dcloud.device.SensorType;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads {@code POST /sensor-types}: {@code {name, kind, fields: {f: {type, unit?, min?, max?}},
 * commands: {c: {params: {p: {...}}}}}}. Every problem is a field error naming where it is
 * ({@code fields.temperature.min}), thrown together as one 422.
 */
public final class SensorTypeRequests {
  /** Type names and device ids: path segments and MQTT topic levels, so no '/', '+' or '#'. */
  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9_.-]{0,62}");
  /** Field, command and parameter names: JSON keys an app reads as identifiers. */
  static final Pattern FIELD_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,62}");
  /** A reading's own time stamp, never a field. */
  static final String TIMESTAMP = "ts";
  private static final int MAX_UNIT_LENGTH = 32;
  private static final Set<String> FIELDS = Set.of("name", "kind", "fields", "commands");
  private static final Set<String> FIELD_FIELDS = Set.of("type", "unit", "min", "max");

  private SensorTypeRequests() {}

  public static boolean isValidName(String name) {
    return NAME.matcher(name).matches();
  }

  /** The type a body describes, created by {@code by} at {@code at}. */
  static SensorType parse(JsonNode body, String by, Instant at) {
    if (body == null || !body.isObject()) {
      throw ValidationException.of("$", "must be an object with name, kind, fields and commands");
    }
    List<FieldError> errors = new ArrayList<>();
    unknown("", body, FIELDS, errors);
    String name = name(body.get("name"), errors);
    SensorType.Kind kind = kind(body.get("kind"), errors);
    Map<String, SensorType.Field> fields = fields("fields", body.get("fields"), true, errors);
    Map<String, SensorType.CommandSpec> commands = commands(body.get("commands"), errors);
    if (kind == SensorType.Kind.SENSOR && fields != null && fields.isEmpty()) {
      errors.add(new FieldError("fields", "a sensor needs at least one field: what its readings hold"));
    }
    if (kind == SensorType.Kind.SENSOR && commands != null && !commands.isEmpty()) {
      errors.add(new FieldError("commands", "a sensor takes no commands: make the type a controller"));
    }
    if (kind == SensorType.Kind.CONTROLLER && commands != null && commands.isEmpty()) {
      errors.add(new FieldError("commands", "a controller needs at least one command"));
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
    return new SensorType(name, kind, fields, commands, by, at);
  }

  private static String name(JsonNode value, List<FieldError> errors) {
    if (absent(value)) {
      errors.add(new FieldError("name", "is required"));
    } else if (!value.isTextual()) {
      errors.add(new FieldError("name", "must be a string, not " + kindOf(value)));
    } else if (!isValidName(value.textValue())) {
      errors.add(new FieldError("name", quote(value.textValue(), 70) + " must be 1 to 63 lowercase letters, digits, "
          + "'_', '.' and '-', starting with a letter or digit"));
    } else {
      return value.textValue();
    }
    return null;
  }

  private static SensorType.Kind kind(JsonNode value, List<FieldError> errors) {
    if (absent(value)) {
      errors.add(new FieldError("kind", "is required: \"sensor\" or \"controller\""));
    } else if (!value.isTextual() || !Set.of("sensor", "controller").contains(value.textValue())) {
      errors.add(new FieldError("kind", "must be \"sensor\" or \"controller\", not "
          + (value.isTextual() ? quote(value.textValue(), 30) : kindOf(value))));
    } else {
      return SensorType.Kind.valueOf(value.textValue().toUpperCase(Locale.ROOT));
    }
    return null;
  }

  private static Map<String, SensorType.CommandSpec> commands(JsonNode value, List<FieldError> errors) {
    if (absent(value)) {
      return Map.of();
    } else if (!value.isObject()) {
      errors.add(new FieldError("commands", "must be an object of command names, not " + kindOf(value)));
      return null;
    }
    Map<String, SensorType.CommandSpec> commands = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> command : value.properties()) {
      String at = "commands." + command.getKey();
      if (!FIELD_NAME.matcher(command.getKey()).matches()) {
        errors.add(new FieldError(at, nameReason(command.getKey())));
        continue;
      }
      JsonNode spec = command.getValue();
      if (!spec.isObject()) {
        errors.add(new FieldError(at, "must be an object such as {\"params\": {...}}, not " + kindOf(spec)));
        continue;
      }
      unknown(at + ".", spec, Set.of("params"), errors);
      Map<String, SensorType.Field> params = fields(at + ".params", spec.get("params"), false, errors);
      if (params != null) {
        commands.put(command.getKey(), new SensorType.CommandSpec(params));
      }
    }
    return commands;
  }

  /**
   * Declared values by name ({@code readingFields}: a reading's, where {@code ts} is taken).
   * Also a command's parameters.
   */
  static Map<String, SensorType.Field> fields(String at, JsonNode value, boolean readingFields, List<FieldError> errors) {
    if (absent(value)) {
      return Map.of();
    } else if (!value.isObject()) {
      errors.add(new FieldError(at, "must be an object of names to {type, unit, min, max}, not " + kindOf(value)));
      return null;
    }
    Map<String, SensorType.Field> fields = new LinkedHashMap<>();
    for (Map.Entry<String, JsonNode> entry : value.properties()) {
      String name = entry.getKey();
      String here = at + "." + name;
      if (!FIELD_NAME.matcher(name).matches()) {
        errors.add(new FieldError(here, nameReason(name)));
      } else if (readingFields && TIMESTAMP.equals(name)) {
        errors.add(new FieldError(here, "\"ts\" is a reading's own time stamp: name the field otherwise"));
      } else {
        SensorType.Field field = field(here, entry.getValue(), errors);
        if (field != null) {
          fields.put(name, field);
        }
      }
    }
    return fields;
  }

  private static SensorType.Field field(String at, JsonNode value, List<FieldError> errors) {
    if (!value.isObject()) {
      errors.add(new FieldError(at, "must be an object such as {\"type\": \"number\", \"unit\": \"°C\"}, not "
          + kindOf(value)));
      return null;
    }
    int before = errors.size();
    unknown(at + ".", value, FIELD_FIELDS, errors);
    SensorType.FieldType type = null;
    JsonNode typeNode = value.get("type");
    Set<String> types = Set.of("number", "integer", "boolean", "string");
    if (absent(typeNode)) {
      errors.add(new FieldError(at + ".type", "is required: number, integer, boolean or string"));
    } else if (!typeNode.isTextual() || !types.contains(typeNode.textValue())) {
      errors.add(new FieldError(at + ".type", "must be number, integer, boolean or string, not "
          + (typeNode.isTextual() ? quote(typeNode.textValue(), 30) : kindOf(typeNode))));
    } else {
      type = SensorType.FieldType.valueOf(typeNode.textValue().toUpperCase(Locale.ROOT));
    }
    String unit = null;
    JsonNode unitNode = value.get("unit");
    if (!absent(unitNode)) {
      if (!unitNode.isTextual() || unitNode.textValue().length() > MAX_UNIT_LENGTH) {
        errors.add(new FieldError(at + ".unit", "must be a string of at most " + MAX_UNIT_LENGTH + " characters"));
      } else {
        unit = unitNode.textValue();
      }
    }
    Double min = bound(at + ".min", value.get("min"), type, errors);
    Double max = bound(at + ".max", value.get("max"), type, errors);
    if (min != null && max != null && min > max) {
      errors.add(new FieldError(at + ".min", min + " is above max " + max));
    }
    return errors.size() == before ? new SensorType.Field(type, unit, min, max) : null;
  }

  private static Double bound(String at, JsonNode value, SensorType.FieldType type, List<FieldError> errors) {
    if (absent(value)) {
      return null;
    }
    if (type != null && type != SensorType.FieldType.NUMBER && type != SensorType.FieldType.INTEGER) {
      errors.add(new FieldError(at, "bounds only numbers and integers"));
    } else if (!value.isNumber() || !Double.isFinite(value.doubleValue())) {
      errors.add(new FieldError(at, "must be a finite number, not " + kindOf(value)));
    } else {
      return value.doubleValue();
    }
    return null;
  }

  private static String nameReason(String name) {
    return quote(name, 70) + " is not a name: 1 to 63 letters, digits and '_', not starting with a digit";
  }

  public static void unknown(String prefix, JsonNode object, Set<String> known, List<FieldError> errors) {
    for (Map.Entry<String, JsonNode> field : object.properties()) {
      if (!known.contains(field.getKey())) {
        errors.add(new FieldError(prefix + field.getKey(), ContractReader.unknownFieldReason(field.getKey(), known)));
      }
    }
  }
}
