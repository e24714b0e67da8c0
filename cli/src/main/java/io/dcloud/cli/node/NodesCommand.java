package io.dcloud.cli.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.ByteSizes;
import io.dcloud.cli.common.DurationConverter;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Noun;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.Table;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dcloud nodes ls | get ID | cordon | uncordon | drain | volumes ID | rm-volume ID VOLUME}: the workers as the scheduler sees them. */
@Command(name = "nodes", description = "List worker nodes (the default) or show one; cordon, uncordon or drain one; list and remove its volumes (configurers and admins)")
public final class NodesCommand extends Noun implements Callable<Integer> {

  @Override
  public Integer call() {
    return runByDefault("ls");
  }
  private static final double GIB = 1024.0 * 1024 * 1024;

  @Command(name = "ls", aliases = "list", description = "List the nodes")
  int ls(@Mixin OutputOption format) {
    JsonNode listing = client().get("/nodes");
    format.print(io().out(), listing, () -> table(listing.path("nodes")));
    return ExitCodes.OK;
  }

  /**
   * One node, as {@code kubectl describe node} shows one: its row, then each resource's capacity,
   * reservation and use, its GPUs, its labels, and the environments on it (the caller's, or all for
   * configurers and admins).
   */
  @Command(name = "get", aliases = "show", description = "Show one node: its resources, GPUs, labels and the environments on it")
  int get(@Mixin OutputOption format, @Parameters(paramLabel = "ID") String id) {
    JsonNode node = client().get("/nodes/" + ApiClient.segment(id));
    format.print(io().out(), node, () -> table(List.of(node)));
    if (format.format != OutputOption.Format.table) {
      return ExitCodes.OK;
    }
    io().out().println();
    resources(node).print(io().out());
    if (!node.path("capacity").path("gpus").isEmpty()) {
      io().out().println();
      gpus(node).print(io().out());
    }
    Table facts = new Table("RUNTIME", "LAST SEEN", "LABELS");
    facts.row(node.path("runtime").path("error").isTextual()
            ? "unavailable: " + node.path("runtime").path("error").asText()
            : EnvironmentTable.text(node.path("runtime"), "version"),
        node.path("gossipAgeSeconds").isNumber() ? node.path("gossipAgeSeconds").asLong() + "s ago" : null,
        labels(node.path("labels")));
    io().out().println();
    facts.print(io().out());
    JsonNode environments = client().get("/environments" + ApiClient.query(Map.of("node", id))).path("environments");
    io().out().println();
    if (environments.isEmpty()) {
      io().out().println("No environments of yours on " + id + ".");
    } else {
      EnvironmentTable.of(environments, false).print(io().out());
    }
    return ExitCodes.OK;
  }

  @Command(name = "cordon", description = "Place no new environment on the node")
  int cordon(@Mixin OutputOption format, @Parameters(paramLabel = "ID") String id) {
    return change(format, id, "cordon");
  }

  @Command(name = "uncordon", description = "Place environments on the node again")
  int uncordon(@Mixin OutputOption format, @Parameters(paramLabel = "ID") String id) {
    return change(format, id, "uncordon");
  }

  @Command(name = "drain", description = "Cordon the node and move its environments elsewhere")
  int drain(@Mixin OutputOption format, @Parameters(paramLabel = "ID") String id,
      @Option(names = "--wait", description = "Follow the drain until no environment is left on the node") boolean wait,
      @Option(names = "--timeout", paramLabel = "DURATION", defaultValue = "10m", converter = DurationConverter.class,
          description = "With --wait: how long to follow it (default ${DEFAULT-VALUE}); the drain goes on after")
      Duration timeout) throws InterruptedException {
    if (!wait) {
      return change(format, id, "drain");
    }
    client().post("/nodes/" + ApiClient.segment(id) + "/drain", null);
    JsonNode drained = new DrainWait(io(), client()).await(id, timeout);
    format.print(io().out(), drained, () -> table(List.of(drained)));
    return ExitCodes.OK;
  }

  @Command(name = "volumes", description = "List the volumes the node made for environments, and what became of each one's environment")
  int volumes(@Mixin OutputOption format, @Parameters(paramLabel = "ID") String id,
      @Option(names = "--state", paramLabel = "STATE",
          description = "Only ATTACHED, LEFT_BEHIND (its environment moved to another node) or ORPHANED (deleted) ones")
      String state) {
    JsonNode listing = client().get("/nodes/" + ApiClient.segment(id) + "/volumes"
        + ApiClient.query(state == null ? Map.of() : Map.of("state", state)));
    format.print(io().out(), listing, () -> VolumeTable.of(listing.path("volumes"), false));
    return ExitCodes.OK;
  }

  @Command(name = "rm-volume", description = "Remove a volume whose environment was deleted or moved to another node, and its data")
  int removeVolume(@Parameters(paramLabel = "ID") String id, @Parameters(paramLabel = "VOLUME") String volume) {
    client().delete("/nodes/" + ApiClient.segment(id) + "/volumes/" + ApiClient.segment(volume));
    io().out().println("removed volume " + volume + " from node " + id);
    return ExitCodes.OK;
  }

  private int change(OutputOption format, String id, String action) {
    JsonNode node = client().post("/nodes/" + ApiClient.segment(id) + "/" + action, null);
    format.print(io().out(), node, () -> table(List.of(node)));
    return ExitCodes.OK;
  }

  /** Capacity, what the scheduler promised of it, and what is really in use, as the node measures it. */
  private static Table resources(JsonNode node) {
    JsonNode capacity = node.path("capacity");
    JsonNode reserved = node.path("reserved");
    JsonNode usage = node.path("usage");
    Table table = new Table("RESOURCE", "CAPACITY", "RESERVED", "IN USE");
    table.row("cpu", capacity.path("cpus").asDouble(), reserved.path("cpus").asDouble(),
        String.format(Locale.ROOT, "%.1f%%", usage.path("cpuPercent").asDouble()));
    table.row("ram", ByteSizes.of(capacity.path("memoryBytes").asLong()), ByteSizes.of(reserved.path("memoryBytes").asLong()),
        ByteSizes.of(usage.path("memoryUsedBytes").asLong()));
    table.row("disk", ByteSizes.of(capacity.path("diskBytes").asLong()), ByteSizes.of(reserved.path("diskBytes").asLong()),
        ByteSizes.of(usage.path("diskUsedBytes").asLong()));
    table.row("gpu", capacity.path("gpus").size(), reserved.path("gpus").asInt(), null);
    table.row("containers", null, null, usage.path("containers").asInt());
    return table;
  }

  private static Table gpus(JsonNode node) {
    List<String> inUse = new ArrayList<>();
    node.path("gpusInUse").forEach(uuid -> inUse.add(uuid.asText()));
    Table table = new Table("GPU", "UUID", "NAME", "MEMORY", "IN USE");
    for (JsonNode gpu : node.path("capacity").path("gpus")) {
      String uuid = gpu.path("uuid").asText();
      table.row(gpu.path("index").asInt(), uuid, EnvironmentTable.text(gpu, "name"),
          gpu.path("memoryMiB").isNumber() ? gpu.path("memoryMiB").asLong() + " MiB" : null,
          node.has("gpusInUse") ? inUse.contains(uuid) : null);
    }
    return table;
  }

  private static String labels(JsonNode labels) {
    List<String> pairs = new ArrayList<>();
    labels.fields().forEachRemaining(label -> pairs.add(label.getKey() + "=" + label.getValue().asText()));
    return String.join(",", pairs.stream().sorted().toList());
  }

  private static Table table(Iterable<JsonNode> nodes) {
    Table table = new Table("ID", "STATE", "AVAILABLE", "CPU", "RAM", "GPU", "ENVIRONMENTS");
    for (JsonNode node : nodes) {
      JsonNode capacity = node.path("capacity");
      JsonNode reserved = node.path("reserved");
      table.row(EnvironmentTable.text(node, "id"), EnvironmentTable.text(node, "state"), node.path("available").asBoolean(),
          reserved.path("cpus").asDouble() + "/" + capacity.path("cpus").asDouble(),
          String.format("%.1f/%.1fG", reserved.path("memoryBytes").asLong() / GIB, capacity.path("memoryBytes").asLong() / GIB),
          reserved.path("gpus").asInt() + "/" + capacity.path("gpus").size(),
          node.path("environmentCount").isInt() ? node.path("environmentCount").asInt() : null);
    }
    return table;
  }
}
