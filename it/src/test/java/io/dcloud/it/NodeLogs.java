package io.dcloud.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A test node's log file: its process's stdout and stderr, with the harness's own marks between. */
final class NodeLogs {
  private static final Logger LOG = LoggerFactory.getLogger(NodeLogs.class);

  private NodeLogs() {}

  /** Its last {@code lines} lines, or why there are none. */
  static String tail(Path logFile, int lines) {
    try {
      if (!Files.exists(logFile)) {
        return "(no log)";
      }
      List<String> all = Files.readAllLines(logFile, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException | UncheckedIOException e) {
      return "(cannot read " + logFile + ": " + e + ")";
    }
  }

  /** A line of the harness's (a kill, a restart), where the node's own lines are. */
  static void append(Path logFile, String line) {
    try {
      Files.writeString(logFile, line + "\n", StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    } catch (IOException e) {
      LOG.warn("Cannot write to {}: {}", logFile, e.toString());
    }
  }
}
