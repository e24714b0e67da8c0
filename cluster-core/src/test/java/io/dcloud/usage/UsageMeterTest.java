package io.dcloud.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentEvents;
import io.dcloud.resources.Resources;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** What an environment's events say it used: running stretches, at their resources, split by month. */
class UsageMeterTest {
  private static final long GIB = 1L << 30;
  private static final long HOUR = 3_600_000;
  private static final Resources TWO_CPUS = new Resources(2000, GIB, 0, 0, null);
  private static final Instant TEN = Instant.parse("2026-10-10T10:00:00Z");
  private static final YearMonth OCTOBER = YearMonth.of(2026, 10);
  private static final YearMonth NOVEMBER = YearMonth.of(2026, 11);

  private static UsageMeter metered(List<EnvironmentEntity.Event> events) {
    UsageMeter meter = new UsageMeter("env-1");
    events.forEach(meter::apply);
    return meter;
  }

  private static List<EnvironmentEntity.Event> plus(List<EnvironmentEntity.Event> events, EnvironmentEntity.Event... more) {
    return Stream.concat(events.stream(), Stream.of(more)).toList();
  }

  @Test
  void aStretchFromRunningToStoppedCountsItsHoursTimesWhatItHeld() {
    UsageMeter meter = metered(EnvironmentEvents.ran("nb", "uma", TWO_CPUS, TEN, TEN.plusSeconds(7200)));

    Map<YearMonth, Usage> months = meter.months(Instant.parse("2027-01-01T00:00:00Z"));

    assertThat(months).containsOnlyKeys(OCTOBER);
    Usage october = months.get(OCTOBER);
    assertThat(october.runningMillis()).isEqualTo(2 * HOUR);
    assertThat(october.cpuHours()).isEqualTo(4.0);
    assertThat(october.memoryGibHours()).isEqualTo(2.0);
    assertThat(october.gpuHours()).isZero();
    assertThat(meter.state().owner()).isEqualTo("uma");
  }

  @Test
  void whatRunsStillCountsUpToTheInstantAskedAndAcrossTheMonthsBound() {
    List<EnvironmentEntity.Event> running = EnvironmentEvents.ran("nb", "uma", TWO_CPUS,
        Instant.parse("2026-10-31T23:00:00Z"), Instant.parse("2026-11-01T01:00:00Z")).subList(0, 4);
    UsageMeter meter = metered(running);

    Map<YearMonth, Usage> months = meter.months(Instant.parse("2026-11-01T00:30:00Z"));

    assertThat(months.get(OCTOBER).runningMillis()).isEqualTo(HOUR);
    assertThat(months.get(NOVEMBER).runningMillis()).isEqualTo(HOUR / 2);
    assertThat(meter.months(Instant.parse("2026-11-01T02:00:00Z")).get(NOVEMBER).runningMillis())
        .as("asked later, it has run longer").isEqualTo(2 * HOUR);
  }

  @Test
  void aResizeAsItRunsStartsAStretchAtTheNewResources() {
    List<EnvironmentEntity.Event> events = EnvironmentEvents.ran("nb", "uma", TWO_CPUS, TEN, TEN.plusSeconds(7200));
    Resources fourCpus = new Resources(4000, 2 * GIB, 1, 0, null);
    List<EnvironmentEntity.Event> resized = plus(events.subList(0, 4),
        new EnvironmentEntity.Resized(fourCpus, TEN.plusSeconds(3600), "uma", null, true),
        new EnvironmentEntity.LimitsApplied(fourCpus, TEN.plusSeconds(3601)),
        events.get(4), events.get(5));

    Usage october = metered(resized).months(TEN.plusSeconds(86_400)).get(OCTOBER);

    assertThat(october.runningHours()).isEqualTo(2.0);
    assertThat(october.cpuHours()).as("an hour at 2, an hour at 4").isEqualTo(6.0);
    assertThat(october.memoryGibHours()).isEqualTo(3.0);
    assertThat(october.gpuHours()).isEqualTo(1.0);
  }

  @Test
  void onlyTheContainersRunningTimeCounts() {
    List<EnvironmentEntity.Event> ran = EnvironmentEvents.ran("nb", "uma", TWO_CPUS, TEN, TEN.plusSeconds(3600));
    Instant later = TEN.plusSeconds(7200);
    List<EnvironmentEntity.Event> events = plus(ran,
        // Started again, lost with its node half an hour after running, then deleted: a second half hour.
        new EnvironmentEntity.StartRequested(later, "uma", null, null),
        new EnvironmentEntity.ContainerStarting(later),
        new EnvironmentEntity.ContainerRunning("c2", List.of(), later),
        new EnvironmentEntity.LostWithNode("node-1", later.plusSeconds(1800)),
        new EnvironmentEntity.DeleteRequested(later.plusSeconds(3600), "uma", null),
        new EnvironmentEntity.Deleted(later.plusSeconds(3601), "uma", null));

    assertThat(metered(events).months(later.plusSeconds(86_400)).get(OCTOBER).runningHours()).isEqualTo(1.5);
  }

  @Test
  void anEnvironmentDeletedBeforeItRanUsedNothing() {
    List<EnvironmentEntity.Event> ran = EnvironmentEvents.ran("nb", "uma", TWO_CPUS, TEN, TEN.plusSeconds(3600));
    List<EnvironmentEntity.Event> events = plus(ran.subList(0, 2),
        new EnvironmentEntity.DeleteRequested(TEN, "uma", null),
        new EnvironmentEntity.Deleted(TEN.plusSeconds(5), "uma", null));

    assertThat(metered(events).months(TEN.plusSeconds(86_400))).isEmpty();
  }
}
