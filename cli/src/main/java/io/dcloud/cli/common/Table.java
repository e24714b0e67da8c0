package io.dcloud.cli.common;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** The compact table reads print by default: a header row, columns two spaces apart, "-" for nothing. */
public final class Table {
  private final List<String[]> rows = new ArrayList<>();
  private final int columns;

  public Table(String... headers) {
    this.columns = headers.length;
    rows.add(headers);
  }

  public Table row(Object... cells) {
    if (cells.length != columns) {
      throw new IllegalArgumentException(cells.length + " cells for " + columns + " columns");
    }
    rows.add(Arrays.stream(cells).map(Table::text).toArray(String[]::new));
    return this;
  }

  /**
   * {@code text} cut to {@code width} characters with an ellipsis: a list's long free text (a reason,
   * a description) would widen every row; the item's own read gives it whole.
   */
  public static String clipped(String text, int width) {
    return text == null || text.length() <= width ? text : text.substring(0, width - 1) + "…";
  }

  private static String text(Object cell) {
    String text = cell == null ? "" : String.valueOf(cell);
    return text.isEmpty() || text.equals("null") ? "-" : text;
  }

  public void print(PrintStream out) {
    int[] widths = new int[columns];
    for (String[] row : rows) {
      for (int i = 0; i < columns; i++) {
        widths[i] = Math.max(widths[i], row[i].length());
      }
    }
    for (String[] row : rows) {
      StringBuilder line = new StringBuilder();
      for (int i = 0; i < columns; i++) {
        line.append(row[i]);
        if (i < columns - 1) {
          line.append(" ".repeat(widths[i] - row[i].length() + 2));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
