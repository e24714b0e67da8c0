package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.ExitCodes;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code dcloud env open ID}: the address to open the environment's first port at, in a browser. */
@Command(name = "open", description = "Print the URL of the environment's first port")
final class EnvOpenCommand extends EnvironmentCommand implements Callable<Integer> {

  @Override
  public Integer call() {
    JsonNode environment = client().get(path());
    String url = EnvironmentTable.text(environment, "url");
    if (url == null) {
      throw new CliException(ExitCodes.REFUSED, "environment " + id() + " has no URL: it is "
          + environment.path("status").asText("?") + " and needs to be RUNNING with a published or internal port");
    }
    io().out().println(url);
    return ExitCodes.OK;
  }
}
