package io.dcloud.gateway.device;

import io.dcloud.device.SensorType;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** A sensor or controller type as the API shows it; {@code devices}: how many devices have it. */
record SensorTypeJson(
    String name, String kind, Map<String, FieldJson> fields, Map<String, CommandJson> commands, String createdBy,
    Instant createdAt, long devices) {

  record FieldJson(String type, String unit, Double min, Double max) {
    static FieldJson of(SensorType.Field field) {
      return new FieldJson(field.type().name().toLowerCase(Locale.ROOT), field.unit(), field.min(), field.max());
    }
  }

  record CommandJson(Map<String, FieldJson> params) {}

  record Listing(List<SensorTypeJson> items) {}

  static SensorTypeJson of(SensorType type, long devices) {
    Map<String, CommandJson> commands = new TreeMap<>();
    type.commands().forEach((name, spec) -> commands.put(name, new CommandJson(fields(spec.params()))));
    return new SensorTypeJson(type.name(), type.kind().name().toLowerCase(Locale.ROOT), fields(type.fields()), commands,
        type.createdBy(), type.createdAt(), devices);
  }

  static Map<String, FieldJson> fields(Map<String, SensorType.Field> fields) {
    Map<String, FieldJson> shown = new TreeMap<>();
    fields.forEach((name, field) -> shown.put(name, FieldJson.of(field)));
    return shown;
  }
}
