package io.dcloud.cli.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * An API error answer (RFC 9457 problem+json) as one line: {@code title: detail (field: reason; ...)}, or
 * {@code title: field: detail} when its one field's reason is the detail;
 * a service's {@code {"error": "..."}} as its text; anything else as the start of the body.
 */
public final class Problems {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int MAX_RAW = 200;

  private Problems() {}

  public static CliException toException(int status, String body) {
    return new CliException(ExitCodes.forHttpStatus(status), describe(status, body));
  }

  static String describe(int status, String body) {
    JsonNode problem = parse(body);
    if (problem != null && problem.path("error").isTextual()) {
      // A service's own answer ({"error": "..."}: a model's wrapper refusing an instance, say).
      return "HTTP " + status + ": " + problem.get("error").asText();
    }
    if (problem == null || !problem.hasNonNull("title")) {
      String raw = body == null ? "" : body.strip();
      raw = raw.length() > MAX_RAW ? raw.substring(0, MAX_RAW) + "..." : raw;
      return "HTTP " + status + (raw.isEmpty() ? "" : ": " + raw.replaceAll("\\s+", " "));
    }
    StringBuilder line = new StringBuilder(problem.get("title").asText());
    String detail = problem.path("detail").asText("");
    JsonNode errors = problem.path("errors");
    if (errors.size() == 1 && errors.get(0).path("reason").asText("").equals(detail)) {
      // A problem about one field that says the same in its detail: said once, as kubectl says it.
      return line.append(": ").append(errors.get(0).path("field").asText("?")).append(": ").append(detail).toString();
    }
    if (!detail.isBlank() && !detail.equals(line.toString())) {
      line.append(": ").append(detail);
    }
    List<String> fields = new ArrayList<>();
    errors.forEach(error -> fields.add(error.path("field").asText("?") + ": " + error.path("reason").asText("")));
    if (!fields.isEmpty()) {
      line.append(" (").append(String.join("; ", fields)).append(')');
    }
    return line.toString();
  }

  private static JsonNode parse(String body) {
    if (body == null || body.isBlank()) {
      return null;
    }
    try {
      return JSON.readTree(body);
    } catch (IOException notJson) {
      return null;
    }
  }
}
