package io.dcloud.device;

import io.dcloud.serialization.CborSerializable;
import java.time.Instant;
import java.util.Map;

/**
 * A kind of device a platform configurer registers: a sensor sends readings of {@code fields}; a
 * controller accepts {@code commands} (and may report fields too). Devices name their type; apps
 * name the types they consume.
 *
 * @param fields what one reading may hold, by field name (sensors: at least one)
 * @param commands what a controller accepts, by command name (controllers: at least one)
 */
public record SensorType(
    String name,
    Kind kind,
    Map<String, Field> fields,
    Map<String, CommandSpec> commands,
    String createdBy,
    Instant createdAt)
    implements CborSerializable {

  public SensorType {
    fields = fields == null ? Map.of() : Map.copyOf(fields);
    commands = commands == null ? Map.of() : Map.copyOf(commands);
  }

  public enum Kind {
    SENSOR,
    CONTROLLER
  }

  public enum FieldType {
    NUMBER,
    INTEGER,
    BOOLEAN,
    STRING
  }

  /** One value of a reading or a command's parameter; {@code min}/{@code max} bound numbers (null: none). */
  public record Field(FieldType type, String unit, Double min, Double max) implements CborSerializable {}

  /** A command a controller accepts and its parameters (all required). */
  public record CommandSpec(Map<String, Field> params) implements CborSerializable {
    public CommandSpec {
      params = params == null ? Map.of() : Map.copyOf(params);
    }
  }
}
