package io.dcloud.cli.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * One simulated device's readings: each field of its sensor type moves like a real sensor's rather
 * than jumping. Numbers take a bounded random walk within the field's min..max (a step is a small
 * fraction of the range, reflected at the bounds), integers the same walk rounded, booleans and
 * strings change rarely. Not thread-safe: one device's values come from one thread at a time.
 */
final class SimulatorValues {
  /** Without a declared bound, a field walks over this much on the side that has none. */
  static final double DEFAULT_SPAN = 100;
  /** A step's standard deviation, as a fraction of the field's range. */
  static final double STEP = 0.02;
  /** How often a boolean or string field changes, per reading. */
  static final double CHANGE = 0.02;
  static final List<String> STRINGS = List.of("ok", "idle", "busy", "warning");

  private final List<Walk> walks;
  private final Random random;

  private SimulatorValues(List<Walk> walks, Random random) {
    this.walks = walks;
    this.random = random;
  }

  /** For a sensor type's {@code fields} ({@code {name: {type, unit?, min?, max?}}}, as the API answers them). */
  static SimulatorValues of(JsonNode fields, Random random) {
    List<Walk> walks = new ArrayList<>();
    for (Map.Entry<String, JsonNode> field : (Iterable<Map.Entry<String, JsonNode>>) fields::fields) {
      walks.add(Walk.of(field.getKey(), field.getValue(), random));
    }
    return new SimulatorValues(List.copyOf(walks), random);
  }

  boolean isEmpty() {
    return walks.isEmpty();
  }

  /** The next reading: {@code {"ts": epochMillis, field: value, ...}}. */
  ObjectNode next(long epochMillis) {
    ObjectNode reading = JsonNodeFactory.instance.objectNode().put("ts", epochMillis);
    walks.forEach(walk -> walk.next(reading, random));
    return reading;
  }

  /** One field's state between readings. */
  private static final class Walk {
    private final String name;
    private final String type;
    private final double min;
    private final double max;
    private double value;
    private int choice;
    private boolean flag;

    private Walk(String name, String type, double min, double max, double value, int choice, boolean flag) {
      this.name = name;
      this.type = type;
      this.min = min;
      this.max = max;
      this.value = value;
      this.choice = choice;
      this.flag = flag;
    }

    static Walk of(String name, JsonNode field, Random random) {
      String type = field.path("type").asText("number");
      boolean hasMin = field.path("min").isNumber();
      boolean hasMax = field.path("max").isNumber();
      double min = hasMin ? field.get("min").asDouble() : (hasMax ? field.get("max").asDouble() - DEFAULT_SPAN : 0);
      double max = hasMax ? field.get("max").asDouble() : min + DEFAULT_SPAN;
      if (type.equals("integer")) {
        // Rounded values must stay inside too: walk between the integers the bounds allow.
        min = Math.ceil(min);
        max = Math.floor(max);
      }
      // Devices of one type start apart, each somewhere in the middle half of the range.
      double start = min + (max - min) * (0.25 + 0.5 * random.nextDouble());
      return new Walk(name, type, min, max, start, random.nextInt(STRINGS.size()), random.nextBoolean());
    }

    void next(ObjectNode reading, Random random) {
      switch (type) {
        case "boolean" -> {
          if (random.nextDouble() < CHANGE) {
            flag = !flag;
          }
          reading.put(name, flag);
        }
        case "string" -> {
          if (random.nextDouble() < CHANGE) {
            choice = random.nextInt(STRINGS.size());
          }
          reading.put(name, STRINGS.get(choice));
        }
        case "integer" -> reading.put(name, Math.round(step(random)));
        // Two decimals, as a real sensor reports them (kept inside bounds that have more).
        default -> reading.put(name, Math.max(min, Math.min(max, Math.round(step(random) * 100) / 100.0)));
      }
    }

    private double step(Random random) {
      double next = value + random.nextGaussian() * STEP * (max - min);
      // Reflected at the bounds (then clamped, for a step larger than the range).
      if (next > max) {
        next = 2 * max - next;
      }
      if (next < min) {
        next = 2 * min - next;
      }
      value = Math.max(min, Math.min(max, next));
      return value;
    }
  }
}
