package io.dcloud.broker;

import io.dcloud.device.Binding;
import io.dcloud.device.Device;
import io.dcloud.device.Location;
import io.dcloud.device.RegistryView;
import io.dcloud.device.SensorType;
import io.dcloud.device.SensorType.Field;
import io.dcloud.device.SensorType.FieldType;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A registry for the ingest's tests: sensors of type thermo (thermo-1 enabled, thermo-off
 * disabled) and controllers of type valve; service greenhouse is bound to thermo-1 and valve-1,
 * not valve-2.
 */
final class TestRegistry {
  private TestRegistry() {}

  static final Instant CREATED = Instant.parse("2026-01-01T00:00:00Z");

  static final SensorType THERMO = new SensorType("thermo", SensorType.Kind.SENSOR, Map.of(
      "temperature", new Field(FieldType.NUMBER, "°C", -40.0, 85.0),
      "humidity", new Field(FieldType.INTEGER, "%", 0.0, 100.0),
      "ok", new Field(FieldType.BOOLEAN, null, null, null),
      "mode", new Field(FieldType.STRING, null, null, null)), Map.of(), "configurer", CREATED);

  static final SensorType VALVE = new SensorType("valve", SensorType.Kind.CONTROLLER, Map.of(), Map.of(
      "set", new SensorType.CommandSpec(Map.of("position", new Field(FieldType.INTEGER, "%", 0.0, 100.0))),
      "close", new SensorType.CommandSpec(Map.of())), "configurer", CREATED);

  static final RegistryView VIEW = new RegistryView(7,
      Map.of("thermo", THERMO, "valve", VALVE),
      Map.of("thermo-1", device("thermo-1", "thermo", true), "thermo-2", device("thermo-2", "thermo", true),
          "thermo-off", device("thermo-off", "thermo", false),
          "valve-1", device("valve-1", "valve", true), "valve-2", device("valve-2", "valve", true)),
      Map.of("b1", new Binding("b1", "greenhouse", "alice", List.of("thermo-1", "valve-1"), CREATED)));

  private static Device device(String id, String type, boolean enabled) {
    return new Device(id, type, new Location("lab", null, null, null, null), Map.of(), enabled, "nonce", "configurer", CREATED);
  }
}
