package io.dcloud.cli.env;

import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.LogOptions;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code dcloud env logs ID [-f] [--tail N]}: the container's log, copied as it comes. */
@Command(name = "logs", description = "Print the container's log lines")
final class EnvLogsCommand extends EnvironmentCommand implements Callable<Integer> {

  @Mixin
  LogOptions options;

  @Override
  public Integer call() throws IOException {
    ApiClient client = client();
    try (InputStream body = client.stream(client.request(path() + "/logs" + options.query())
        .header("Accept", "text/plain")).body()) {
      byte[] buffer = new byte[8192];
      for (int read = body.read(buffer); read >= 0; read = body.read(buffer)) {
        io().out().write(buffer, 0, read);
        io().out().flush();
      }
    }
    return ExitCodes.OK;
  }
}
