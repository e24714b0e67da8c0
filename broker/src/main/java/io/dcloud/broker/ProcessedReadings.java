package io.dcloud.broker;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.device.DeviceTopics;
import io.dcloud.device.Reading;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The processed reading as DCloud publishes it on {@link DeviceTopics#processed} for apps (and the
 * gateways' live feeds): {@code {"device", "type", "at", "receivedAt", "values"}}, times in ISO-8601.
 */
public final class ProcessedReadings {
  /** Integers back as Long, as FieldValues gives INTEGER values; decimals as Double. */
  static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.USE_LONG_FOR_INTS).build();

  private ProcessedReadings() {}

  /** A payload devices or apps published, as JSON; {@code null} for an empty one. */
  static JsonNode parse(byte[] payload) {
    try {
      return JSON.readTree(payload);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  public static byte[] toJson(Reading reading) {
    ObjectNode node = JSON.createObjectNode();
    node.put("device", reading.device());
    node.put("type", reading.type());
    node.put("at", reading.at().toString());
    node.put("receivedAt", reading.receivedAt().toString());
    node.set("values", JSON.valueToTree(reading.values()));
    try {
      return JSON.writeValueAsBytes(node);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @throws IllegalArgumentException when {@code json} is not a processed reading */
  public static Reading fromJson(byte[] json) {
    try {
      JsonNode node = JSON.readTree(json);
      Map<String, Object> values = new LinkedHashMap<>();
      node.required("values").fields().forEachRemaining(entry ->
          values.put(entry.getKey(), JSON.convertValue(entry.getValue(), Object.class)));
      return new Reading(node.required("device").asText(), node.required("type").asText(),
          Instant.parse(node.required("at").asText()), Instant.parse(node.required("receivedAt").asText()), values);
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("not a processed reading: " + new String(json, StandardCharsets.UTF_8), e);
    }
  }
}
