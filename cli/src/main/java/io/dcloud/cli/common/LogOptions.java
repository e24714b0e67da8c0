package io.dcloud.cli.common;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code -f}, {@code --tail N}, {@code --since WHEN} and {@code -t} of the commands that print
 * containers' logs (as {@code docker logs} takes them), and the query they make.
 */
public final class LogOptions {
  @Option(names = {"-f", "--follow"}, description = "Keep printing new lines until interrupted")
  public boolean follow;

  @Option(names = "--tail", paramLabel = "N", description = "How many last lines (default: the gateway's)")
  Integer tail;

  @Option(names = "--since", paramLabel = "WHEN",
      description = "Only lines written since then: a time back (90s, 10m, 2h) or an instant (2026-12-07T10:00:00Z)")
  String since;

  @Option(names = {"-t", "--timestamps"}, description = "Begin each line with when it was written")
  boolean timestamps;

  /** The query of an environment's {@code /logs} for these options. */
  public String query() {
    Map<String, Object> parameters = new LinkedHashMap<>();
    parameters.put("tail", tail);
    parameters.put("follow", follow);
    parameters.put("since", since == null ? null : since(since, Instant.now()).toString());
    parameters.put("timestamps", timestamps ? true : null);
    return ApiClient.query(parameters);
  }

  /** {@code when} as an instant: itself, or that long before {@code now}. */
  static Instant since(String when, Instant now) {
    try {
      return Instant.parse(when.strip());
    } catch (DateTimeParseException notAnInstant) {
      try {
        Duration back = new DurationConverter().convert(when);
        return now.minus(back);
      } catch (IllegalArgumentException neither) {
        throw CliException.usage("--since takes a time back (90s, 10m, 2h) or an instant (2026-12-07T10:00:00Z), not " + when);
      }
    }
  }
}
