package io.dcloud.cli.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.KeyValues;
import io.dcloud.cli.common.Noun;
import io.dcloud.cli.common.OutputOption;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud devices [ls | create | get | disable | enable | rm | credentials | readings | command | commands]}:
 * sensor and controller instances, each with its own broker account.
 */
@Command(name = "devices", description = "Sensors and controllers: list (the default), register, show, disable, enable,"
    + " delete, new credentials, readings, commands",
    subcommands = {DeviceReadingsCommand.class, DeviceCommandCommand.class, DevicesSimulateCommand.class})
public final class DevicesCommand extends Noun implements Callable<Integer> {

  @Override
  public Integer call() {
    return runByDefault("ls");
  }

  @Command(name = "ls", aliases = "list", description = "List the devices, filtered by type and location")
  int ls(@Mixin OutputOption format,
      @Option(names = "--type", paramLabel = "T", description = "Of this type") String type,
      @Option(names = "--site", paramLabel = "S", description = "At this site") String site,
      @Option(names = "--building", paramLabel = "B", description = "In this building") String building,
      @Option(names = "--room", paramLabel = "R", description = "In this room") String room) {
    Map<String, Object> filters = new LinkedHashMap<>();
    filters.put("type", type);
    filters.put("site", site);
    filters.put("building", building);
    filters.put("room", room);
    JsonNode listing = client().get("/devices" + ApiClient.query(filters));
    format.print(io().out(), listing, () -> DeviceViews.devices(listing.path("items")));
    return ExitCodes.OK;
  }

  @Command(name = "create", description = "Register a device (platform configurers, admins) and print its broker"
      + " credentials, the only time its password is shown")
  int create(@Mixin OutputOption format,
      @Option(names = "--id", required = true, paramLabel = "ID", description = "Its id, e.g. hall-temp-1") String id,
      @Option(names = "--type", required = true, paramLabel = "T", description = "Its sensor or controller type")
      String type,
      @Option(names = "--site", paramLabel = "S", description = "Where it is (a site, or --lat and --lon)") String site,
      @Option(names = "--building", paramLabel = "B") String building,
      @Option(names = "--room", paramLabel = "R") String room,
      @Option(names = "--lat", paramLabel = "DEG", description = "Latitude, -90..90") Double lat,
      @Option(names = "--lon", paramLabel = "DEG", description = "Longitude, -180..180") Double lon,
      @Option(names = "--meta", paramLabel = "K=V", description = "Metadata, a string each (repeatable)")
      List<String> meta) {
    ObjectNode body = JsonNodeFactory.instance.objectNode().put("id", id).put("type", type);
    ObjectNode location = body.putObject("location");
    putIfGiven(location, "site", site);
    putIfGiven(location, "building", building);
    putIfGiven(location, "room", room);
    if (lat != null) {
      location.put("lat", lat);
    }
    if (lon != null) {
      location.put("lon", lon);
    }
    if (meta != null) {
      body.set("metadata", KeyValues.parse(meta, "--meta", false));
    }
    JsonNode created = client().post("/devices", body);
    if (format.format == OutputOption.Format.table) {
      io().out().println(created.path("id").asText() + " registered, a " + created.path("type").asText() + " "
          + created.path("kind").asText() + " at " + DeviceViews.location(created.path("location")));
      DeviceViews.credentials(io(), id, created.path("credentials"));
    } else {
      format.print(io().out(), created, () -> null);
      DeviceViews.secretShownOnce(io(), id);
    }
    return ExitCodes.OK;
  }

  @Command(name = "get", aliases = "show", description = "Show a device: location, state, readings accepted and rejected (and why)")
  int get(@Mixin OutputOption format, @Parameters(paramLabel = "ID") String id) {
    JsonNode device = client().get(path(id));
    if (format.format == OutputOption.Format.table) {
      DeviceViews.device(io().out(), device);
    } else {
      format.print(io().out(), device, () -> null);
    }
    return ExitCodes.OK;
  }

  @Command(name = "disable", description = "Disable a device: the broker drops its connection and refuses it")
  int disable(@Parameters(paramLabel = "ID") String id) {
    JsonNode device = client().post(path(id) + "/disable", null);
    io().out().println(device.path("id").asText(id) + " disabled");
    return ExitCodes.OK;
  }

  @Command(name = "enable", description = "Enable a disabled device again")
  int enable(@Parameters(paramLabel = "ID") String id) {
    JsonNode device = client().post(path(id) + "/enable", null);
    io().out().println(device.path("id").asText(id) + " enabled");
    return ExitCodes.OK;
  }

  @Command(name = "rm", aliases = "delete", description = "Delete a device and its broker account")
  int rm(@Parameters(paramLabel = "ID") String id) {
    client().delete(path(id));
    io().out().println(id + " deleted");
    return ExitCodes.OK;
  }

  @Command(name = "credentials", description = "Give a device a new password and print it (the old one stops working)")
  int credentials(@Mixin OutputOption format, @Parameters(paramLabel = "ID") String id) {
    JsonNode credentials = client().post(path(id) + "/credentials", null);
    if (format.format == OutputOption.Format.table) {
      DeviceViews.credentials(io(), id, credentials);
    } else {
      format.print(io().out(), credentials, () -> null);
      DeviceViews.secretShownOnce(io(), id);
    }
    return ExitCodes.OK;
  }

  @Command(name = "commands", description = "List the commands issued to a controller and how far each got")
  int commands(@Mixin OutputOption format, @Parameters(paramLabel = "ID") String id) {
    JsonNode listing = client().get(path(id) + "/commands");
    format.print(io().out(), listing, () -> DeviceViews.commands(listing.path("items")));
    return ExitCodes.OK;
  }

  static String path(String id) {
    return "/devices/" + ApiClient.segment(id);
  }

  private static void putIfGiven(ObjectNode object, String field, String value) {
    if (value != null) {
      object.put(field, value);
    }
  }
}
