package io.dcloud.device;

import io.dcloud.device.DeviceRegistry.BindingCreated;
import io.dcloud.device.DeviceRegistry.BindingDeleted;
import io.dcloud.device.DeviceRegistry.CredentialsRotated;
import io.dcloud.device.DeviceRegistry.DeviceDeleted;
import io.dcloud.device.DeviceRegistry.DeviceEnabledChanged;
import io.dcloud.device.DeviceRegistry.DeviceRegistered;
import io.dcloud.device.DeviceRegistry.Event;
import io.dcloud.device.DeviceRegistry.TypeDeleted;
import io.dcloud.device.DeviceRegistry.TypeRegistered;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The registry's events folded into its {@link RegistryView}: one version more per event, whatever
 * it changed, so a copy of the view can tell it is behind from {@link RegistryChanged} alone.
 */
final class RegistryFold {
  /** Who deleted a device whose deletion was recorded before its deleter was. */
  static final String UNKNOWN = "unknown";

  private RegistryFold() {}

  static RegistryView apply(RegistryView view, Event event) {
    Map<String, SensorType> types = new HashMap<>(view.types());
    Map<String, Device> devices = new HashMap<>(view.devices());
    Map<String, Binding> bindings = new HashMap<>(view.bindings());
    Set<String> services = new HashSet<>(view.services());
    Map<String, String> erasing = new HashMap<>(view.erasing());
    if (event instanceof TypeRegistered e) {
      types.put(e.type().name(), e.type());
    } else if (event instanceof TypeDeleted e) {
      types.remove(e.name());
    } else if (event instanceof DeviceRegistered e) {
      devices.put(e.device().id(), e.device());
      // Registered only once no erasure is owed, so one here was folded from a deletion recorded
      // before erasures were (its data forgotten then): erasing it now would erase the new device's.
      erasing.remove(e.device().id());
    } else if (event instanceof DeviceEnabledChanged e) {
      devices.computeIfPresent(e.id(), (id, device) -> device.withEnabled(e.enabled()));
    } else if (event instanceof CredentialsRotated e) {
      devices.computeIfPresent(e.id(), (id, device) -> device.withCredentialNonce(e.nonce()));
    } else if (event instanceof DeviceDeleted e) {
      devices.remove(e.id());
      withoutDevice(bindings, e.id());
      erasing.put(e.id(), e.deletedBy() == null ? UNKNOWN : e.deletedBy());
    } else if (event instanceof DeviceRegistry.DeviceErased e) {
      erasing.remove(e.id());
    } else if (event instanceof BindingCreated e) {
      bindings.put(e.binding().id(), e.binding());
    } else if (event instanceof BindingDeleted e) {
      bindings.remove(e.id());
    } else if (event instanceof DeviceRegistry.ServiceDeclared e) {
      services.add(e.service());
    } else if (event instanceof DeviceRegistry.ServiceRetired e) {
      services.remove(e.service());
    }
    return new RegistryView(view.version() + 1, types, devices, bindings, services, erasing);
  }

  /** A deleted device leaves every binding; a binding it leaves empty goes too (it would bind nothing). */
  private static void withoutDevice(Map<String, Binding> bindings, String deviceId) {
    for (Binding binding : Map.copyOf(bindings).values()) {
      if (binding.devices().contains(deviceId)) {
        var rest = binding.devices().stream().filter(d -> !d.equals(deviceId)).toList();
        if (rest.isEmpty()) {
          bindings.remove(binding.id());
        } else {
          bindings.put(binding.id(),
              new Binding(binding.id(), binding.service(), binding.owner(), rest, binding.createdAt()));
        }
      }
    }
  }
}
