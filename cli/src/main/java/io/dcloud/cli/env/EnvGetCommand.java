package io.dcloud.cli.env;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.OutputOption;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code dcloud env get ID}. */
@Command(name = "get", aliases = "show", description = "Show one environment")
final class EnvGetCommand extends EnvironmentCommand implements Callable<Integer> {
  @Mixin
  OutputOption output;

  @Override
  public Integer call() {
    JsonNode environment = client().get(path());
    output.print(io().out(), environment, () -> EnvironmentTable.of(List.of(environment), true));
    return ExitCodes.OK;
  }
}
