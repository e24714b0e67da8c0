package io.dcloud.cli;

import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.Subcommand;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/**
 * {@code dcloud openapi [-o json|yaml]}: the gateway's OpenAPI description ({@code GET
 * /openapi.json}, no token needed), to feed a client generator or Postman.
 */
@Command(name = "openapi", description = "Print the API's OpenAPI 3 description (JSON; -o yaml); no sign-in needed")
final class OpenApiCommand extends Subcommand implements Callable<Integer> {
  @Mixin
  OutputOption output;

  @Override
  public Integer call() {
    if (output.format == OutputOption.Format.table) {
      output.format = OutputOption.Format.json;
    }
    output.print(io().out(), ((DcloudCommand) root()).publicClient().get("/openapi.json"), () -> null);
    return ExitCodes.OK;
  }
}
