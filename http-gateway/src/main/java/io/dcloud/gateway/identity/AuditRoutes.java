package io.dcloud.gateway.identity;

import io.dcloud.audit.AuditEntry;
import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.identity.Caller;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/** {@code GET /audit?user=&since=&limit=}: who did what, newest first, for admins. */
public final class AuditRoutes extends AllDirectives {
  private static final int DEFAULT_LIMIT = 1000;
  private static final int MAX_LIMIT = 10_000;
  private static final Duration DEFAULT_SINCE = Duration.ofDays(1);

  private final AuditLog audit;
  private final JsonYaml codec;
  private final Clock clock;

  public AuditRoutes(AuditLog audit, JsonYaml codec, Clock clock) {
    this.audit = audit;
    this.codec = codec;
    this.clock = clock;
  }

  record Listing(List<AuditEntry> entries) {}

  public Route route() {
    return path("audit", () -> CallerAttribute.of(caller -> get(() -> Authentication.requireAny(caller, Authentication.ADMINS, () ->
        parameterOptional("user", user -> parameterOptional("since", since -> parameterOptional("limit", limit -> {
          Instant from = since.map(AuditRoutes::instant).orElse(clock.instant().minus(DEFAULT_SINCE));
          int most = limit.map(AuditRoutes::limit).orElse(DEFAULT_LIMIT);
          return completeWithFuture(audit.query(user.orElse(null), from, most)
              .thenApply(entries -> codec.jsonResponse(StatusCodes.OK, new Listing(entries))));
        })))))));
  }

  private static Instant instant(String text) {
    try {
      return Instant.parse(text);
    } catch (DateTimeParseException malformed) {
      throw Problem.of(Problem.Type.MALFORMED_REQUEST, "since is not an instant", "since",
          "must be an ISO-8601 instant such as 2026-11-30T00:00:00Z").exception();
    }
  }

  private static int limit(String text) {
    try {
      int limit = Integer.parseInt(text);
      if (limit >= 1 && limit <= MAX_LIMIT) {
        return limit;
      }
    } catch (NumberFormatException malformed) {
      // answered below
    }
    throw Problem.of(Problem.Type.MALFORMED_REQUEST, "limit must be 1 to " + MAX_LIMIT, "limit",
        "must be a whole number from 1 to " + MAX_LIMIT).exception();
  }
}
