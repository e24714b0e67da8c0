package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.Table;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dcloud env dockerfile|manifest|secrets ID}: what the API tells of one environment beside its
 * view, for its owner (and, but for secrets, admins and the groups it is shared with).
 */
final class EnvInspectCommands {
  private EnvInspectCommands() {}

  /** One JSON answer about the environment, as a table unless {@code -o} says otherwise. */
  private abstract static class Shown extends EnvironmentCommand implements Callable<Integer> {
    @Mixin
    OutputOption output;

    /** The path below the environment's. */
    abstract String below();

    abstract Table table(JsonNode answer);

    @Override
    public Integer call() {
      JsonNode answer = client().get(path() + below());
      output.print(io().out(), answer, () -> table(answer));
      return ExitCodes.OK;
    }
  }

  @Command(name = "dockerfile", description = "The Dockerfile DCloud generated for the environment's image")
  static final class Dockerfile extends EnvironmentCommand implements Callable<Integer> {

    @Override
    public Integer call() {
      io().out().print(client().text(path() + "/dockerfile"));
      return ExitCodes.OK;
    }
  }

  @Command(name = "manifest", description = "The environment exported as Kubernetes manifests (YAML), to run it elsewhere")
  static final class Manifest extends EnvironmentCommand implements Callable<Integer> {
    @Option(names = "--format", defaultValue = "kubernetes", description = "kubernetes (the only one now)")
    String format;

    @Override
    public Integer call() {
      io().out().print(client().text(path() + "/manifest" + ApiClient.query(Map.of("format", format))));
      return ExitCodes.OK;
    }
  }

  @Command(name = "secrets", description = "The values of the environment's secret-env (its owner alone)")
  static final class Secrets extends Shown {
    @Override
    String below() {
      return "/secrets";
    }

    @Override
    Table table(JsonNode secrets) {
      Table table = new Table("NAME", "VALUE");
      secrets.path("secrets").fields().forEachRemaining(secret -> table.row(secret.getKey(), secret.getValue().asText()));
      return table;
    }
  }
}
