package io.dcloud.cli.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.SseReader;
import io.dcloud.cli.common.Subcommand;
import java.io.IOException;
import java.io.InputStream;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code dcloud devices readings ID [--since --until --limit | --follow]}: a device's accepted
 * readings, kept for the retention period, or those arriving from now on (the gateway's SSE stream).
 */
@Command(name = "readings", description = "A device's readings: a time range (default: the last hour), or --follow")
public final class DeviceReadingsCommand extends Subcommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A time back from now: 90s, 15m, 2h, 7d. */
  private static final Pattern AGO = Pattern.compile("(\\d{1,9})([smhd])");

  @Mixin
  OutputOption output;

  @Parameters(paramLabel = "ID")
  String id;

  @Option(names = "--since", paramLabel = "TIME", description = "From: ISO-8601 (2026-01-31T10:00:00Z) or a time ago"
      + " (30s, 15m, 2h, 7d); default: an hour before --until")
  String since;

  @Option(names = "--until", paramLabel = "TIME", description = "To: ISO-8601 or a time ago; default: now")
  String until;

  @Option(names = "--limit", paramLabel = "N", description = "At most N readings (default: the gateway's)")
  Integer limit;

  @Option(names = {"-f", "--follow"}, description = "Print readings as they arrive, until interrupted"
      + " (-o json: one JSON object per line)")
  boolean follow;

  @Override
  public Integer call() throws IOException {
    if (follow) {
      if (since != null || until != null || limit != null) {
        throw CliException.usage("--follow prints readings as they arrive: it takes no --since, --until or --limit");
      }
      return follow();
    }
    Clock clock = Clock.systemUTC();
    Map<String, Object> range = new LinkedHashMap<>();
    range.put("since", since == null ? null : instant(since, clock));
    range.put("until", until == null ? null : instant(until, clock));
    range.put("limit", limit);
    JsonNode readings = client().get(DevicesCommand.path(id) + "/readings" + ApiClient.query(range));
    output.print(io().out(), readings, () -> DeviceViews.readings(readings.path("items")));
    if (readings.path("truncated").asBoolean()) {
      io().err().println("more readings than these in that time: narrow --since/--until or raise --limit");
    }
    return ExitCodes.OK;
  }

  private int follow() throws IOException {
    ApiClient client = client();
    try (InputStream events = client.stream(client.request(DevicesCommand.path(id) + "/readings/stream")
        .header("Accept", "text/event-stream")).body()) {
      SseReader.read(events, event -> {
        if (event.event().equals("reading")) {
          io().out().println(line(event.data()));
          io().out().flush();
        }
        return true;
      });
    } catch (IOException e) {
      throw client.unreachable(e);
    }
    return ExitCodes.OK;
  }

  private String line(String data) {
    if (output.format != OutputOption.Format.table) {
      return data.replace('\n', ' ');
    }
    try {
      return DeviceViews.reading(JSON.readTree(data));
    } catch (IOException notJson) {
      return data;
    }
  }

  /**
   * A time as the API takes it: a time ago becomes that instant; anything else goes as given, and the
   * gateway names the parameter when it is not a time.
   */
  public static String instant(String time, Clock clock) {
    Matcher ago = AGO.matcher(time.strip());
    if (!ago.matches()) {
      return time;
    }
    long amount = Long.parseLong(ago.group(1));
    Duration back = switch (ago.group(2)) {
      case "s" -> Duration.ofSeconds(amount);
      case "m" -> Duration.ofMinutes(amount);
      case "h" -> Duration.ofHours(amount);
      default -> Duration.ofDays(amount);
    };
    return clock.instant().minus(back).toString();
  }
}
