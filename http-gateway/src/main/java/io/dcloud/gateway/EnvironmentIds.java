package io.dcloud.gateway;

import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Environment ids are UUIDs the gateway draws itself. Anything else in the path cannot name an
 * environment, so it is answered 404 without waking a sharded entity for it.
 */
final class EnvironmentIds {
  private static final Pattern UUID_TEXT =
      Pattern.compile("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

  private EnvironmentIds() {}

  /** The id in the lowercase form it was created with, or empty when {@code raw} is no UUID. */
  static Optional<String> canonical(String raw) {
    return UUID_TEXT.matcher(raw).matches() ? Optional.of(raw.toLowerCase(Locale.ROOT)) : Optional.empty();
  }
}
