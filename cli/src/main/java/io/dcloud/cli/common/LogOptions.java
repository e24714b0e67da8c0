package io.dcloud.cli.common;

import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** {@code -f} and {@code --tail N} of the commands that print containers' logs, and the query they make. */
public final class LogOptions {
  @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until interrupted")
  public boolean follow;

  @Option(names = "--tail", paramLabel = "N", description = "How many last lines (default: the gateway's)")
  Integer tail;

  /** The query of an environment's {@code /logs} for these options. */
  public String query() {
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("tail", tail);
    parameters.put("follow", follow);
    return ApiClient.query(parameters);
  }
}
