package io.dcloud.gateway.common;

import java.util.Locale;
import java.util.Optional;

/**
 * The {@code idPrefix} filter of a listing of things with UUIDs for ids (environments, jobs): the
 * start of an id, as a command line takes one for the whole (as {@code docker} takes a container's),
 * so that finding which id it names is one request for the few that match rather than the caller's
 * whole listing.
 */
public final class IdPrefixes {
  public static final String PARAMETER = "idPrefix";
  /** A UUID's text. */
  private static final int MAX_LENGTH = 36;

  private IdPrefixes() {}

  /** The prefix in the lowercase form ids are made in; null without one; 400 naming the parameter when it starts no id. */
  public static String parse(Optional<String> raw) {
    if (raw.isEmpty()) {
      return null;
    }
    String text = raw.get();
    if (text.isEmpty() || text.length() > MAX_LENGTH || !text.chars().allMatch(IdPrefixes::mayStartAnId)) {
      throw Problem.of(Problem.Type.MALFORMED_REQUEST, PARAMETER + " is not the start of an id", PARAMETER,
          "must be 1 to " + MAX_LENGTH + " hex digits and dashes, as ids begin").exception();
    }
    return text.toLowerCase(Locale.ROOT);
  }

  private static boolean mayStartAnId(int c) {
    return isAsciiHex((char) c) || c == '-';
  }

  /** ASCII only: Character.digit would also take other scripts' digits. */
  public static boolean isAsciiHex(char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  }
}
