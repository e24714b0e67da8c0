package io.dcloud.cli.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The simulated readings look like a real sensor's: bounded, smooth, of the declared types. */
class SimulatorValuesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int READINGS = 10_000;

  private static List<ObjectNode> readings(String fields, long seed) throws Exception {
    SimulatorValues values = SimulatorValues.of(JSON.readTree(fields), new Random(seed));
    List<ObjectNode> readings = new ArrayList<>();
    for (int i = 0; i < READINGS; i++) {
      readings.add(values.next(1_000_000L + i));
    }
    return readings;
  }

  @Test
  void numbersWalkInSmallStepsWithinTheirBounds() throws Exception {
    List<ObjectNode> readings = readings("""
        {"temperature": {"type": "number", "unit": "C", "min": -20, "max": 50},
         "humidity": {"type": "integer", "min": 0.5, "max": 99.5}}""", 1);

    Set<Double> distinct = new HashSet<>();
    double previous = readings.get(0).get("temperature").asDouble();
    for (ObjectNode reading : readings) {
      JsonNode temperature = reading.get("temperature");
      assertThat(temperature.isNumber()).isTrue();
      assertThat(temperature.asDouble()).isBetween(-20.0, 50.0);
      // A step's deviation is 2% of the range (1.4): ten of them would be a jump, not a walk.
      assertThat(Math.abs(temperature.asDouble() - previous)).isLessThan(14.0);
      previous = temperature.asDouble();
      distinct.add(temperature.asDouble());

      JsonNode humidity = reading.get("humidity");
      assertThat(humidity.isIntegralNumber()).as(reading.toString()).isTrue();
      assertThat(humidity.asLong()).isBetween(1L, 99L);
    }
    assertThat(distinct).hasSizeGreaterThan(READINGS / 10);
    // Two decimals, as a sensor reports them.
    assertThat(readings).allSatisfy(r ->
        assertThat(Math.abs(r.get("temperature").asDouble() * 100 - Math.round(r.get("temperature").asDouble() * 100)))
            .isLessThan(1e-6));
  }

  @Test
  void aMissingBoundMeansARangeOfAHundredOnThatSide() throws Exception {
    List<ObjectNode> readings = readings("""
        {"free": {"type": "number"}, "capped": {"type": "number", "max": 10}, "floored": {"type": "integer", "min": 1000}}""", 2);

    assertThat(readings).allSatisfy(r -> {
      assertThat(r.get("free").asDouble()).isBetween(0.0, 100.0);
      assertThat(r.get("capped").asDouble()).isBetween(-90.0, 10.0);
      assertThat(r.get("floored").asLong()).isBetween(1000L, 1100L);
    });
  }

  @Test
  void booleansAndStringsChangeRarely() throws Exception {
    List<ObjectNode> readings = readings("""
        {"open": {"type": "boolean"}, "state": {"type": "string"}}""", 3);

    int flips = 0;
    int changes = 0;
    for (int i = 1; i < readings.size(); i++) {
      assertThat(readings.get(i).get("open").isBoolean()).isTrue();
      assertThat(readings.get(i).get("state").asText()).isIn(SimulatorValues.STRINGS);
      flips += readings.get(i).get("open").equals(readings.get(i - 1).get("open")) ? 0 : 1;
      changes += readings.get(i).get("state").equals(readings.get(i - 1).get("state")) ? 0 : 1;
    }
    // About 2% of the readings flip: some do, far from all.
    assertThat(flips).isBetween(READINGS / 200, READINGS / 20);
    assertThat(changes).isBetween(1, READINGS / 20);
  }

  @Test
  void everyReadingCarriesItsTimestampInEpochMillis() throws Exception {
    List<ObjectNode> readings = readings("{\"t\": {\"type\": \"number\"}}", 4);

    assertThat(readings.get(0).get("ts").asLong()).isEqualTo(1_000_000L);
    assertThat(readings.get(READINGS - 1).get("ts").asLong()).isEqualTo(1_000_000L + READINGS - 1);
    assertThat(readings.get(0).size()).isEqualTo(2);
  }
}
