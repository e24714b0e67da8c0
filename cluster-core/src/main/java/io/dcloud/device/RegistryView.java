package io.dcloud.device;

import io.dcloud.serialization.CborSerializable;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * The whole device registry at {@code version} (one more per persisted event): what the broker's
 * access rules, the readings' validation and the gateway's lists are computed from.
 */
public record RegistryView(
    long version, Map<String, SensorType> types, Map<String, Device> devices, Map<String, Binding> bindings,
    Set<String> services, Map<String, String> erasing)
    implements CborSerializable {

  public static final RegistryView EMPTY = new RegistryView(0, Map.of(), Map.of(), Map.of());

  /**
   * {@code services}: those whose apps consume devices, bound or not (none in views from before they
   * were kept); {@code erasing}: deleted devices whose readings and commands are still being erased,
   * by id, with who deleted each (none in views from before erasures were kept).
   */
  public RegistryView {
    types = Map.copyOf(types);
    devices = Map.copyOf(devices);
    bindings = Map.copyOf(bindings);
    services = services == null ? Set.of() : Set.copyOf(services);
    erasing = erasing == null ? Map.of() : Map.copyOf(erasing);
  }

  public RegistryView(long version, Map<String, SensorType> types, Map<String, Device> devices, Map<String, Binding> bindings) {
    this(version, types, devices, bindings, Set.of(), Map.of());
  }

  /** The type of device {@code id}, if both exist. */
  public Optional<SensorType> typeOf(String deviceId) {
    return Optional.ofNullable(devices.get(deviceId)).map(device -> types.get(device.type()));
  }

  /** The bindings of {@code service}, oldest first. */
  public List<Binding> bindingsOf(String service) {
    return bindings.values().stream()
        .filter(binding -> binding.service().equals(service))
        .sorted((a, b) -> a.createdAt().compareTo(b.createdAt()))
        .toList();
  }

  /** Every service with a binding to each device (devices without bindings are absent). */
  public Map<String, List<String>> servicesByDevice() {
    return bindings.values().stream()
        .flatMap(binding -> binding.devices().stream().map(device -> Map.entry(device, binding.service())))
        .collect(Collectors.groupingBy(Map.Entry::getKey,
            Collectors.mapping(Map.Entry::getValue, Collectors.collectingAndThen(Collectors.toSet(), set -> set.stream().sorted().toList()))));
  }
}
