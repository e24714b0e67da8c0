package io.dcloud.usage;

import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentState;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.resources.Resources;
import java.time.Instant;
import java.time.YearMonth;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.TreeMap;

/**
 * Meters one environment from its events, in order: its container counts from the event that made
 * it RUNNING until the one that takes it out of RUNNING and STOPPING (stopped, exited, failed, lost
 * with its node, deleted), at the resources its spec held meanwhile (a resize as it runs starts a
 * new stretch at the new ones). Time is split at the months' bounds (UTC), as a bill is. A stretch
 * still open counts up to the instant asked for.
 *
 * <p>The events' own times are what counts, so the figures are the same on every gateway and
 * after any restart: they are the journal's, as the environment's history is.
 */
public final class UsageMeter {
  /** The fold needs no history: only the status and the resources. */
  private static final int NO_HISTORY = 1;

  private EnvironmentState state;
  private final Map<YearMonth, Usage> months = new TreeMap<>();
  /** When the stretch still open began, and what it holds; null while the container does not run. */
  private Instant runningSince;
  private Resources runningWith;

  public UsageMeter(String environmentId) {
    this.state = EnvironmentState.empty(environmentId);
  }

  public void apply(EnvironmentEntity.Event event) {
    state = state.apply(event, NO_HISTORY);
    EnvironmentStatus status = state.status();
    Resources held = state.spec() == null ? null : state.spec().resources();
    boolean stillRunning = status == EnvironmentStatus.RUNNING || status == EnvironmentStatus.STOPPING;
    if (runningSince != null && (!stillRunning || !held.equals(runningWith))) {
      add(months, runningSince, event.at(), runningWith);
      runningSince = null;
    }
    // Only RUNNING opens a stretch: an environment deleted while still placed goes STOPPING without a container.
    if (runningSince == null && status == EnvironmentStatus.RUNNING) {
      runningSince = event.at();
      runningWith = held;
    }
  }

  /** The environment as its events left it (its name, owner and status now). */
  public EnvironmentState state() {
    return state;
  }

  /** What it used in each month, counting a stretch still open up to {@code now}. */
  public Map<YearMonth, Usage> months(Instant now) {
    Map<YearMonth, Usage> counted = new TreeMap<>(months);
    if (runningSince != null) {
      add(counted, runningSince, now, runningWith);
    }
    return counted;
  }

  public static Instant start(YearMonth month) {
    return month.atDay(1).atStartOfDay(ZoneOffset.UTC).toInstant();
  }

  public static YearMonth monthOf(Instant instant) {
    return YearMonth.from(instant.atZone(ZoneOffset.UTC));
  }

  private static void add(Map<YearMonth, Usage> months, Instant from, Instant to, Resources resources) {
    Instant begin = from;
    while (begin.isBefore(to)) {
      YearMonth month = monthOf(begin);
      Instant monthEnd = start(month.plusMonths(1));
      Instant end = to.isBefore(monthEnd) ? to : monthEnd;
      months.merge(month, Usage.of(resources, end.toEpochMilli() - begin.toEpochMilli()), Usage::plus);
      begin = end;
    }
  }
}
