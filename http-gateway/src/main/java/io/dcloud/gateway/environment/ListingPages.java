package io.dcloud.gateway.environment;

import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.gateway.common.NamePages;
import io.dcloud.gateway.common.Problem;
import java.nio.charset.StandardCharsets;
import java.time.DateTimeException;
import java.time.Instant;
import java.util.Base64;
import java.util.Optional;

/**
 * {@code GET /environments?limit=&continue=}: a listing in pages, as Kubernetes' lists page. A full
 * page's answer carries {@code continue}, an opaque token of where it ended; the next request
 * passes it back (with the same filters) and gets the environments after it. Positions are by
 * creation, then id, so environments made or deleted meanwhile move no other: each one that
 * existed all along comes exactly once.
 */
final class ListingPages {
  private static final char SEPARATOR = '|';

  private ListingPages() {}

  static EnvironmentDirectory.Page parse(Optional<String> limit, Optional<String> token) {
    return new EnvironmentDirectory.Page(limit.map(NamePages::limit).orElse(0), token.map(ListingPages::position).orElse(null));
  }

  /** The token of a page's end (null: the listing ended). */
  static String token(EnvironmentDirectory.Position next) {
    if (next == null) {
      return null;
    }
    String text = next.createdAt().toString() + SEPARATOR + next.id();
    return Base64.getUrlEncoder().withoutPadding().encodeToString(text.getBytes(StandardCharsets.UTF_8));
  }

  private static EnvironmentDirectory.Position position(String token) {
    try {
      String text = new String(Base64.getUrlDecoder().decode(token.strip()), StandardCharsets.UTF_8);
      int separator = text.indexOf(SEPARATOR);
      if (separator > 0 && separator < text.length() - 1) {
        return new EnvironmentDirectory.Position(Instant.parse(text.substring(0, separator)), text.substring(separator + 1));
      }
    } catch (IllegalArgumentException | DateTimeException malformed) {
      // answered below
    }
    throw Problem.of(Problem.Type.MALFORMED_REQUEST, "continue is not a token of this API", "continue",
        "must be the continue value of the previous page's answer, as it was").exception();
  }
}
