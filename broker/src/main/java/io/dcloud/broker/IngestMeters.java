package io.dcloud.broker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ingest's meters: {@code dcloud_device_readings_total{outcome}} (accepted, rejected, or lost:
 * accepted but never stored), {@code dcloud_device_reading_delay_seconds} (a device's own time to
 * its arrival, when it gave one) and {@code dcloud_device_app_commands_total{outcome}} (apps'
 * commands issued, dropped, or lost: never confirmed by their controller's entity), and {@code
 * dcloud_device_messages_unacknowledged}: messages received and not yet acknowledged to the broker
 * (being stored or retried; the broker sends a client only so many unacknowledged at once, so a
 * count stuck high means the ingest is stalled).
 */
final class IngestMeters {
  private final Counter accepted;
  private final Counter rejected;
  private final Counter lost;
  private final Timer delay;
  private final Counter commandsIssued;
  private final Counter commandsDropped;
  private final Counter commandsLost;
  private final AtomicInteger unacknowledged = new AtomicInteger();

  IngestMeters(MeterRegistry registry) {
    accepted = readings(registry, "accepted");
    rejected = readings(registry, "rejected");
    lost = readings(registry, "lost");
    delay = Timer.builder("dcloud.device.reading.delay")
        .description("From a reading's own time (ts) to its arrival at DCloud").register(registry);
    commandsIssued = appCommands(registry, "issued");
    commandsDropped = appCommands(registry, "dropped");
    commandsLost = appCommands(registry, "lost");
    Gauge.builder("dcloud.device.messages.unacknowledged", unacknowledged, AtomicInteger::get)
        .description("Messages received over MQTT and not yet acknowledged to the broker (being handled)")
        .register(registry);
  }

  private static Counter readings(MeterRegistry registry, String outcome) {
    return Counter.builder("dcloud.device.readings").tag("outcome", outcome)
        .description("Device readings received over MQTT, by whether they were kept").register(registry);
  }

  private static Counter appCommands(MeterRegistry registry, String outcome) {
    return Counter.builder("dcloud.device.app.commands").tag("outcome", outcome)
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

  /** A message arrived: counted unacknowledged until {@link #acknowledged()}. */
  void received() {
    unacknowledged.incrementAndGet();
  }

  void acknowledged() {
    unacknowledged.decrementAndGet();
  }

  /** An accepted reading whose every write failed. */
  void lost() {
    lost.increment();
  }

  void commandIssued() {
    commandsIssued.increment();
  }

  void commandDropped() {
    commandsDropped.increment();
  }

  /** A valid app command its controller's entity never confirmed. */
  void commandLost() {
    commandsLost.increment();
  }
}
