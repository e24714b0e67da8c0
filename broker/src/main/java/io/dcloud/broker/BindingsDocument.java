package io.dcloud.broker;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.device.Binding;
import io.dcloud.device.Device;
import io.dcloud.device.DeviceTopics;
import io.dcloud.device.Location;
import io.dcloud.device.RegistryView;
import io.dcloud.device.SensorType;
import java.util.List;
import java.util.Locale;
import java.util.Objects;

/**
 * What a service's app reads, retained, on {@code dcloud/services/<name>/bindings}: its bindings
 * and, for each bound device, where its readings arrive and (controllers) where to command it.
 */
public record BindingsDocument(String service, List<BoundBinding> bindings) {
  private static final ObjectMapper JSON = new ObjectMapper().setSerializationInclusion(JsonInclude.Include.NON_NULL);

  public record BoundBinding(String id, String owner, List<BoundDevice> devices) {}

  /** {@code commands}: null for sensors (left out of the JSON). */
  public record BoundDevice(String id, String type, String kind, Location location, String readings, String commands) {}

  /** The document of {@code service} in {@code view} (no bindings: an empty list). */
  public static BindingsDocument of(RegistryView view, String service) {
    List<BoundBinding> bindings = view.bindingsOf(service).stream()
        .map(binding -> new BoundBinding(binding.id(), binding.owner(), devices(view, service, binding)))
        .toList();
    return new BindingsDocument(service, bindings);
  }

  private static List<BoundDevice> devices(RegistryView view, String service, Binding binding) {
    return binding.devices().stream()
        .map(id -> {
          Device device = view.devices().get(id);
          SensorType type = view.typeOf(id).orElse(null);
          if (device == null || type == null) {
            return null; // the registry takes deleted devices out of bindings; a stale reference is skipped
          }
          boolean controller = type.kind() == SensorType.Kind.CONTROLLER;
          return new BoundDevice(id, type.name(), type.kind().name().toLowerCase(Locale.ROOT), device.location(),
              DeviceTopics.processed(id), controller ? DeviceTopics.serviceCommands(service, id) : null);
        })
        .filter(Objects::nonNull)
        .toList();
  }

  public String json() {
    try {
      return JSON.writeValueAsString(this);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("a bindings document is always writable", e);
    }
  }
}
