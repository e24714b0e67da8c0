package io.dcloud.broker;

import io.dcloud.device.Binding;
import io.dcloud.device.Device;
import io.dcloud.device.Location;
import io.dcloud.device.RegistryView;
import io.dcloud.device.SensorType;
import io.dcloud.device.SensorType.CommandSpec;
import io.dcloud.device.SensorType.Field;
import io.dcloud.device.SensorType.FieldType;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Registry views for the broker's tests: a thermometer type (sensor) and a valve type (controller). */
final class Registries {
  private Registries() {}

  static final Instant AT = Instant.parse("2026-01-01T00:00:00Z");
  static final SensorType THERMO = new SensorType("thermo", SensorType.Kind.SENSOR,
      Map.of("temperature", new Field(FieldType.NUMBER, "C", -40.0, 85.0)), Map.of(), "conf", AT);
  static final SensorType VALVE = new SensorType("valve", SensorType.Kind.CONTROLLER, Map.of(),
      Map.of("open", new CommandSpec(Map.of("percent", new Field(FieldType.INTEGER, "%", 0.0, 100.0)))), "conf", AT);

  static Device device(String id, String type) {
    return new Device(id, type, new Location("lab", "b1", "r" + id, null, null), Map.of(), true, "nonce-" + id, "conf", AT);
  }

  static Binding binding(String id, String service, int minute, String... devices) {
    return new Binding(id, service, "alice", Arrays.asList(devices), AT.plusSeconds(60L * minute));
  }

  /** A view at {@code version} of both types, these devices and bindings. */
  static RegistryView view(long version, List<Device> devices, List<Binding> bindings) {
    Map<String, Device> byId = new HashMap<>();
    devices.forEach(device -> byId.put(device.id(), device));
    Map<String, Binding> bindingsById = new HashMap<>();
    bindings.forEach(binding -> bindingsById.put(binding.id(), binding));
    return new RegistryView(version, Map.of(THERMO.name(), THERMO, VALVE.name(), VALVE), byId, bindingsById);
  }
}
