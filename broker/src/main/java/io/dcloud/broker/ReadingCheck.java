package io.dcloud.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.device.Device;
import io.dcloud.device.FieldValues;
import io.dcloud.device.Reading;
import io.dcloud.device.RegistryView;
import io.dcloud.device.SensorType;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;

/**
 * Decides whether a raw reading a device published is kept: its size, its device (known and
 * enabled), JSON, its {@code ts} and its values against the type's fields. The reason of a
 * rejection names what is at fault; it is what the device's last rejection shows.
 */
final class ReadingCheck {
  private static final String TS = "ts";

  private final IngestSettings settings;

  ReadingCheck(IngestSettings settings) {
    this.settings = settings;
  }

  sealed interface Outcome {}

  /** {@code deviceTime}: {@code at} is the device's own {@code ts} (not the arrival). */
  record Accepted(Reading reading, boolean deviceTime) implements Outcome {}

  /** {@code device}: the device, when it is registered (a rejection is recorded on it), else null. */
  record Rejected(Device device, String reason) implements Outcome {}

  Outcome check(String deviceId, byte[] payload, RegistryView view, Instant arrival) {
    Device device = view.devices().get(deviceId);
    if (device == null) {
      return new Rejected(null, "unknown device \"" + deviceId + "\"");
    }
    if (!device.enabled()) {
      return new Rejected(device, "device is disabled");
    }
    SensorType type = view.types().get(device.type());
    if (type == null) {
      return new Rejected(device, "type \"" + device.type() + "\" of the device is not registered");
    }
    if (payload.length > settings.maxPayloadBytes()) {
      return new Rejected(device,
          "payload of " + payload.length + " bytes exceeds the maximum of " + settings.maxPayloadBytes());
    }
    JsonNode json;
    try {
      json = ProcessedReadings.parse(payload);
    } catch (IllegalArgumentException e) {
      return new Rejected(device, e.getMessage());
    }
    if (json == null || !json.isObject()) {
      return new Rejected(device, "expected a JSON object");
    }
    Instant deviceTime;
    try {
      deviceTime = timestamp(json.get(TS));
    } catch (IllegalArgumentException e) {
      return new Rejected(device, e.getMessage());
    }
    Map<String, Object> values;
    try {
      values = FieldValues.check(type.fields(), json, Set.of(TS), false);
    } catch (FieldValues.Invalid e) {
      return new Rejected(device, e.getMessage());
    }
    // A device's clock far off (never set, or wrong zone) would file its readings where no one
    // looks for them: its time is only believed within the configured skew.
    boolean believed = deviceTime != null
        && Duration.between(deviceTime, arrival).abs().compareTo(settings.maxClockSkew()) <= 0;
    Instant at = believed ? deviceTime : arrival;
    return new Accepted(new Reading(deviceId, type.name(), at, arrival, values), believed);
  }

  /** The reading's {@code ts}: ISO-8601 with an offset, or epoch milliseconds; null when absent. */
  private static Instant timestamp(JsonNode ts) {
    if (ts == null || ts.isNull()) {
      return null;
    }
    if (ts.isIntegralNumber() && ts.canConvertToLong()) {
      return Instant.ofEpochMilli(ts.longValue());
    }
    if (ts.isTextual()) {
      try {
        return OffsetDateTime.parse(ts.textValue()).toInstant();
      } catch (DateTimeParseException e) {
        // Reported below with what was given.
      }
    }
    String shown = ts.toString().length() > 40 ? ts.toString().substring(0, 40) + "…" : ts.toString();
    throw new IllegalArgumentException(
        "field \"ts\": expected an ISO-8601 time or epoch milliseconds, got " + shown);
  }
}
