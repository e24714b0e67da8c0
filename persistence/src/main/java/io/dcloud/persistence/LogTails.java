package io.dcloud.persistence;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

/**
 * The last lines of the child's logs, appended to a start failure's message: why Cassandra did not
 * come up is in them, and a test report or a terminal shows the message, not the files.
 */
final class LogTails {

  static final int LINES = 30;

  /** Bounds the read of a log that grew large: the tail is all that is wanted. */
  private static final int MAX_BYTES = 64 * 1024;

  private LogTails() {}

  /** Both logs' last {@value #LINES} lines, each under a header naming its file. */
  static String of(DataLayout layout) {
    return "\n--- last "
        + LINES
        + " lines of "
        + layout.log()
        + " ---\n"
        + tail(layout.log(), LINES)
        + "\n--- last "
        + LINES
        + " lines of "
        + layout.console()
        + " (JVM output) ---\n"
        + tail(layout.console(), LINES);
  }

  /** The last {@code lines} lines of a file, reading at most its last 64 KiB. */
  static String tail(Path file, int lines) {
    if (!Files.isRegularFile(file)) {
      return "(no such file)";
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long length = raf.length();
      int size = (int) Math.min(length, MAX_BYTES);
      byte[] bytes = new byte[size];
      raf.seek(length - size);
      raf.readFully(bytes);
      List<String> all = Arrays.asList(new String(bytes, StandardCharsets.UTF_8).split("\\R"));
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(unreadable: " + e + ")";
    }
  }
}
