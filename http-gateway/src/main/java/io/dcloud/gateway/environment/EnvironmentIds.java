package io.dcloud.gateway.environment;

import io.dcloud.gateway.common.IdPrefixes;
import java.util.Locale;
import java.util.Optional;

/**
 * Environment ids are UUIDs the gateway draws itself. Anything else in the path cannot name an
 * environment, so it is answered 404 without waking a sharded entity for it.
 */
final class EnvironmentIds {
  /** 8-4-4-4-12 hex digits: where the dashes stand in a UUID's text. */
  private static final int LENGTH = 36;

  private EnvironmentIds() {}

  /** The id in the lowercase form it was created with, or empty when {@code raw} is no UUID. */
  static Optional<String> canonical(String raw) {
    return isUuidText(raw) ? Optional.of(raw.toLowerCase(Locale.ROOT)) : Optional.empty();
  }

  /** Checked by hand rather than by a regex: this runs on every request that names an environment. */
  private static boolean isUuidText(String raw) {
    if (raw.length() != LENGTH) {
      return false;
    }
    for (int i = 0; i < LENGTH; i++) {
      char c = raw.charAt(i);
      boolean dashHere = i == 8 || i == 13 || i == 18 || i == 23;
      if (dashHere ? c != '-' : !IdPrefixes.isAsciiHex(c)) {
        return false;
      }
    }
    return true;
  }
}
