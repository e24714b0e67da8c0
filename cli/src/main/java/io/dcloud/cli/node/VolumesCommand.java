package io.dcloud.cli.node;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Noun;
import io.dcloud.cli.common.OutputOption;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud volumes ls | rm NODE VOLUME}: the caller's environment volumes on every node, the
 * names a storage entry's {@code volume} takes; and the removal of one no environment holds.
 */
@Command(name = "volumes", description = "List your environments' volumes on every node (admins: everyone's)")
public final class VolumesCommand extends Noun implements Callable<Integer> {

  @Override
  public Integer call() {
    return runByDefault("ls");
  }

  @Command(name = "ls", aliases = "list",
      description = "List your volumes: ORPHANED and LEFT_BEHIND ones can be mounted again by a new environment (storage[].volume)")
  int ls(@Mixin OutputOption format,
      @Option(names = "--state", paramLabel = "STATE",
          description = "Only ATTACHED, LEFT_BEHIND (its environment moved to another node) or ORPHANED (deleted) ones")
      String state) {
    JsonNode listing = client().get("/volumes" + ApiClient.query(state == null ? Map.of() : Map.of("state", state)));
    format.print(io().out(), listing, () -> VolumeTable.of(listing.path("volumes"), true));
    listing.path("unreachable").forEach(node ->
        io().err().println("node " + node.asText() + " could not be asked: its volumes are not listed"));
    return ExitCodes.OK;
  }

  @Command(name = "rm", aliases = "remove",
      description = "Remove one of your volumes no environment holds (deleted or moved on), and its data")
  int rm(@Parameters(paramLabel = "NODE") String node, @Parameters(paramLabel = "VOLUME") String volume) {
    client().delete("/volumes/" + ApiClient.segment(node) + "/" + ApiClient.segment(volume));
    io().out().println("removed volume " + volume + " from node " + node);
    return ExitCodes.OK;
  }
}
