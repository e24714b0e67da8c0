package io.dcloud.device;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The registry and the commands as meters: {@code dcloud.device.registry.devices}, {@code .bindings}
 * and {@code .erasing} (deleted devices whose readings and commands are not erased yet): gauges on
 * the node that runs the registry singleton, 0 elsewhere, so summed over nodes they are the counts;
 * {@code dcloud.device.bindings.dropped} (bindings a new version of their service no longer consumed,
 * made while it rolled) and
 * {@code dcloud.device.commands} by the {@code status} each command reaches (pending when issued,
 * sent on its first delivery, then acked, rejected or expired).
 */
final class DeviceMetrics {
  private static final AtomicInteger DEVICES = new AtomicInteger();
  private static final AtomicInteger BINDINGS = new AtomicInteger();
  private static final AtomicInteger ERASING = new AtomicInteger();

  static {
    Gauge.builder("dcloud.device.registry.devices", DEVICES, AtomicInteger::get)
        .description("Devices in the device registry (on the node that runs it)")
        .register(Metrics.globalRegistry);
    Gauge.builder("dcloud.device.registry.bindings", BINDINGS, AtomicInteger::get)
        .description("Bindings of services to devices in the device registry (on the node that runs it)")
        .register(Metrics.globalRegistry);
    Gauge.builder("dcloud.device.registry.erasing", ERASING, AtomicInteger::get)
        .description("Deleted devices whose readings and commands are still being erased (on the node that runs the registry)")
        .register(Metrics.globalRegistry);
  }

  private DeviceMetrics() {}

  static void registry(RegistryView view) {
    DEVICES.set(view.devices().size());
    BINDINGS.set(view.bindings().size());
    ERASING.set(view.erasing().size());
  }

  static void bindingsDropped(int count) {
    Counter.builder("dcloud.device.bindings.dropped")
        .description("Bindings removed as a new version of their service no longer consumed a type they bind")
        .register(Metrics.globalRegistry).increment(count);
  }

  static void command(DeviceCommand.Status status) {
    Counter.builder("dcloud.device.commands").tag("status", status.name().toLowerCase(Locale.ROOT))
        .description("Commands to controllers that reached each status").register(Metrics.globalRegistry).increment();
  }
}
