package io.dcloud.broker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;

/**
 * The ingest's meters: {@code dcloud_device_readings_total{outcome}}, {@code
 * dcloud_device_reading_delay_seconds} (a device's own time to its arrival, when it gave one) and
 * {@code dcloud_device_app_commands_total{outcome}} (apps' commands issued or dropped).
 */
final class IngestMeters {
  private final Counter accepted;
  private final Counter rejected;
  private final Timer delay;
  private final Counter commandsIssued;
  private final Counter commandsDropped;

  IngestMeters(MeterRegistry registry) {
    accepted = Counter.builder("dcloud.device.readings").tag("outcome", "accepted")
        .description("Device readings received over MQTT, by whether they were kept").register(registry);
    rejected = Counter.builder("dcloud.device.readings").tag("outcome", "rejected")
        .description("Device readings received over MQTT, by whether they were kept").register(registry);
    delay = Timer.builder("dcloud.device.reading.delay")
        .description("From a reading's own time (ts) to its arrival at DCloud").register(registry);
    commandsIssued = Counter.builder("dcloud.device.app.commands").tag("outcome", "issued")
        .description("Commands apps published to bound controllers, by whether they were issued").register(registry);
    commandsDropped = Counter.builder("dcloud.device.app.commands").tag("outcome", "dropped")
        .description("Commands apps published to bound controllers, by whether they were issued").register(registry);
  }

  void accepted(Duration delayOrNull) {
    accepted.increment();
    // A device whose clock runs ahead would report a negative delay, which a timer cannot hold.
    if (delayOrNull != null && !delayOrNull.isNegative()) {
      delay.record(delayOrNull);
    }
  }

  void rejected() {
    rejected.increment();
  }

  void commandIssued() {
    commandsIssued.increment();
  }

  void commandDropped() {
    commandsDropped.increment();
  }
}
