package io.dcloud.device;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.device.SensorType.Field;
import io.dcloud.device.SensorType.FieldType;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Readings and command parameters against declared fields: what is kept, and the reason of what is not. */
class FieldValuesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, Field> FIELDS = Map.of(
      "temperature", new Field(FieldType.NUMBER, "°C", -40.0, 125.0),
      "count", new Field(FieldType.INTEGER, null, 0.0, null),
      "door", new Field(FieldType.BOOLEAN, null, null, null),
      "label", new Field(FieldType.STRING, null, null, null));

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  private static Map<String, Object> reading(String text) throws Exception {
    return FieldValues.check(FIELDS, json(text), Set.of("ts"), false);
  }

  private static void refused(String text, boolean allRequired, String field, String reason) {
    assertThatThrownBy(() -> FieldValues.check(FIELDS, json(text), Set.of("ts"), allRequired))
        .isInstanceOfSatisfying(FieldValues.Invalid.class, invalid -> {
          assertThat(invalid.field()).isEqualTo(field);
          assertThat(invalid.getMessage()).isEqualTo(reason);
        });
  }

  @Test
  void keepsEachTypeAsItsJavaValueInTheObjectsOrder() throws Exception {
    Map<String, Object> values = reading("{\"label\": \"hall\", \"temperature\": 21, \"count\": 3, \"door\": true}");

    assertThat(values).containsExactly(Map.entry("label", "hall"), Map.entry("temperature", 21.0),
        Map.entry("count", 3L), Map.entry("door", true));
  }

  @Test
  void ignoresTheTimestampAndNeedsOnlyOneFieldOfAReading() throws Exception {
    assertThat(reading("{\"ts\": \"2026-12-01T10:00:00Z\", \"temperature\": -3.5}"))
        .containsExactly(Map.entry("temperature", -3.5));
    refused("{\"ts\": 1764583200000}", false, null, "no field of the type (declared: count, door, label, temperature)");
  }

  @Test
  void namesTheFieldOfAWrongType() {
    refused("{\"temperature\": \"hot\"}", false, "temperature", "field \"temperature\": expected a number, got \"hot\"");
    refused("{\"count\": 2.5}", false, "count", "field \"count\": expected an integer, got 2.5");
    refused("{\"door\": \"open\"}", false, "door", "field \"door\": expected true or false, got \"open\"");
    refused("{\"label\": 7}", false, "label", "field \"label\": expected a string, got 7");
  }

  @Test
  void refusesValuesOutsideTheirBounds() {
    refused("{\"temperature\": 125.5}", false, "temperature", "field \"temperature\": 125.5 is above its maximum 125.0");
    refused("{\"temperature\": -41}", false, "temperature", "field \"temperature\": -41.0 is below its minimum -40.0");
    refused("{\"count\": -1}", false, "count", "field \"count\": -1.0 is below its minimum 0.0");
  }

  @Test
  void refusesUnknownFieldsAndWhatIsNotAnObject() {
    refused("{\"temperature\": 20, \"x\": 1}", false, "x", "unknown field \"x\" (declared: count, door, label, temperature)");
    refused("[1, 2]", false, null, "expected a JSON object");
    refused("{\"ts\": 1, \"TS\": 2}", false, "TS", "unknown field \"TS\" (declared: count, door, label, temperature)");
  }

  @Test
  void commandParametersAreAllRequired() throws Exception {
    refused("{\"temperature\": 20, \"count\": 1, \"door\": false}", true, "label", "field \"label\" is required");

    assertThat(FieldValues.check(FIELDS, json("{\"temperature\": 20, \"count\": 1, \"door\": false, \"label\": \"x\"}"),
        Set.of(), true)).hasSize(4);
  }
}
