package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dcloud env stop|start|rm ID}: accepted at once (202); stop and rm print the status it
 * has then, start follows it (unless {@code --detach}).
 */
final class EnvLifecycleCommands {
  private EnvLifecycleCommands() {}

  private abstract static class Change extends EnvironmentCommand implements Callable<Integer> {

    abstract JsonNode send(ApiClient client);

    @Override
    public Integer call() {
      JsonNode environment = send(client());
      io().out().println(id() + " " + environment.path("status").asText("?"));
      return ExitCodes.OK;
    }
  }

  @Command(name = "stop", description = "Stop the environment's container (its storage stays)")
  static final class Stop extends Change {
    @Override
    JsonNode send(ApiClient client) {
      return client.post(path() + "/stop", null);
    }
  }

  /** Follows the start as {@code env create} follows a create: a start may queue, or build its image again. */
  @Command(name = "start", description = "Start a stopped environment again and follow it until it runs (its URL, else id, on stdout)")
  static final class Start extends Change {
    @Option(names = {"-d", "--detach"}, description = "Print the status and return without waiting")
    boolean detach;

    @Override
    JsonNode send(ApiClient client) {
      return client.post(path() + "/start", null);
    }

    @Override
    public Integer call() {
      if (detach) {
        return super.call();
      }
      ApiClient client = client();
      return new EnvProgress(io(), client).follow(id(), send(client));
    }
  }

  @Command(name = "rm", aliases = "delete", description = "Delete the environment")
  static final class Remove extends Change {
    @Override
    JsonNode send(ApiClient client) {
      return client.delete(path());
    }
  }
}
