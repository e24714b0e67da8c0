package io.dcloud.gateway.environment;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class SheddingReportTest {
  private final AtomicLong now = new AtomicLong(1_000_000_000L);
  private final SheddingReport report = new SheddingReport(Duration.ofSeconds(10), now::get);

  private void after(Duration passed) {
    now.addAndGet(passed.toNanos());
  }

  @Test
  void theFirstRefusalIsAWarnAndTheFirstAdmissionAfterItAnInfoWithTheCount() {
    assertThat(report.admitted(1, 16)).as("nothing to say while admitting").isNull();

    SheddingReport.Line started = report.refused(16);
    assertThat(started.warn()).isTrue();
    assertThat(started.text()).startsWith("16 creates are in progress").contains("refusing new ones with 429");
    assertThat(report.refused(16)).as("still refusing: said already").isNull();
    assertThat(report.refused(16)).isNull();

    after(Duration.ofSeconds(10));
    SheddingReport.Line ended = report.admitted(15, 16);
    assertThat(ended.warn()).isFalse();
    assertThat(ended.text()).isEqualTo("Creates are admitted again (15 in progress, at most 16 now); 2 refused with 429 since the last line");
  }

  @Test
  void turnsWithinThePeriodAreFoldedIntoOneLineEachPeriod() {
    assertThat(report.refused(16)).isNotNull();
    int lines = 0;
    for (int turn = 0; turn < 100; turn++) {
      after(Duration.ofMillis(50));
      lines += report.admitted(15, 16) == null ? 0 : 1;
      lines += report.refused(16) == null ? 0 : 1;
    }
    assertThat(lines).as("5 s of turns: no line before the period is over").isZero();

    after(Duration.ofSeconds(5));
    SheddingReport.Line folded = report.admitted(15, 16);
    assertThat(folded.text()).endsWith("100 refused with 429 since the last line");
    assertThat(report.refused(16)).as("the next line only a period later").isNull();
    after(Duration.ofSeconds(10));
    assertThat(report.refused(16).warn()).isTrue();
  }
}
