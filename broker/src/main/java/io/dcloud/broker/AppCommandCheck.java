package io.dcloud.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.device.Device;
import io.dcloud.device.DeviceCommand;
import io.dcloud.device.FieldValues;
import io.dcloud.device.RegistryView;
import io.dcloud.device.SensorType;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * Turns an app's command ({@code {"name", "params"}} on {@code dcloud/services/<service>/commands/<device>})
 * into a new {@link DeviceCommand}, as the API would: only for a controller bound to that service,
 * a command its type declares, and every parameter given and valid.
 */
final class AppCommandCheck {
  private AppCommandCheck() {}

  /** Why an app's command is dropped. */
  static final class Refused extends RuntimeException {
    Refused(String reason) {
      super(reason, null, false, false);
    }
  }

  /** @throws Refused naming what is at fault */
  static DeviceCommand check(String service, String deviceId, byte[] payload, RegistryView view, Instant now) {
    Device device = view.devices().get(deviceId);
    if (device == null) {
      throw new Refused("unknown device \"" + deviceId + "\"");
    }
    boolean bound = view.bindingsOf(service).stream().anyMatch(binding -> binding.devices().contains(deviceId));
    if (!bound) {
      throw new Refused("device \"" + deviceId + "\" is not bound to service \"" + service + "\"");
    }
    SensorType type = view.types().get(device.type());
    if (type == null || type.kind() != SensorType.Kind.CONTROLLER) {
      throw new Refused("device \"" + deviceId + "\" is not a controller");
    }
    if (!device.enabled()) {
      throw new Refused("device \"" + deviceId + "\" is disabled");
    }
    JsonNode json;
    try {
      json = ProcessedReadings.parse(payload);
    } catch (IllegalArgumentException e) {
      throw new Refused(e.getMessage());
    }
    if (json == null || !json.isObject()) {
      throw new Refused("expected a JSON object {\"name\", \"params\"}");
    }
    JsonNode name = json.get("name");
    if (name == null || !name.isTextual()) {
      throw new Refused("field \"name\": expected the command's name");
    }
    SensorType.CommandSpec spec = type.commands().get(name.textValue());
    if (spec == null) {
      throw new Refused("field \"name\": unknown command \"" + name.textValue() + "\" (declared: "
          + String.join(", ", type.commands().keySet().stream().sorted().toList()) + ")");
    }
    JsonNode params = json.has("params") ? json.get("params") : ProcessedReadings.JSON.createObjectNode();
    try {
      FieldValues.check(spec.params(), params, Set.of(), true);
    } catch (FieldValues.Invalid e) {
      throw new Refused((e.field() == null ? "params" : "params." + e.field()) + ": " + e.getMessage());
    }
    return new DeviceCommand(UUID.randomUUID().toString(), deviceId, name.textValue(), params.toString(),
        "service:" + service, now, DeviceCommand.Status.PENDING, 0, null, null, null);
  }
}
