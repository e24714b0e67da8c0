package io.dcloud.cli.env;

import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.ExitCodes;
import java.io.IOException;
import java.io.InputStream;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code dcloud env logs ID [-f] [--tail N]}: the container's log, copied as it comes. */
@Command(name = "logs", description = "Print the container's log lines")
final class EnvLogsCommand extends EnvironmentCommand implements Callable<Integer> {

  @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until interrupted")
  boolean follow;

  @Option(names = "--tail", paramLabel = "N", description = "How many last lines (default: the gateway's)")
  Integer tail;

  @Override
  public Integer call() throws IOException {
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("tail", tail);
    parameters.put("follow", follow);
    ApiClient client = client();
    try (InputStream body = client.stream(client.request(path() + "/logs" + ApiClient.query(parameters))
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
