package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.ByteSizes;
import io.dcloud.cli.common.ChunkSizeOption;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.Refs;
import io.dcloud.cli.common.Subcommand;
import io.dcloud.cli.common.Table;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud env stats [ID]}: a container's resource use now, as {@code docker stats --no-stream}
 * prints it; without an ID, of every RUNNING environment the caller sees (theirs, their groups'; an
 * admin's: all), asked a few at a time, as {@code docker stats} shows every container and {@code
 * kubectl top pods} every pod.
 */
@Command(name = "stats", description = "Resource use now of the environment, or of every RUNNING one of yours (as docker stats)")
final class EnvStatsCommand extends Subcommand implements Callable<Integer> {
  /** How many environments' stats are asked at once: each is a sample its node takes over about a second. */
  private static final int AT_ONCE = 8;

  @Parameters(index = "0", arity = "0..1", paramLabel = "ID",
      description = "The environment: its id, its name, or the start of its id (default: every RUNNING one)")
  String reference;

  @Mixin
  OutputOption output;

  @Override
  public Integer call() {
    ApiClient client = client();
    if (reference != null) {
      String id = Refs.resolve(client, Refs.ENVIRONMENT, reference);
      JsonNode environment = client.get(EnvCommand.path(id));
      JsonNode stats = client.get(EnvCommand.path(id) + "/stats");
      output.print(io().out(), stats, () -> table(List.of(new Sample(environment, stats, null))));
      return ExitCodes.OK;
    }
    JsonNode running = ChunkSizeOption.listAll(client, "/environments", Map.of("status", "RUNNING"), "environments", 500)
        .path("environments");
    List<Sample> samples = sampled(client, running);
    ArrayNode listed = JsonNodeFactory.instance.arrayNode();
    for (Sample sample : samples) {
      ObjectNode entry = listed.addObject().put("id", sample.environment().path("id").asText())
          .put("name", sample.environment().path("name").asText());
      if (sample.stats() != null) {
        entry.set("stats", sample.stats());
      } else {
        entry.put("unavailable", sample.unavailable());
      }
    }
    ObjectNode answer = JsonNodeFactory.instance.objectNode().set("environments", listed);
    output.print(io().out(), answer, () -> table(samples));
    samples.stream().filter(sample -> sample.stats() == null).forEach(sample -> io().err().println(
        "dcloud: no usage of " + sample.environment().path("name").asText() + " (" + sample.environment().path("id").asText()
            + "): " + sample.unavailable()));
    return ExitCodes.OK;
  }

  /** {@code stats} null when it could not be sampled (stopped meanwhile, its node unreachable): {@code unavailable} says why. */
  private record Sample(JsonNode environment, JsonNode stats, String unavailable) {}

  private static List<Sample> sampled(ApiClient client, JsonNode environments) {
    ExecutorService pool = Executors.newFixedThreadPool(AT_ONCE, runnable -> {
      Thread thread = new Thread(runnable, "dcloud-env-stats");
      thread.setDaemon(true);
      return thread;
    });
    try {
      List<CompletableFuture<Sample>> asked = new ArrayList<>();
      for (JsonNode environment : environments) {
        asked.add(CompletableFuture.supplyAsync(() -> {
          try {
            return new Sample(environment, client.get(EnvCommand.path(environment.path("id").asText()) + "/stats"), null);
          } catch (CliException refused) {
            return new Sample(environment, null, refused.getMessage());
          }
        }, pool));
      }
      return asked.stream().map(CompletableFuture::join).toList();
    } finally {
      pool.shutdownNow();
    }
  }

  private static Table table(List<Sample> samples) {
    Table table = new Table("ID", "NAME", "CPU %", "MEM USAGE / LIMIT", "MEM %", "NET I/O", "BLOCK I/O", "PIDS");
    for (Sample sample : samples) {
      String id = sample.environment().path("id").asText();
      String name = sample.environment().path("name").asText();
      JsonNode stats = sample.stats();
      if (stats == null) {
        table.row(id, name, "-", "-", "-", "-", "-", "-");
        continue;
      }
      JsonNode memory = stats.path("memory");
      double limit = memory.path("limitBytes").asDouble();
      table.row(id, name, String.format(Locale.ROOT, "%.2f%%", stats.path("cpuPercent").asDouble()),
          bytes(memory.path("usedBytes")) + " / " + bytes(memory.path("limitBytes")),
          limit > 0 ? String.format(Locale.ROOT, "%.2f%%", 100 * memory.path("usedBytes").asDouble() / limit) : "-",
          bytes(stats.path("network").path("rxBytes")) + " / " + bytes(stats.path("network").path("txBytes")),
          bytes(stats.path("blockIo").path("readBytes")) + " / " + bytes(stats.path("blockIo").path("writeBytes")),
          stats.path("pids").asLong());
    }
    return table;
  }

  private static String bytes(JsonNode value) {
    return ByteSizes.of(value.asDouble());
  }
}
