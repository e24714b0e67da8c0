package io.dcloud.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Subcommand;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dcloud health [--wait SECONDS]}: whether the gateway answers ({@code GET /health}, no token
 * needed), for scripts that start DCloud and wait for it, as {@code kubectl wait} or a load
 * balancer's health check would. A deeper look (cluster membership, the journal) is the management
 * port's {@code /ready}, which an operator's probes use.
 */
@Command(name = "health", description = "Whether the gateway is up (no sign-in needed); --wait until it is")
final class HealthCommand extends Subcommand implements Callable<Integer> {
  /** How often --wait asks again. */
  private static final Duration POLL = Duration.ofMillis(500);

  @Option(names = "--wait", paramLabel = "SECONDS", defaultValue = "0",
      description = "Ask again until the gateway is up, for at most this long (default 0: ask once)")
  long waitSeconds;

  @Override
  public Integer call() throws InterruptedException {
    ApiClient client = ((DcloudCommand) root()).publicClient();
    long deadline = System.nanoTime() + Duration.ofSeconds(waitSeconds).toNanos();
    while (true) {
      try {
        JsonNode health = client.get("/health");
        io().out().println(health.path("status").asText("?") + "  " + client.base());
        return ExitCodes.OK;
      } catch (CliException notYet) {
        if (System.nanoTime() - deadline >= 0) {
          throw notYet;
        }
      }
      Thread.sleep(POLL.toMillis());
    }
  }
}
