package io.dcloud.device;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.device.SensorType.Field;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * Checks a JSON object of values against declared fields: a reading against its type's fields, a
 * command's parameters against the command's. The reason of a refusal names the field, for the
 * device's last rejection and the API's problem.
 */
public final class FieldValues {
  private FieldValues() {}

  /**
   * The values of {@code object} as Java values (Double for numbers, Long for integers, Boolean,
   * String), in the object's order.
   *
   * @param ignored keys that are not values (a reading's {@code ts})
   * @param allRequired whether every declared field must be present (a command's parameters) or at
   *     least one (a reading)
   * @throws Invalid naming the first field at fault
   */
  public static Map<String, Object> check(
      Map<String, Field> declared, JsonNode object, Set<String> ignored, boolean allRequired) {
    if (object == null || !object.isObject()) {
      throw new Invalid(null, "expected a JSON object");
    }
    Map<String, Object> values = new LinkedHashMap<>();
    for (Iterator<Map.Entry<String, JsonNode>> it = object.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      String name = entry.getKey();
      if (ignored.contains(name)) {
        continue;
      }
      Field field = declared.get(name);
      if (field == null) {
        throw new Invalid(name, "unknown field \"" + name + "\" (declared: " + String.join(", ", declared.keySet().stream().sorted().toList()) + ")");
      }
      values.put(name, value(name, field, entry.getValue()));
    }
    if (allRequired) {
      for (String name : declared.keySet().stream().sorted().toList()) {
        if (!values.containsKey(name)) {
          throw new Invalid(name, "field \"" + name + "\" is required");
        }
      }
    } else if (values.isEmpty()) {
      throw new Invalid(null, "no field of the type (declared: " + String.join(", ", declared.keySet().stream().sorted().toList()) + ")");
    }
    return values;
  }

  private static Object value(String name, Field field, JsonNode node) {
    switch (field.type()) {
      case NUMBER -> {
        if (!node.isNumber()) {
          throw wrongType(name, "a number", node);
        }
        return bounded(name, field, node.doubleValue());
      }
      case INTEGER -> {
        if (!node.isIntegralNumber() || !node.canConvertToLong()) {
          throw wrongType(name, "an integer", node);
        }
        bounded(name, field, node.longValue());
        return node.longValue();
      }
      case BOOLEAN -> {
        if (!node.isBoolean()) {
          throw wrongType(name, "true or false", node);
        }
        return node.booleanValue();
      }
      case STRING -> {
        if (!node.isTextual()) {
          throw wrongType(name, "a string", node);
        }
        return node.textValue();
      }
      default -> throw new IllegalStateException("a field type without a check: " + field.type());
    }
  }

  private static double bounded(String name, Field field, double value) {
    if (!Double.isFinite(value)) {
      throw new Invalid(name, "field \"" + name + "\": " + value + " is not a finite number");
    }
    if (field.min() != null && value < field.min()) {
      throw new Invalid(name, "field \"" + name + "\": " + shown(value) + " is below its minimum " + shown(field.min()));
    }
    if (field.max() != null && value > field.max()) {
      throw new Invalid(name, "field \"" + name + "\": " + shown(value) + " is above its maximum " + shown(field.max()));
    }
    return value;
  }

  /** A bound or value as people write it: 0, not 0.0; 21.5 as is. */
  private static String shown(double number) {
    return number == Math.rint(number) && Math.abs(number) < 1e15 ? Long.toString((long) number) : Double.toString(number);
  }

  private static Invalid wrongType(String name, String expected, JsonNode got) {
    String shown = got.toString();
    if (shown.length() > 40) {
      shown = shown.substring(0, 40) + "…";
    }
    return new Invalid(name, "field \"" + name + "\": expected " + expected + ", got " + shown);
  }

  /** {@code field}: the value at fault (null: the object as a whole). The message is the reason. */
  public static final class Invalid extends RuntimeException {
    private final String field;

    public Invalid(String field, String reason) {
      super(reason, null, false, false);
      this.field = field;
    }

    public String field() {
      return field;
    }
  }
}
