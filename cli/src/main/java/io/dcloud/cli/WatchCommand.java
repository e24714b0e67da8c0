package io.dcloud.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.EnvironmentTable;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.SseEvent;
import io.dcloud.cli.common.SseReader;
import io.dcloud.cli.common.Subcommand;
import java.io.IOException;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dcloud watch}: every change of an environment (and, for configurers and admins, of a
 * node) as one line, from {@code GET /events}. A dropped stream is resumed with Last-Event-ID; when
 * the gateway cannot resume ({@code reset}) the environments are listed again, one line each.
 */
@Command(name = "watch", description = "Print one line per change of an environment or node, until interrupted")
public final class WatchCommand extends Subcommand implements Callable<Integer> {
  private static final ObjectMapper JSON = new ObjectMapper();

  @Option(names = {"-o", "--output"}, defaultValue = "table", paramLabel = "FORMAT",
      description = "table: words (default); json: one JSON object per line")
  public OutputOption.Format format;

  private String lastEventId;

  @Override
  public Integer call() {
    ApiClient client = client();
    while (true) {
      HttpRequest.Builder request = client.request("/events").header("Accept", "text/event-stream");
      if (lastEventId != null) {
        request.header("Last-Event-ID", lastEventId);
      }
      try (InputStream events = client.stream(request).body()) {
        SseReader.read(events, event -> {
          if (event.id() != null && !event.id().isEmpty()) {
            lastEventId = event.id();
          }
          print(client, event);
          return true;
        });
      } catch (IOException e) {
        throw client.unreachable(e);
      }
    }
  }

  private void print(ApiClient client, SseEvent event) {
    JsonNode data;
    try {
      data = JSON.readTree(event.data());
    } catch (IOException notJson) {
      return;
    }
    if (event.event().equals("reset")) {
      line("reset", data);
      client.get("/environments").path("environments").forEach(environment -> line("environment", environment));
      return;
    }
    line(event.event(), data);
  }

  void line(String type, JsonNode data) {
    io().out().println(format(type, data, format));
    io().out().flush();
  }

  public static String format(String type, JsonNode data, OutputOption.Format format) {
    if (format != OutputOption.Format.table) {
      ObjectNode line = JSON.createObjectNode().put("type", type);
      line.set("data", data);
      return line.toString();
    }
    return switch (type) {
      case "environment" -> String.join(" ", "environment", text(data, "id"), text(data, "name"), text(data, "status"),
          text(data, "node"));
      case "node" -> String.join(" ", "node", text(data, "id"), text(data, "state"),
          data.path("available").asBoolean() ? "available" : "unavailable");
      default -> type;
    };
  }

  private static String text(JsonNode data, String field) {
    String text = EnvironmentTable.text(data, field);
    return text == null || text.isEmpty() ? "-" : text;
  }
}
