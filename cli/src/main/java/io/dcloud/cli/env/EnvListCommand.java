package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.Subcommand;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code dcloud env ls}. */
@Command(name = "ls", aliases = "list", description = "List environments (yours, your groups'; an admin's: all)")
final class EnvListCommand extends Subcommand implements Callable<Integer> {
  @Mixin
  OutputOption output;

  @Option(names = "--status", description = "Only those in this status, e.g. RUNNING; deleted ones are listed only with DELETED, until they are collected (by default 31 days after their deletion)")
  String status;

  @Option(names = "--name", description = "Only those of this name")
  String name;

  @Option(names = "--node", description = "Only those placed on this node")
  String node;

  @Option(names = "--chunk-size", defaultValue = "500",
      description = "Asks the gateway for this many at a time (1 to 1000; 0: all in one answer), as kubectl does; default: ${DEFAULT-VALUE}")
  int chunkSize;

  /** Every page of the listing, one after the other, as one {@code {"environments": [...]}}. */
  @Override
  public Integer call() {
    Map<String, Object> query = new LinkedHashMap<>();
    query.put("status", status);
    query.put("name", name);
    query.put("node", node);
    query.put("limit", chunkSize == 0 ? null : chunkSize);
    ArrayNode environments = JsonNodeFactory.instance.arrayNode();
    String next = null;
    do {
      query.put("continue", next);
      JsonNode page = client().get("/environments" + ApiClient.query(query));
      environments.addAll((ArrayNode) page.path("environments"));
      next = page.path("continue").isTextual() ? page.path("continue").asText() : null;
    } while (next != null);
    ObjectNode listing = JsonNodeFactory.instance.objectNode().set("environments", environments);
    output.print(io().out(), listing, () -> EnvironmentTable.of(environments, false));
    return ExitCodes.OK;
  }
}
