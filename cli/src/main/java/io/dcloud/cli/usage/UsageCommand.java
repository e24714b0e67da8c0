package io.dcloud.cli.usage;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.common.Noun;
import io.dcloud.cli.common.OutputOption;
import io.dcloud.cli.common.Table;
import io.dcloud.cli.usage.UsageAnswers.EnvironmentUsage;
import io.dcloud.cli.usage.UsageAnswers.OwnerReport;
import io.dcloud.cli.usage.UsageAnswers.OwnerUsage;
import io.dcloud.cli.usage.UsageAnswers.OwnersReport;
import io.dcloud.cli.usage.UsageAnswers.Total;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code dcloud usage [--month YYYY-MM] [--owner NAME] | owners}: what environments consumed in a
 * calendar month (UTC), hours run times their resources, as a cloud's bill lists it. The month is
 * the gateway's to judge (malformed, or in the future): it answers which field is wrong.
 */
@Command(name = "usage", description = "Your usage in a month, environment by environment (the default); every owner's (admins)")
public final class UsageCommand extends Noun implements Callable<Integer> {
  /** The start of an environment's id, as {@code services logs} shortens a replica's (the CLI takes it for the id). */
  private static final int SHORT_ID = 8;
  private static final String MONTH_LABEL = "YYYY-MM";
  private static final String MONTH_HELP = "A calendar month, UTC (default: this one, until now)";

  @Override
  public Integer call() {
    return runByDefault("get");
  }

  @Command(name = "get", aliases = "show",
      description = "Hours run, CPU-, memory- and GPU-hours of each environment that ran in the month (deleted ones too)")
  int get(@Mixin OutputOption format,
      @Option(names = "--month", paramLabel = MONTH_LABEL, description = MONTH_HELP) String month,
      @Option(names = "--owner", paramLabel = "NAME", description = "Another user's (admins; a deleted user's too)")
      String owner) {
    Map<String, Object> query = new LinkedHashMap<>();
    query.put("month", month);
    query.put("owner", owner);
    JsonNode answer = client().get("/usage" + ApiClient.query(query));
    if (format.format != OutputOption.Format.table) {
      format.print(io().out(), answer, () -> environments(UsageAnswers.read(answer, OwnerReport.class)));
      return ExitCodes.OK;
    }
    OwnerReport report = UsageAnswers.read(answer, OwnerReport.class);
    String period = UsageAnswers.period(report.month(), report.from(), report.to());
    print(report.environments().isEmpty(), "Usage of " + report.owner() + " in " + period,
        "No usage of " + report.owner() + " in " + period + ".", () -> environments(report));
    return ExitCodes.OK;
  }

  @Command(name = "owners", description = "Each owner's sums in the month, and everyone's (admins)")
  int owners(@Mixin OutputOption format,
      @Option(names = "--month", paramLabel = MONTH_LABEL, description = MONTH_HELP) String month) {
    Map<String, Object> query = new LinkedHashMap<>();
    query.put("month", month);
    JsonNode answer = client().get("/usage/owners" + ApiClient.query(query));
    if (format.format != OutputOption.Format.table) {
      format.print(io().out(), answer, () -> owners(UsageAnswers.read(answer, OwnersReport.class)));
      return ExitCodes.OK;
    }
    OwnersReport report = UsageAnswers.read(answer, OwnersReport.class);
    String period = UsageAnswers.period(report.month(), report.from(), report.to());
    print(report.owners().isEmpty(), "Usage by owner in " + period, "No usage in " + period + ".", () -> owners(report));
    return ExitCodes.OK;
  }

  /** The heading and the table, or for a month with nothing in it one line saying so rather than a bare header row. */
  private void print(boolean empty, String heading, String nothing, Supplier<Table> table) {
    if (empty) {
      io().out().println(nothing);
      return;
    }
    io().out().println(heading);
    table.get().print(io().out());
  }

  private static Table environments(OwnerReport report) {
    Table table = new Table("ID", "NAME", "STATUS", "HOURS", "CPU-HOURS", "MEM-GIB-HOURS", "GPU-HOURS");
    for (EnvironmentUsage environment : report.environments()) {
      String id = environment.id();
      table.row(id.substring(0, Math.min(SHORT_ID, id.length())), environment.name(),
          environment.status(), UsageAnswers.hours(environment.runningHours()), UsageAnswers.hours(environment.cpuHours()),
          UsageAnswers.hours(environment.memoryGibHours()), UsageAnswers.hours(environment.gpuHours()));
    }
    Total total = report.total();
    return table.row("TOTAL", null, null, UsageAnswers.hours(total.runningHours()), UsageAnswers.hours(total.cpuHours()),
        UsageAnswers.hours(total.memoryGibHours()), UsageAnswers.hours(total.gpuHours()));
  }

  private static Table owners(OwnersReport report) {
    Table table = new Table("OWNER", "ENVIRONMENTS", "HOURS", "CPU-HOURS", "MEM-GIB-HOURS", "GPU-HOURS");
    for (OwnerUsage owner : report.owners()) {
      table.row(owner.owner(), owner.environments(), UsageAnswers.hours(owner.runningHours()),
          UsageAnswers.hours(owner.cpuHours()), UsageAnswers.hours(owner.memoryGibHours()), UsageAnswers.hours(owner.gpuHours()));
    }
    Total total = report.total();
    return table.row("TOTAL", total.environments(), UsageAnswers.hours(total.runningHours()),
        UsageAnswers.hours(total.cpuHours()), UsageAnswers.hours(total.memoryGibHours()), UsageAnswers.hours(total.gpuHours()));
  }
}
