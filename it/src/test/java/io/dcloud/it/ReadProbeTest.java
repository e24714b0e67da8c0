package io.dcloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.stream.LongStream;
import org.junit.jupiter.api.Test;

class ReadProbeTest {
  private static final long MS = 1_000_000;

  @Test
  void percentilesAreTheNearestRankOfTheSortedTimes() {
    long[] hundred = LongStream.rangeClosed(1, 100).map(ms -> ms * MS).toArray();
    assertThat(ReadProbe.percentileMs(hundred, 0.50)).isEqualTo(50.0);
    assertThat(ReadProbe.percentileMs(hundred, 0.90)).isEqualTo(90.0);
    assertThat(ReadProbe.percentileMs(hundred, 0.99)).isEqualTo(99.0);
    assertThat(ReadProbe.percentileMs(hundred, 1.0)).isEqualTo(100.0);
  }

  @Test
  void oneSlowAnswerInAHundredIsTheSlowestNotTheNinetyNinthPercentile() {
    long[] times = LongStream.concat(LongStream.generate(() -> 2 * MS).limit(99), LongStream.of(900 * MS)).toArray();
    assertThat(ReadProbe.percentileMs(times, 0.99)).isEqualTo(2.0);
    assertThat(ReadProbe.percentileMs(times, 1.0)).isEqualTo(900.0);
  }

  @Test
  void noAnswersGiveZero() {
    assertThat(ReadProbe.percentileMs(new long[0], 0.99)).isZero();
    assertThat(ReadProbe.percentileMs(new long[] {7 * MS}, 0.5)).isEqualTo(7.0);
  }
}
