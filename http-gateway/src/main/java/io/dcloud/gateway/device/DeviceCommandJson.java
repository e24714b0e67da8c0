package io.dcloud.gateway.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.device.DeviceCommand;
import java.io.IOException;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/** A command to a controller as the API shows it: its parameters as JSON and how far it got. */
record DeviceCommandJson(
    String id, String device, String name, JsonNode params, String issuedBy, Instant issuedAt, String status,
    int attempts, Instant lastSentAt, Instant answeredAt, String answer) {

  record Listing(List<DeviceCommandJson> items) {}

  static DeviceCommandJson of(DeviceCommand command, ObjectMapper mapper) {
    return new DeviceCommandJson(command.id(), command.device(), command.name(), params(command.params(), mapper),
        command.issuedBy(), command.issuedAt(), command.status().name().toLowerCase(Locale.ROOT), command.attempts(),
        command.lastSentAt(), command.answeredAt(), command.answer());
  }

  private static JsonNode params(String json, ObjectMapper mapper) {
    try {
      return mapper.readTree(json);
    } catch (IOException e) {
      throw new IllegalStateException("a command's parameters were stored as JSON the gateway wrote", e);
    }
  }
}
