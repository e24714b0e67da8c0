package io.dcloud.usage;

import io.dcloud.environment.EnvironmentState;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.FoldedEnvironments;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Timer;
import java.time.Instant;
import java.time.YearMonth;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Monthly usage reports, as a bill would list them: an owner's environments with what each used in
 * the month, and every owner's totals for an operator. Environments still in the journal are
 * metered from their events (which ones, from this gateway's read side); collected ones come from
 * the archive, which wins for an environment in both (collected while this read side still lists it).
 */
public final class UsageReports {
  private static final Comparator<EnvironmentUsage> BY_CPU = Comparator
      .comparingLong((EnvironmentUsage environment) -> -environment.usage().milliCpuMillis())
      .thenComparing(EnvironmentUsage::id);
  private static final Comparator<OwnerTotal> OWNERS_BY_CPU = Comparator
      .comparingLong((OwnerTotal owner) -> -owner.usage().milliCpuMillis())
      .thenComparing(OwnerTotal::owner);

  private final UsageRecords records;
  private final FoldedEnvironments folded;
  private final Timer ownerReports = timer("owner");
  private final Timer ownersReports = timer("owners");

  /** {@code folded}: this gateway's read side, which says which environments a month may hold. */
  public UsageReports(UsageRecords records, FoldedEnvironments folded) {
    this.records = records;
    this.folded = folded;
  }

  /** What one environment used in the month; {@code status}: now (DELETED once collected). */
  public record EnvironmentUsage(String id, String name, EnvironmentStatus status, Usage usage) {}

  /** {@code to}: the month's end, or now for the month under way. */
  public record Report(String owner, YearMonth month, Instant from, Instant to, List<EnvironmentUsage> environments) {
    public Usage total() {
      return environments.stream().map(EnvironmentUsage::usage).reduce(Usage.NONE, Usage::plus);
    }
  }

  public record OwnerTotal(String owner, int environments, Usage usage) {}

  public record OwnersReport(YearMonth month, Instant from, Instant to, List<OwnerTotal> owners) {
    public Usage total() {
      return owners.stream().map(OwnerTotal::usage).reduce(Usage.NONE, Usage::plus);
    }

    public int environments() {
      return owners.stream().mapToInt(OwnerTotal::environments).sum();
    }
  }

  /** {@code owner}'s environments that ran in {@code month} (which has begun). */
  public CompletionStage<Report> of(String owner, YearMonth month) {
    Timer.Sample sample = Timer.start();
    Period period = Period.of(month, records.clock().instant());
    return report(owner, period, folded.existedBetween(owner, period.from(), period.to()))
        .whenComplete((report, failure) -> sample.stop(ownerReports));
  }

  /** Every owner's totals in {@code month} (which has begun). */
  public CompletionStage<OwnersReport> owners(YearMonth month) {
    Timer.Sample sample = Timer.start();
    Period period = Period.of(month, records.clock().instant());
    Map<String, List<EnvironmentState>> byOwner = folded.existedBetween(null, period.from(), period.to()).stream()
        .collect(Collectors.groupingBy(EnvironmentState::owner));
    return records.ownersArchived(month).thenCompose(archivedOwners -> {
      Set<String> owners = new HashSet<>(byOwner.keySet());
      owners.addAll(archivedOwners);
      // One owner after the other: each reads its environments report-parallelism at once, and so does the whole.
      return Source.from(owners)
          .mapAsync(1, owner -> report(owner, period, byOwner.getOrDefault(owner, List.of())))
          .filter(report -> !report.environments().isEmpty())
          .map(report -> new OwnerTotal(report.owner(), report.environments().size(), report.total()))
          .runWith(Sink.seq(), records.system())
          .thenApply(totals -> new OwnersReport(month, period.from(), period.to(),
              totals.stream().sorted(OWNERS_BY_CPU).toList()));
    }).whenComplete((report, failure) -> sample.stop(ownersReports));
  }

  private CompletionStage<Report> report(String owner, Period period, List<EnvironmentState> candidates) {
    CompletionStage<List<UsageMeter>> metered = Source.from(candidates)
        .mapAsync(records.parallelReads(), candidate -> records.meter(candidate.id()))
        .runWith(Sink.seq(), records.system());
    return metered.thenCombine(records.archived(owner, period.month()), (meters, archived) -> {
      Map<String, EnvironmentUsage> environments = new HashMap<>();
      for (UsageMeter meter : meters) {
        Usage usage = meter.months(period.to()).getOrDefault(period.month(), Usage.NONE);
        if (!usage.isNone()) {
          String id = meter.state().id();
          environments.put(id, new EnvironmentUsage(id, UsageRecords.nameOf(meter), meter.state().status(), usage));
        }
      }
      archived.forEach((id, environment) -> environments.put(
          id, new EnvironmentUsage(id, environment.name(), EnvironmentStatus.DELETED, environment.usage())));
      List<EnvironmentUsage> sorted = environments.values().stream().sorted(BY_CPU).toList();
      return new Report(owner, period.month(), period.from(), period.to(), sorted);
    });
  }

  private static Timer timer(String scope) {
    return Timer.builder("dcloud.usage.report")
        .description("How long usage reports take to make (each environment of the month is read from the journal)")
        .tag("scope", scope)
        .register(Metrics.globalRegistry);
  }

  /** A month up to {@code now} at most. */
  private record Period(YearMonth month, Instant from, Instant to) {
    static Period of(YearMonth month, Instant now) {
      Instant end = UsageMeter.start(month.plusMonths(1));
      return new Period(month, UsageMeter.start(month), end.isBefore(now) ? end : now);
    }
  }
}
