package io.dcloud.gateway.event;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.sse.ServerSentEvent;
import org.junit.jupiter.api.Test;

/** The event log's bounds: what a client may resume from, and what is too old or foreign. */
class EventLogTest {
  private static final Instant T0 = Instant.parse("2026-11-30T12:00:00Z");

  private static final Supplier<String> DATA = () -> "{}";

  private static List<Long> numbers(List<EventLog.Entry> entries) {
    return entries.stream().map(EventLog.Entry::number).toList();
  }

  @Test
  void resumesAfterAnyKeptEventAndFromTheLatest() {
    EventLog log = new EventLog(Duration.ofMinutes(10), 100);
    String first = log.append("environment", DATA, caller -> true, T0).event().getId().orElseThrow();
    log.append("environment", DATA, caller -> true, T0);
    String last = log.append("node", DATA, caller -> true, T0).event().getId().orElseThrow();

    assertThat(log.after(first).map(EventLogTest::numbers)).hasValue(List.of(2L, 3L));
    assertThat(log.after(last).map(EventLogTest::numbers)).hasValue(List.of());
  }

  @Test
  void anIdPastTheCountOrTheRetentionOrOfAnotherRunIsNotResumable() {
    EventLog counted = new EventLog(Duration.ofMinutes(10), 2);
    String before = counted.append("environment", DATA, caller -> true, T0).event().getId().orElseThrow();
    String lastForgotten = counted.append("environment", DATA, caller -> true, T0).event().getId().orElseThrow();
    counted.append("environment", DATA, caller -> true, T0);
    counted.append("environment", DATA, caller -> true, T0);
    assertThat(counted.size()).isEqualTo(2);
    assertThat(counted.after(before)).as("it missed the forgotten second").isEmpty();
    assertThat(counted.after(lastForgotten).map(EventLogTest::numbers)).hasValue(List.of(3L, 4L));

    EventLog timed = new EventLog(Duration.ofMinutes(10), 100);
    String old = timed.append("environment", DATA, caller -> true, T0).event().getId().orElseThrow();
    String latest = timed.append("environment", DATA, caller -> true, T0).event().getId().orElseThrow();
    timed.prune(T0.plus(Duration.ofMinutes(11)));
    assertThat(timed.size()).isZero();
    assertThat(timed.after(old)).as("it missed the expired second").isEmpty();
    assertThat(timed.after(latest)).as("it missed nothing: nothing happened since").hasValue(List.of());

    assertThat(new EventLog(Duration.ofMinutes(10), 100).after(lastForgotten)).as("another gateway's id").isEmpty();
  }

  @Test
  void anEventIsRenderedWhenItIsReadNotWhenItIsKept() {
    EventLog log = new EventLog(Duration.ofMinutes(10), 100);
    AtomicInteger rendered = new AtomicInteger();
    String first = log.append("environment", () -> "{\"n\":" + rendered.incrementAndGet() + "}", caller -> true, T0)
        .event().getId().orElseThrow();
    log.append("environment", () -> "{\"n\":" + rendered.incrementAndGet() + "}", caller -> true, T0);
    log.append("environment", () -> "{\"n\":" + rendered.incrementAndGet() + "}", caller -> true, T0);
    assertThat(rendered).as("only the first was read").hasValue(1);

    List<EventLog.Entry> missed = log.after(first).orElseThrow();
    ServerSentEvent third = missed.get(1).event();
    assertThat(third.getData()).as("rendered now, when a resuming client reads it").isEqualTo("{\"n\":2}");
    assertThat(third.getId()).hasValue(first.substring(0, first.indexOf('.')) + ".3");
    assertThat(rendered).hasValue(2);
  }
}
