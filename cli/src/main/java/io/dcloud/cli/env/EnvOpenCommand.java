package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Subcommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/** {@code dcloud env open ID}: the address to open the environment's first port at, in a browser. */
@Command(name = "open", description = "Print the URL of the environment's first port")
final class EnvOpenCommand extends Subcommand implements Callable<Integer> {
  @Parameters(paramLabel = "ID")
  String id;

  @Override
  public Integer call() {
    JsonNode environment = client().get(EnvCommand.path(id));
    String url = EnvironmentTable.text(environment, "url");
    if (url == null) {
      throw new CliException(ExitCodes.REFUSED, "environment " + id + " has no URL: it is "
          + environment.path("status").asText("?") + " and needs to be RUNNING with a published or internal port");
    }
    io().out().println(url);
    return ExitCodes.OK;
  }
}
