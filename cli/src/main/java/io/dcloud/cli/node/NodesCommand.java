package io.dcloud.cli.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.DurationConverter;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Noun;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.Table;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dcloud nodes ls | cordon | uncordon | drain | volumes ID | rm-volume ID VOLUME}: the workers as the scheduler sees them. */
@Command(name = "nodes", description = "List worker nodes (the default); cordon, uncordon or drain one; list and remove its volumes (configurers and admins)")
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
