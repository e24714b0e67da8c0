package io.dcloud.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class TimelineTest {
  private static final long SECOND = TimeUnit.SECONDS.toNanos(1);
  private static final long MILLI = TimeUnit.MILLISECONDS.toNanos(1);

  @Test
  void theP99OfEachSecondSentShowsWhereTheTailWasMade() {
    // 300 requests over three seconds, 5 ms each, but 200 ms for every request sent in the second one.
    Timeline timeline = new Timeline(300);
    long origin = 1_000 * SECOND;
    for (int i = 0; i < 300; i++) {
      long sent = origin + i * (SECOND / 100);
      timeline.sent[i] = sent;
      timeline.placed[i] = sent + (i / 100 == 1 ? 200 : 5) * MILLI;
    }
    assertThat(timeline.p99BySecondSent(timeline.placed)).containsExactly(5.0, 200.0, 5.0);
  }

  @Test
  void requestsNotPlacedAreLeftOut() {
    Timeline timeline = new Timeline(4);
    for (int i = 0; i < 4; i++) {
      timeline.sent[i] = SECOND + i * MILLI;
    }
    timeline.placed[0] = timeline.sent[0] + 7 * MILLI;
    assertThat(timeline.p99BySecondSent(timeline.placed)).containsExactly(7.0);
  }
}
