package io.dcloud.deploy;

import java.util.ArrayDeque;
import java.util.List;

/** The last few lines of some output (a build, debootstrap), for failure messages. */
final class LastLines {

  private final int capacity;
  private final ArrayDeque<String> lines = new ArrayDeque<>();

  LastLines(int capacity) {
    this.capacity = capacity;
  }

  synchronized void add(String line) {
    if (capacity <= 0) {
      return;
    }
    if (lines.size() == capacity) {
      lines.removeFirst();
    }
    lines.addLast(line);
  }

  synchronized List<String> lines() {
    return List.copyOf(lines);
  }

  /** The lines as an indented block to append to a message, or "" when there are none. */
  String asBlock() {
    List<String> copy = lines();
    return copy.isEmpty() ? "" : "\n  " + String.join("\n  ", copy);
  }
}
