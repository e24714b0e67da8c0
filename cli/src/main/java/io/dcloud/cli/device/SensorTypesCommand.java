package io.dcloud.cli.device;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Noun;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.SpecFiles;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dcloud sensor-types [ls | create -f FILE | get NAME | rm NAME]}: what sensors measure and controllers do. */
@Command(name = "sensor-types", description = "Sensor and controller types: list (the default), create, show, delete")
public final class SensorTypesCommand extends Noun implements Callable<Integer> {

  @Override
  public Integer call() {
    return runByDefault("ls");
  }

  @Command(name = "ls", aliases = "list", description = "List the sensor and controller types")
  int ls(@Mixin OutputOption format) {
    JsonNode listing = client().get("/sensor-types");
    format.print(io().out(), listing, () -> DeviceViews.types(listing.path("items")));
    return ExitCodes.OK;
  }

  @Command(name = "create", description = "Register a type from a YAML or JSON file (platform configurers, admins):"
      + " name, kind (sensor|controller), fields {f: {type, unit, min, max}}, commands {c: {params: {p: {...}}}}")
  int create(@Mixin OutputOption format,
      @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "The type; - reads stdin")
      String file) {
    JsonNode created = client().post("/sensor-types", SpecFiles.read(file, io().in()));
    format.print(io().out(), created, () -> DeviceViews.types(List.of(created)));
    return ExitCodes.OK;
  }

  @Command(name = "get", aliases = "show", description = "Show a type's fields and commands")
  int get(@Mixin OutputOption format, @Parameters(paramLabel = "NAME") String name) {
    JsonNode type = client().get(path(name));
    if (format.format == OutputOption.Format.table) {
      io().out().println(type.path("name").asText() + ": " + type.path("kind").asText() + ", "
          + type.path("devices").asInt() + " device(s), created by " + type.path("createdBy").asText());
    }
    format.print(io().out(), type, () -> DeviceViews.declarations(type));
    return ExitCodes.OK;
  }

  @Command(name = "rm", aliases = "delete", description = "Delete a type no device uses")
  int rm(@Parameters(paramLabel = "NAME") String name) {
    client().delete(path(name));
    io().out().println(name + " deleted");
    return ExitCodes.OK;
  }

  private static String path(String name) {
    return "/sensor-types/" + ApiClient.segment(name);
  }
}
