package io.dcloud.cli.service;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.Subcommand;
import io.dcloud.cli.common.Table;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code dcloud services stats NAME}: the calls the gateway measured, in all and per replica. */
@Command(name = "stats", description = "Calls of a service measured by the gateway: count, rate over 10 s, latency (ms)")
final class ServiceStatsCommand extends Subcommand implements Callable<Integer> {
  @Mixin
  OutputOption output;

  @Parameters(paramLabel = "NAME")
  String name;

  @Override
  public Integer call() {
    JsonNode stats = client().get("/services/" + ApiClient.segment(name) + "/stats");
    output.print(io().out(), stats, () -> table(stats));
    return ExitCodes.OK;
  }

  /** The service's figures first ("all"), then each replica's. */
  static Table table(JsonNode stats) {
    Table table = new Table("REPLICA", "NODE", "COUNT", "RATE/S", "AVG", "STDDEV", "P50", "P90", "P95", "P99");
    row(table, "all", "", stats);
    stats.path("replicas").forEach(replica ->
        row(table, EnvironmentTable.text(replica, "id"), EnvironmentTable.text(replica, "node"), replica));
    return table;
  }

  private static void row(Table table, String replica, String node, JsonNode figures) {
    JsonNode latency = figures.path("latencyMs");
    table.row(replica, node, figures.path("count").asLong(), ms(figures.path("rate10s")), ms(latency.path("avg")),
        ms(latency.path("stddev")), ms(latency.path("p50")), ms(latency.path("p90")), ms(latency.path("p95")),
        ms(latency.path("p99")));
  }

  private static String ms(JsonNode value) {
    return String.format(Locale.ROOT, "%.2f", value.asDouble());
  }
}
