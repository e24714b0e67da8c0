package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ChunkSizeOption;
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

/** {@code dcloud env ls}: a table, JSON or YAML, or with {@code -q} the ids alone. */
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

  @Option(names = "--owner", description = "Only those of this user (an admin: anyone's, a deleted user's too; you: your own, not those shared with you)")
  String owner;

  @Option(names = {"-q", "--quiet"}, description = "Only the ids, one a line, as docker ps -q (e.g. dcloud env rm $(dcloud env ls -q --status STOPPED))")
  boolean quiet;

  @Mixin
  ChunkSizeOption chunks;

  /** Every page of the listing, one after the other, as one {@code {"environments": [...]}}. */
  @Override
  public Integer call() {
    Map<String, Object> query = new LinkedHashMap<>();
    query.put("status", status);
    query.put("name", name);
    query.put("node", node);
    query.put("owner", owner);
    ObjectNode listing = chunks.listAll(client(), "/environments", query, "environments");
    if (quiet) {
      listing.path("environments").forEach(environment -> io().out().println(environment.path("id").asText()));
      return ExitCodes.OK;
    }
    output.print(io().out(), listing, () -> EnvironmentTable.of(listing.path("environments"), false));
    return ExitCodes.OK;
  }
}
