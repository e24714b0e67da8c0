package io.dcloud.gateway.device;

import io.dcloud.device.Device;
import io.dcloud.device.DeviceActivity;
import io.dcloud.device.DeviceTopics;
import io.dcloud.device.Location;
import io.dcloud.device.RegistryView;
import io.dcloud.device.SensorType;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A device as the API shows it. {@code activity} is null in lists (it is asked of the readings store
 * per device); {@code boundTo}: the services it is bound to.
 */
record DeviceJson(
    String id,
    String type,
    String kind,
    Location location,
    Map<String, String> metadata,
    boolean enabled,
    String username,
    String createdBy,
    Instant createdAt,
    DeviceActivity activity,
    List<String> boundTo) {

  /** What a device logs in with: shown when made or rotated, never again (the password is not stored). */
  record Credentials(String username, String password, String broker) {}

  /** {@code POST /devices}' answer: the device and, this once, its credentials. */
  record Created(
      String id, String type, String kind, Location location, Map<String, String> metadata, boolean enabled,
      String username, String createdBy, Instant createdAt, DeviceActivity activity, List<String> boundTo,
      Credentials credentials) {
    static Created of(DeviceJson device, Credentials credentials) {
      return new Created(device.id, device.type, device.kind, device.location, device.metadata, device.enabled,
          device.username, device.createdBy, device.createdAt, device.activity, device.boundTo, credentials);
    }
  }

  record Listing(List<DeviceJson> items) {}

  record Broker(String url) {}

  static DeviceJson of(Device device, RegistryView view, DeviceActivity activity) {
    SensorType type = view.types().get(device.type());
    return new DeviceJson(device.id(), device.type(),
        type == null ? null : type.kind().name().toLowerCase(Locale.ROOT), device.location(), device.metadata(),
        device.enabled(), DeviceTopics.deviceUsername(device.id()), device.createdBy(), device.createdAt(), activity,
        view.servicesByDevice().getOrDefault(device.id(), List.of()));
  }
}
