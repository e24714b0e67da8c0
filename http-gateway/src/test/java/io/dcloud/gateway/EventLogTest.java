package io.dcloud.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The event log's bounds: what a client may resume from, and what is too old or foreign. */
class EventLogTest {
  private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

  private static List<Long> numbers(List<EventLog.Entry> entries) {
    return entries.stream().map(EventLog.Entry::number).toList();
  }

  @Test
  void resumesAfterAnyKeptEventAndFromTheLatest() {
    EventLog log = new EventLog(Duration.ofMinutes(10), 100);
    String first = log.append("environment", "{}", caller -> true, T0).event().getId().orElseThrow();
    log.append("environment", "{}", caller -> true, T0);
    String last = log.append("node", "{}", caller -> true, T0).event().getId().orElseThrow();

    assertThat(log.after(first).map(EventLogTest::numbers)).hasValue(List.of(2L, 3L));
    assertThat(log.after(last).map(EventLogTest::numbers)).hasValue(List.of());
  }

  @Test
  void anIdPastTheCountOrTheRetentionOrOfAnotherRunIsNotResumable() {
    EventLog counted = new EventLog(Duration.ofMinutes(10), 2);
    String before = counted.append("environment", "{}", caller -> true, T0).event().getId().orElseThrow();
    String lastForgotten = counted.append("environment", "{}", caller -> true, T0).event().getId().orElseThrow();
    counted.append("environment", "{}", caller -> true, T0);
    counted.append("environment", "{}", caller -> true, T0);
    assertThat(counted.size()).isEqualTo(2);
    assertThat(counted.after(before)).as("it missed the forgotten second").isEmpty();
    assertThat(counted.after(lastForgotten).map(EventLogTest::numbers)).hasValue(List.of(3L, 4L));

    EventLog timed = new EventLog(Duration.ofMinutes(10), 100);
    String old = timed.append("environment", "{}", caller -> true, T0).event().getId().orElseThrow();
    String latest = timed.append("environment", "{}", caller -> true, T0).event().getId().orElseThrow();
    timed.prune(T0.plus(Duration.ofMinutes(11)));
    assertThat(timed.size()).isZero();
    assertThat(timed.after(old)).as("it missed the expired second").isEmpty();
    assertThat(timed.after(latest)).as("it missed nothing: nothing happened since").hasValue(List.of());

    assertThat(new EventLog(Duration.ofMinutes(10), 100).after(lastForgotten)).as("another gateway's id").isEmpty();
  }
}
