package io.dcloud.cli.device;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.CliIo;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.Table;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/** Sensor types, devices, readings, commands and bindings as the CLI prints them by default. */
public final class DeviceViews {
  private DeviceViews() {}

  static Table types(Iterable<JsonNode> types) {
    Table table = new Table("NAME", "KIND", "FIELDS", "COMMANDS", "DEVICES", "CREATED-BY", "CREATED");
    types.forEach(t -> table.row(text(t, "name"), text(t, "kind"), names(t.path("fields")), names(t.path("commands")),
        t.path("devices").asInt(), text(t, "createdBy"), text(t, "createdAt")));
    return table;
  }

  /** A type's fields, then each command with each of its parameters as {@code command(param)}. */
  static Table declarations(JsonNode type) {
    Table table = new Table("NAME", "TYPE", "UNIT", "MIN", "MAX");
    type.path("fields").properties().forEach(field -> declaration(table, field.getKey(), field.getValue()));
    type.path("commands").properties().forEach(command -> {
      JsonNode params = command.getValue().path("params");
      if (params.isEmpty()) {
        table.row(command.getKey() + "()", "command", null, null, null);
      }
      params.properties().forEach(param ->
          declaration(table, command.getKey() + "(" + param.getKey() + ")", param.getValue()));
    });
    return table;
  }

  private static void declaration(Table table, String name, JsonNode spec) {
    table.row(name, text(spec, "type"), text(spec, "unit"), bound(spec, "min"), bound(spec, "max"));
  }

  /** A bound as a person writes it: the gateway answers every bound as a double, and 100 reads better than 100.0. */
  private static String bound(JsonNode spec, String field) {
    JsonNode value = spec.path(field);
    return value.isNumber() ? value.decimalValue().stripTrailingZeros().toPlainString() : text(spec, field);
  }

  static Table devices(Iterable<JsonNode> devices) {
    Table table = new Table("ID", "TYPE", "KIND", "LOCATION", "ENABLED", "BOUND-TO");
    devices.forEach(d -> table.row(text(d, "id"), text(d, "type"), text(d, "kind"), location(d.path("location")),
        d.path("enabled").asBoolean(), String.join(",", strings(d.path("boundTo")))));
    return table;
  }

  /** One device, a line per property, its activity included. */
  static void device(PrintStream out, JsonNode d) {
    JsonNode activity = d.path("activity");
    Map<String, Object> lines = new LinkedHashMap<>();
    lines.put("id", text(d, "id"));
    lines.put("type", text(d, "type") + " (" + text(d, "kind") + ")");
    lines.put("location", location(d.path("location")));
    lines.put("metadata", pairs(d.path("metadata")));
    lines.put("enabled", d.path("enabled").asBoolean());
    lines.put("username", text(d, "username"));
    lines.put("created", text(d, "createdAt") + " by " + text(d, "createdBy"));
    lines.put("bound to", String.join(", ", strings(d.path("boundTo"))));
    lines.put("readings", activity.path("accepted").asLong() + " accepted, " + activity.path("rejected").asLong()
        + " rejected");
    lines.put("last reading", text(activity, "lastReadingAt"));
    lines.put("last rejected", text(activity, "lastRejectedAt"));
    lines.put("last rejection", text(activity, "lastRejectionReason"));
    lines.forEach((name, value) -> {
      String shown = value == null ? "" : String.valueOf(value);
      out.println(String.format("%-15s %s", name + ":", shown.isEmpty() || shown.equals("null") ? "-" : shown));
    });
  }

  /** site/building/room, and lat,lon when given: how people find a device. */
  static String location(JsonNode location) {
    List<String> where = new ArrayList<>();
    for (String part : List.of("site", "building", "room")) {
      if (location.path(part).isTextual()) {
        where.add(location.path(part).asText());
      }
    }
    String place = String.join("/", where);
    if (location.path("lat").isNumber() && location.path("lon").isNumber()) {
      place = (place.isEmpty() ? "" : place + " ") + "(" + location.path("lat").asText() + ","
          + location.path("lon").asText() + ")";
    }
    return place;
  }

  static Table readings(Iterable<JsonNode> readings) {
    Table table = new Table("AT", "RECEIVED", "VALUES");
    readings.forEach(r -> table.row(text(r, "at"), text(r, "receivedAt"), pairs(r.path("values"))));
    return table;
  }

  /** A reading as one line, the way {@code readings --follow} prints them as they come. */
  static String reading(JsonNode reading) {
    return text(reading, "at") + "  " + pairs(reading.path("values"));
  }

  static Table commands(Iterable<JsonNode> commands) {
    Table table = new Table("ID", "NAME", "PARAMS", "STATUS", "ATTEMPTS", "ISSUED-BY", "ISSUED", "ANSWER");
    commands.forEach(c -> table.row(text(c, "id"), text(c, "name"), pairs(c.path("params")), text(c, "status"),
        c.path("attempts").asInt(), text(c, "issuedBy"), text(c, "issuedAt"), text(c, "answer")));
    return table;
  }

  public static Table bindings(Iterable<JsonNode> bindings) {
    Table table = new Table("ID", "SERVICE", "OWNER", "DEVICES", "CREATED");
    bindings.forEach(b -> table.row(text(b, "id"), text(b, "service"), text(b, "owner"),
        String.join(",", strings(b.path("devices"))), text(b, "createdAt")));
    return table;
  }

  /**
   * A device's broker credentials on stdout and, on stderr, that the password is not shown again:
   * the registry keeps no copy it could print later, only a rotation makes a new one.
   */
  static void credentials(CliIo io, String device, JsonNode credentials) {
    io.out().println("username: " + text(credentials, "username"));
    io.out().println("password: " + text(credentials, "password"));
    io.out().println("broker:   " + text(credentials, "broker"));
    secretShownOnce(io, device);
  }

  /** The one line on stderr wherever a device's password is printed, whatever the output format. */
  static void secretShownOnce(CliIo io, String device) {
    io.err().println("the password is not shown again: keep it now (a new one: dcloud devices credentials " + device + ")");
  }

  /** {@code k=v k=v} of an object's members, each value as JSON (strings quoted). */
  static String pairs(JsonNode object) {
    StringJoiner joined = new StringJoiner(" ");
    object.properties().forEach(member -> joined.add(member.getKey() + "=" + member.getValue()));
    return joined.toString();
  }

  private static String names(JsonNode object) {
    StringJoiner joined = new StringJoiner(",");
    object.fieldNames().forEachRemaining(joined::add);
    return joined.toString();
  }

  private static List<String> strings(JsonNode array) {
    List<String> strings = new ArrayList<>();
    array.forEach(element -> strings.add(element.asText()));
    return strings;
  }

  private static String text(JsonNode node, String field) {
    return EnvironmentTable.text(node, field);
  }
}
