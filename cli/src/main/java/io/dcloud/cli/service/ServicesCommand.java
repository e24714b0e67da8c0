package io.dcloud.cli.service;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.ChunkSizeOption;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Noun;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.SpecFiles;
import io.dcloud.cli.common.Table;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud services [ls | get NAME | definition NAME | create -f FILE | apply -f FILE [--wait] | scale NAME N |
 * autoscale NAME --min N --max M | autoscale NAME --off | batching NAME --max-size N | stats NAME | predict NAME |
 * call NAME PATH | rm NAME]}: the caller's services.
 */
@Command(name = "services", description = "Services (N replicas of one environment): list (the default), show, create or roll to a definition, scale, autoscale, call, bind to devices, delete",
    subcommands = {ServiceStatsCommand.class, ServiceLogsCommand.class, ServicePredictCommand.class,
        ServiceCallCommand.class,
        ServiceBindingsCommands.Bind.class, ServiceBindingsCommands.Bindings.class, ServiceBindingsCommands.Unbind.class})
public final class ServicesCommand extends Noun implements Callable<Integer> {

  @Override
  public Integer call() {
    return runByDefault("ls");
  }

  @Command(name = "ls", aliases = "list", description = "List the services")
  int ls(@Mixin OutputOption format, @Mixin ChunkSizeOption chunks) {
    JsonNode listing = chunks.listAll(client(), "/services", Map.of(), "services");
    format.print(io().out(), listing, () -> services(listing.path("services")));
    return ExitCodes.OK;
  }

  @Command(name = "get", aliases = "show", description = "Show one service (how it rolls: its surge; how its replicas spread) and its replicas")
  int get(@Mixin OutputOption format, @Parameters(paramLabel = "NAME") String name) {
    JsonNode service = client().get(path(name));
    if (format.format == OutputOption.Format.table) {
      services(List.of(service)).print(io().out());
      if (service.path("autoscaling").isObject()) {
        io().out().println(autoscalingLine(service));
      }
      io().out().println();
    }
    format.print(io().out(), service, () -> replicas(service));
    return ExitCodes.OK;
  }

  @Command(name = "create", description = "Create a service from its definition: N replicas of one environment config")
  int create(@Mixin OutputOption format,
      @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
          description = "name, kind (app or model), environment, port, replicas, readiness.path (YAML or JSON; - for stdin)")
      String file) {
    JsonNode service = client().post("/services", SpecFiles.read(file, io().in()));
    format.print(io().out(), service, () -> services(List.of(service)));
    return ExitCodes.OK;
  }

  @Command(name = "definition", description = "Print a service's definition as YAML (or -o json), to edit and apply again;"
      + " variables' values show as <set> and, sent back so, keep theirs")
  int definition(@Mixin OutputOption format, @Parameters(paramLabel = "NAME") String name) {
    JsonNode definition = client().get(path(name) + "/definition");
    if (format.format == OutputOption.Format.table) {
      format.format = OutputOption.Format.yaml;
    }
    format.print(io().out(), definition, null);
    return ExitCodes.OK;
  }

  @Command(name = "apply", description = "Apply a definition: roll your service of its name to it (a new version),"
      + " or create it")
  int apply(@Mixin OutputOption format,
      @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE",
          description = "the services create definition, with its name (YAML or JSON; - for stdin)") String file,
      @Option(names = "--wait", description = "Wait until every replica of the version is ready") boolean await)
      throws InterruptedException {
    JsonNode definition = SpecFiles.read(file, io().in());
    String name = definition.path("name").asText("");
    if (name.isEmpty()) {
      throw new CliException(ExitCodes.USAGE, "the definition in " + file + " has no name: apply needs it to find the service");
    }
    return rolling(format, name, client().put(path(name), definition), await);
  }

  @Command(name = "restart", description = "Replace every replica by a new one, one at a time, as kubectl rollout restart")
  int restart(@Mixin OutputOption format, @Parameters(paramLabel = "NAME") String name,
      @Option(names = "--wait", description = "Wait until every replica of the restart is ready") boolean await)
      throws InterruptedException {
    return rolling(format, name, client().post(path(name) + "/restart", null), await);
  }

  /** The service as a roll began, then (with {@code await}) the roll followed until its version is ready. */
  private int rolling(OutputOption format, String name, JsonNode service, boolean await) throws InterruptedException {
    format.print(io().out(), service, () -> services(List.of(service)));
    if (await) {
      new ServiceRollout(io(), client()).await(name, service.path("version").asInt());
    }
    return ExitCodes.OK;
  }

  @Command(name = "scale", description = "Scale a service to N replicas (the newest go first)")
  int scale(@Mixin OutputOption format, @Parameters(paramLabel = "NAME") String name,
      @Parameters(paramLabel = "N") int replicas) {
    JsonNode service = client().patch(path(name), JsonNodeFactory.instance.objectNode().put("replicas", replicas));
    format.print(io().out(), service, () -> services(List.of(service)));
    return ExitCodes.OK;
  }

  /** Either {@code --off} or the bounds: picocli's usage error names what is missing or what excludes what. */
  static final class Autoscaling {
    @Option(names = "--off", description = "Stop scaling by load; the replicas stay as many as they are")
    boolean off;

    @ArgGroup(exclusive = false, multiplicity = "1")
    AutoscalingBounds bounds;
  }

  /** What is not given is left out of the request, so that the gateway's default holds. */
  static final class AutoscalingBounds {
    @Option(names = "--min", required = true, paramLabel = "N", description = "The fewest replicas")
    int minReplicas;

    @Option(names = "--max", required = true, paramLabel = "M", description = "The most replicas")
    int maxReplicas;

    @Option(names = "--target-ongoing", paramLabel = "X",
        description = "Calls in progress each replica is meant to have (default: 2)")
    Double targetOngoingRequests;

    @Option(names = "--upscale-delay", paramLabel = "DURATION",
        description = "How long the load must ask for more replicas before they are added, e.g. 0s (default: 30s)")
    String upscaleDelay;

    @Option(names = "--downscale-delay", paramLabel = "DURATION",
        description = "How long the load must ask for fewer replicas before they go (default: 10m)")
    String downscaleDelay;
  }

  @Command(name = "autoscale", description = "Scale a service by its calls in progress, within --min and --max replicas;"
      + " --off: stop, the replicas staying as they are")
  int autoscale(@Parameters(paramLabel = "NAME") String name,
      @ArgGroup(exclusive = true, multiplicity = "1") Autoscaling autoscaling) {
    if (autoscaling.off) {
      JsonNode service = client().delete(path(name) + "/autoscaling");
      io().out().println(name + " autoscaling off: " + service.path("desiredReplicas").asInt() + " replicas");
      return ExitCodes.OK;
    }
    AutoscalingBounds bounds = autoscaling.bounds;
    ObjectNode body = JsonNodeFactory.instance.objectNode()
        .put("min-replicas", bounds.minReplicas).put("max-replicas", bounds.maxReplicas);
    if (bounds.targetOngoingRequests != null) {
      body.put("target-ongoing-requests", bounds.targetOngoingRequests);
    }
    if (bounds.upscaleDelay != null) {
      body.put("upscale-delay", bounds.upscaleDelay);
    }
    if (bounds.downscaleDelay != null) {
      body.put("downscale-delay", bounds.downscaleDelay);
    }
    JsonNode set = client().put(path(name) + "/autoscaling", body).path("autoscaling");
    io().out().println(name + " autoscales between " + set.path("minReplicas").asInt() + " and "
        + set.path("maxReplicas").asInt() + " replicas (target " + target(set) + " calls in progress each; up after "
        + set.path("upscaleDelay").asText() + ", down after " + set.path("downscaleDelay").asText() + ")");
    return ExitCodes.OK;
  }

  @Command(name = "batching", description = "Change a model service's dynamic batching live (--max-size 1: off)")
  int batching(@Parameters(paramLabel = "NAME") String name,
      @Option(names = "--max-size", required = true, paramLabel = "N", description = "Instances per call to a replica")
      int maxSize,
      @Option(names = "--max-wait-ms", defaultValue = "0", paramLabel = "M",
          description = "How long the first request waits for others (default: 0)") int maxWaitMs) {
    JsonNode service = client().put(path(name) + "/batching",
        JsonNodeFactory.instance.objectNode().put("max-size", maxSize).put("max-wait-ms", maxWaitMs));
    JsonNode batching = service.path("batching");
    io().out().println(name + " batching " + (batching.isObject()
        ? "max-size " + batching.path("maxSize").asInt() + ", max-wait-ms " + batching.path("maxWaitMs").asInt()
        : "off"));
    return ExitCodes.OK;
  }

  @Command(name = "rm", aliases = "delete", description = "Delete a service and its replica environments")
  int rm(@Parameters(paramLabel = "NAME") String name) {
    client().delete(path(name));
    io().out().println(name + " deleting");
    return ExitCodes.OK;
  }

  private static String path(String name) {
    return "/services/" + ApiClient.segment(name);
  }

  /** How an autoscaled service scales, and what its load asks for now (as {@code get} shows it). */
  private static String autoscalingLine(JsonNode service) {
    JsonNode set = service.path("autoscaling");
    JsonNode load = service.path("load");
    return "autoscaling: " + set.path("minReplicas").asInt() + "–" + set.path("maxReplicas").asInt() + " replicas, target "
        + target(set) + " calls in progress each, up after " + set.path("upscaleDelay").asText() + ", down after "
        + set.path("downscaleDelay").asText() + (load.isObject()
            ? String.format(Locale.ROOT, "; load %.1f → wants %d", load.path("ongoingRequests").asDouble(),
                load.path("wantedReplicas").asInt())
                // When the delay lets it, if the load keeps asking.
                + (load.hasNonNull("scalesAt") ? " at " + load.path("scalesAt").asText() : "")
            : "");
  }

  /** The target as it was given: 2, not 2.0; 1.5 as it is. */
  private static String target(JsonNode autoscaling) {
    return BigDecimal.valueOf(autoscaling.path("targetOngoingRequests").asDouble()).stripTrailingZeros().toPlainString();
  }

  private static Table services(Iterable<JsonNode> services) {
    Table table = new Table("NAME", "KIND", "OWNER", "VERSION", "READY", "SURGE", "SPREAD", "PORT");
    services.forEach(s -> {
      int ready = 0;
      for (JsonNode replica : s.path("replicas")) {
        ready += replica.path("ready").asBoolean() ? 1 : 0;
      }
      table.row(EnvironmentTable.text(s, "name"), EnvironmentTable.text(s, "kind"), EnvironmentTable.text(s, "owner"),
          s.path("version").asInt(), ready + "/" + s.path("desiredReplicas").asInt(), s.path("surge").asInt(1),
          s.path("spread").asText("preferred"), s.path("port").asInt());
    });
    return table;
  }

  private static Table replicas(JsonNode service) {
    Table table = new Table("REPLICA", "NODE", "STATUS", "READY", "VERSION", "REASON");
    service.path("replicas").forEach(r -> table.row(EnvironmentTable.text(r, "id"), EnvironmentTable.text(r, "node"),
        EnvironmentTable.text(r, "status"), r.path("ready").asBoolean(), r.path("version").asInt(1),
        EnvironmentTable.text(r, "reason")));
    return table;
  }
}
