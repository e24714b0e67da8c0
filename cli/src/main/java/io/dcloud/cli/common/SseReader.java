package io.dcloud.cli.common;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.function.Predicate;

/** Reads a text/event-stream as the HTML standard defines it (comments skipped, data lines joined). */
public final class SseReader {
  private SseReader() {}

  /**
   * Hands each event to {@code handler} until it answers false (true is returned: stopped by the
   * handler) or the stream ends (false).
   */
  public static boolean read(InputStream stream, Predicate<SseEvent> handler) throws IOException {
    BufferedReader lines = new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8));
    String id = null;
    String event = null;
    StringBuilder data = null;
    for (String line = lines.readLine(); line != null; line = lines.readLine()) {
      if (line.isEmpty()) {
        if (data != null && !handler.test(new SseEvent(id, event == null ? "message" : event, data.toString()))) {
          return true;
        }
        event = null;
        data = null;
        continue;
      }
      if (line.startsWith(":")) {
        continue;
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : line.substring(colon + 1);
      if (value.startsWith(" ")) {
        value = value.substring(1);
      }
      switch (field) {
        case "event" -> event = value;
        case "id" -> id = value;
        case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
        default -> { } // retry and unknown fields: nothing the CLI needs
      }
    }
    return false;
  }
}
