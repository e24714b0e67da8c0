package io.dcloud.cli.usage;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.dcloud.cli.common.CliException;
import io.dcloud.cli.common.ExitCodes;
import java.io.IOException;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;

/**
 * The API's usage reports ({@code GET /usage}, {@code GET /usage/owners}) as the tables read them, and
 * how their figures are written; {@code -o json|yaml} prints the answer itself, not these.
 */
final class UsageAnswers {
  /** Fields a newer gateway adds must not break an older CLI's table. */
  private static final ObjectMapper JSON = JsonMapper.builder()
      .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES).build();
  /** The period to the minute: the seconds of "now" (the current month's end) say nothing to a reader. */
  private static final DateTimeFormatter MINUTE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneOffset.UTC);

  /** A report's sums: {@code environments} is how many ran at all in the month. */
  record Total(int environments, double runningHours, double cpuHours, double memoryGibHours, double gpuHours) {}

  /** One environment's month; {@code status} is its status now ("DELETED" once it is gone). */
  record EnvironmentUsage(String id, String name, String status, double runningHours, double cpuHours,
      double memoryGibHours, double gpuHours) {}

  /** One owner's month, environment by environment. */
  record OwnerReport(String owner, String month, String from, String to, Total total, List<EnvironmentUsage> environments) {}

  /** One owner's sums in the report of every owner. */
  record OwnerUsage(String owner, int environments, double runningHours, double cpuHours, double memoryGibHours,
      double gpuHours) {}

  /** Every owner's month (admins). */
  record OwnersReport(String month, String from, String to, Total total, List<OwnerUsage> owners) {}

  private UsageAnswers() {}

  static <T> T read(JsonNode answer, Class<T> type) {
    try {
      return JSON.treeToValue(answer, type);
    } catch (IllegalArgumentException | IOException e) {
      throw new CliException(ExitCodes.ERROR, "the gateway answered a usage report the CLI cannot read: " + e.getMessage(), e);
    }
  }

  /** Hours as the tables show them: two decimals, a point whatever the locale. */
  static String hours(double value) {
    return String.format(Locale.ROOT, "%.2f", value);
  }

  /** {@code 2026-12, 2026-12-01 00:00 to 2026-12-07 22:30 UTC}: the month, and the part of it the figures cover. */
  static String period(String month, String from, String to) {
    return month + ", " + minute(from) + " to " + minute(to) + " UTC";
  }

  private static String minute(String instant) {
    try {
      return MINUTE.format(Instant.parse(String.valueOf(instant)));
    } catch (DateTimeParseException e) {
      throw new CliException(ExitCodes.ERROR, "the gateway answered a usage report with a period the CLI cannot read: " + instant, e);
    }
  }
}
