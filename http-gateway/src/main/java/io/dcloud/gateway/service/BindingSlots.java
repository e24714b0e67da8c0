package io.dcloud.gateway.service;

import static io.dcloud.contract.ContractReader.absent;
import static io.dcloud.contract.ContractReader.kindOf;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.device.BindingSlot;
import io.dcloud.device.RegistryView;
import io.dcloud.gateway.device.SensorTypeRequests;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * An app's {@code bindings: [{type, min, max}]}: the device types it consumes and how many of each
 * one binding may name. {@code min} defaults to 1, {@code max} to {@code max(min, 1)}.
 */
public final class BindingSlots {
  public static final String BINDINGS = "bindings";
  static final int MAX_DEVICES = 1000;
  private static final Set<String> FIELDS = Set.of("type", "min", "max");

  private BindingSlots() {}

  /** The slots of {@code value} (none when absent); problems are added to {@code errors}. */
  public static List<BindingSlot> read(JsonNode value, List<FieldError> errors) {
    if (absent(value)) {
      return List.of();
    } else if (!value.isArray()) {
      errors.add(new FieldError(BINDINGS, "must be an array such as [{\"type\": \"thermometer\", \"min\": 1, \"max\": 4}],"
          + " not " + kindOf(value)));
      return List.of();
    }
    List<BindingSlot> slots = new ArrayList<>();
    Set<String> types = new HashSet<>();
    for (int i = 0; i < value.size(); i++) {
      String at = BINDINGS + "[" + i + "]";
      JsonNode slot = value.get(i);
      if (!slot.isObject()) {
        errors.add(new FieldError(at, "must be an object with type, min and max, not " + kindOf(slot)));
        continue;
      }
      int before = errors.size();
      SensorTypeRequests.unknown(at + ".", slot, FIELDS, errors);
      JsonNode type = slot.get("type");
      if (absent(type) || !type.isTextual() || !SensorTypeRequests.isValidName(type.textValue())) {
        errors.add(new FieldError(at + ".type", "is required: the name of a sensor type"));
      } else if (!types.add(type.textValue())) {
        errors.add(new FieldError(at + ".type", type.textValue() + " is named twice"));
      }
      Integer min = count(at + ".min", slot.get("min"), 1, errors);
      Integer max = count(at + ".max", slot.get("max"), min == null ? 1 : Math.max(min, 1), errors);
      if (min != null && max != null && min > max) {
        errors.add(new FieldError(at + ".min", min + " is above max " + max));
      }
      if (errors.size() == before) {
        slots.add(new BindingSlot(type.textValue(), min, max));
      }
    }
    return List.copyOf(slots);
  }

  private static Integer count(String at, JsonNode value, int fallback, List<FieldError> errors) {
    if (absent(value)) {
      return fallback;
    } else if (!value.isIntegralNumber() || !value.canConvertToInt() || value.intValue() < 0
        || value.intValue() > MAX_DEVICES) {
      errors.add(new FieldError(at, "must be a whole number from 0 to " + MAX_DEVICES + ", not "
          + (value.isNumber() ? value.asText() : kindOf(value))));
      return null;
    }
    return value.intValue();
  }

  /**
   * Every slot's type must be registered when the app is deployed.
   *
   * @throws ValidationException naming {@code bindings[i].type} of each that is not
   */
  public static void checkTypes(List<BindingSlot> slots, RegistryView registry) {
    List<FieldError> errors = new ArrayList<>();
    for (int i = 0; i < slots.size(); i++) {
      if (!registry.types().containsKey(slots.get(i).type())) {
        errors.add(new FieldError(BINDINGS + "[" + i + "].type", "no sensor type " + slots.get(i).type()
            + " is registered (GET /api/v1/sensor-types)"));
      }
    }
    if (!errors.isEmpty()) {
      throw new ValidationException(errors);
    }
  }
}
