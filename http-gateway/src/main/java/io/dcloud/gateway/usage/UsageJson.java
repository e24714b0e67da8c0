package io.dcloud.gateway.usage;

import io.dcloud.usage.Usage;
import io.dcloud.usage.UsageReports;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;

/** Usage reports as the API answers them: hours, to six decimals (a second is 0.000278 h). */
final class UsageJson {
  private static final int DECIMALS = 6;

  private UsageJson() {}

  record Totals(int environments, double runningHours, double cpuHours, double memoryGibHours, double gpuHours) {
    static Totals of(int environments, Usage usage) {
      return new Totals(environments, round(usage.runningHours()), round(usage.cpuHours()),
          round(usage.memoryGibHours()), round(usage.gpuHours()));
    }
  }

  record Environment(String id, String name, String status, double runningHours, double cpuHours,
      double memoryGibHours, double gpuHours) {
    static Environment of(UsageReports.EnvironmentUsage environment) {
      Usage usage = environment.usage();
      return new Environment(environment.id(), environment.name(), environment.status().name(),
          round(usage.runningHours()), round(usage.cpuHours()), round(usage.memoryGibHours()), round(usage.gpuHours()));
    }
  }

  record Report(String owner, String month, Instant from, Instant to, Totals total, List<Environment> environments) {
    static Report of(UsageReports.Report report) {
      return new Report(report.owner(), report.month().toString(), report.from(), report.to(),
          Totals.of(report.environments().size(), report.total()),
          report.environments().stream().map(Environment::of).toList());
    }
  }

  record Owner(String owner, int environments, double runningHours, double cpuHours, double memoryGibHours,
      double gpuHours) {
    static Owner of(UsageReports.OwnerTotal owner) {
      Totals totals = Totals.of(owner.environments(), owner.usage());
      return new Owner(owner.owner(), totals.environments(), totals.runningHours(), totals.cpuHours(),
          totals.memoryGibHours(), totals.gpuHours());
    }
  }

  record Owners(String month, Instant from, Instant to, Totals total, List<Owner> owners) {
    static Owners of(UsageReports.OwnersReport report) {
      return new Owners(report.month().toString(), report.from(), report.to(),
          Totals.of(report.environments(), report.total()), report.owners().stream().map(Owner::of).toList());
    }
  }

  private static double round(double hours) {
    return BigDecimal.valueOf(hours).setScale(DECIMALS, RoundingMode.HALF_UP).doubleValue();
  }
}
