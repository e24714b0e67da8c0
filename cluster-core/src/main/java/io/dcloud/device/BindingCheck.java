package io.dcloud.device;

import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Whether a binding may be made: every device exists, is enabled and has a type its service declared,
 * and per declared type the binding holds between min and max of them. The reason names the device or
 * type at fault (the API answers it as field "devices").
 */
final class BindingCheck {
  private BindingCheck() {}

  /** Why {@code binding} may not be made in {@code view} given {@code slots}; empty when it may. */
  static Optional<String> refusal(RegistryView view, Binding binding, List<BindingSlot> slots) {
    if (binding.devices().isEmpty()) {
      return Optional.of("a binding needs at least one device");
    }
    Map<String, BindingSlot> byType = new LinkedHashMap<>();
    slots.forEach(slot -> byType.put(slot.type(), slot));
    Map<String, Integer> counts = new LinkedHashMap<>();
    Set<String> seen = new HashSet<>();
    for (String id : binding.devices()) {
      Device device = view.devices().get(id);
      if (!seen.add(id)) {
        return Optional.of("device \"" + id + "\" is listed twice");
      } else if (device == null) {
        return Optional.of("device \"" + id + "\" does not exist");
      } else if (!device.enabled()) {
        return Optional.of("device \"" + id + "\" is disabled");
      } else if (!byType.containsKey(device.type())) {
        return Optional.of("device \"" + id + "\" is of type \"" + device.type() + "\", which service \""
            + binding.service() + "\" does not take (it takes: " + declared(slots) + ")");
      }
      counts.merge(device.type(), 1, Integer::sum);
    }
    for (BindingSlot slot : byType.values()) {
      int count = counts.getOrDefault(slot.type(), 0);
      if (count < slot.min() || count > slot.max()) {
        return Optional.of("type \"" + slot.type() + "\": the binding has " + count + " of its devices; service \""
            + binding.service() + "\" takes " + slot.min() + " to " + slot.max());
      }
    }
    return Optional.empty();
  }

  /**
   * Why {@code binding} may not be made beside the bindings {@code view} holds: a controller its
   * service already commands through another binding. Two bindings of one service to one controller
   * (two users each binding the thermostat to the same valve) would run two control loops on it; a
   * controller is its service's through one binding, as a ReadWriteOnce volume is one node's. Another
   * user's binding is not named: its maker sees it, the caller does not.
   */
  static Optional<String> conflict(RegistryView view, Binding binding) {
    for (String id : binding.devices()) {
      boolean controller = view.typeOf(id).map(type -> type.kind() == SensorType.Kind.CONTROLLER).orElse(false);
      List<Binding> holding = !controller ? List.of() : view.bindingsOf(binding.service()).stream()
          .filter(other -> other.devices().contains(id)).toList();
      if (!holding.isEmpty()) {
        // The caller's own binding, when one holds it, is the one to name: that one they can unbind.
        String which = holding.stream().filter(other -> other.owner().equals(binding.owner())).findFirst()
            .map(own -> "binding " + own.id()).orElse("another user's binding");
        return Optional.of("controller \"" + id + "\" is already bound to service \"" + binding.service() + "\" by "
            + which + ": a service commands a controller through one binding, so two of its control loops never"
            + " drive one device");
      }
    }
    return Optional.empty();
  }

  private static String declared(List<BindingSlot> slots) {
    return slots.isEmpty() ? "no device types" : String.join(", ", slots.stream().map(BindingSlot::type).toList());
  }
}
