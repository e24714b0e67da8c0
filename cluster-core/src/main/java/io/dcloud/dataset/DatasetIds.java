package io.dcloud.dataset;

import java.util.regex.Pattern;

/**
 * A dataset's id is {@code category/db/name}; each part is a word that is safe in a URL path and
 * in the mount path {@code /datasets/<category>/<db>/<name>} (no dot-only names, no slashes).
 */
public final class DatasetIds {
  private static final Pattern PART = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");

  private DatasetIds() {}

  /** Null when fine, else why not (for a problem's field error). */
  public static String problemWith(String part) {
    return part != null && PART.matcher(part).matches() ? null
        : "must be 1 to 128 letters, digits, '.', '_' or '-', starting with a letter or digit";
  }

  public static String of(String category, String db, String name) {
    return category + "/" + db + "/" + name;
  }
}
