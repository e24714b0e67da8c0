package io.dcloud.persistence;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A configuration file kept as a resource of this package, with placeholders written as a name in
 * double braces. {@link #render} replaces each with its value, escaped for the file's format by the
 * caller's function, in one pass: a value is never scanned again, so a path holding braces stays as
 * it is. Rendering is strict both ways (a placeholder without a value, or a value no placeholder
 * takes, fails) so that a template and its Java caller cannot drift apart silently.
 */
record ConfigTemplate(String resource, String text) {

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([^{}]*)}}");

  /** Loads {@code resource}, a name relative to this class's package. */
  static ConfigTemplate load(String resource) {
    try (InputStream in = ConfigTemplate.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException(
            "template " + resource + " not found beside " + ConfigTemplate.class.getName());
      }
      return new ConfigTemplate(resource, new String(in.readAllBytes(), StandardCharsets.UTF_8));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read template " + resource, e);
    }
  }

  /**
   * The text with every placeholder replaced by {@code escape} applied to its value.
   *
   * @throws IllegalArgumentException if a placeholder has no value or a value is not used
   */
  String render(Map<String, String> values, UnaryOperator<String> escape) {
    Matcher matcher = PLACEHOLDER.matcher(text);
    StringBuilder out = new StringBuilder(text.length() + 256);
    Set<String> used = new HashSet<>();
    while (matcher.find()) {
      String name = matcher.group(1);
      String value = values.get(name);
      if (value == null) {
        throw new IllegalArgumentException(
            "template " + resource + ": no value for placeholder '" + name + "'");
      }
      used.add(name);
      matcher.appendReplacement(out, Matcher.quoteReplacement(escape.apply(value)));
    }
    matcher.appendTail(out);
    Set<String> unused = new TreeSet<>(values.keySet());
    unused.removeAll(used);
    if (!unused.isEmpty()) {
      throw new IllegalArgumentException(
          "template " + resource + " has no placeholder for " + unused);
    }
    return out.toString();
  }
}
