package io.dcloud.gateway.usage;

import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.identity.Authentication;
import io.dcloud.identity.Caller;
import io.dcloud.usage.UsageMeter;
import io.dcloud.usage.UsageReports;
import java.time.Clock;
import java.time.YearMonth;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /usage?month=&owner=}: what an owner's environments used in a month (each user their
 * own; admins anyone's, a deleted user's too), and {@code GET /usage/owners?month=}: every owner's
 * totals, for admins. The month is UTC's, the current one by default.
 */
public final class UsageRoutes extends AllDirectives {
  /** The names DCloud's users have, its own and a directory's (an owner is always one). */
  private static final Pattern USER_NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  private final UsageReports reports;
  private final JsonYaml codec;
  private final Clock clock;

  public UsageRoutes(UsageReports reports, JsonYaml codec, Clock clock) {
    this.reports = reports;
    this.codec = codec;
    this.clock = clock;
  }

  public Route route() {
    return pathPrefix("usage", () -> CallerAttribute.of(caller -> get(() -> concat(
        pathEnd(() -> parameterOptional("month", month -> parameterOptional("owner", owner -> owner(caller, month, owner)))),
        path("owners", () -> Authentication.requireAny(caller, Authentication.ADMINS, () ->
            parameterOptional("month", month -> completeWithFuture(reports.owners(month(month))
                .thenApply(report -> codec.jsonResponse(StatusCodes.OK, UsageJson.Owners.of(report)))))))))));
  }

  private Route owner(Caller caller, Optional<String> month, Optional<String> owner) {
    String whose = owner.filter(name -> !name.isBlank()).map(String::strip).orElse(caller.username());
    if (!USER_NAME.matcher(whose).matches()) {
      throw Problem.of(Problem.Type.MALFORMED_REQUEST, "owner is not a user name", "owner",
          "must be a user name: letters, digits, '.', '_' and '-', at most 64").exception();
    }
    if (!caller.mayAccess(whose)) {
      return complete(Problem.of(Problem.Type.FORBIDDEN,
          caller.username() + " may see their own usage only; another user's needs the role admin").toResponse());
    }
    YearMonth wanted = month(month);
    return completeWithFuture(reports.of(whose, wanted)
        .thenApply(report -> codec.jsonResponse(StatusCodes.OK, UsageJson.Report.of(report))));
  }

  /** The month asked for, the current one (UTC) when none; one not begun yet is refused. */
  private YearMonth month(Optional<String> text) {
    YearMonth now = UsageMeter.monthOf(clock.instant());
    if (text.isEmpty() || text.get().isBlank()) {
      return now;
    }
    YearMonth month;
    try {
      month = YearMonth.parse(text.get().strip());
    } catch (DateTimeParseException malformed) {
      throw Problem.of(Problem.Type.MALFORMED_REQUEST, "month is not a month", "month",
          "must be a month as YYYY-MM, such as " + now).exception();
    }
    if (month.isAfter(now)) {
      throw Problem.of(Problem.Type.MALFORMED_REQUEST, "month has not begun", "month",
          month + " is after this month, " + now).exception();
    }
    return month;
  }
}
