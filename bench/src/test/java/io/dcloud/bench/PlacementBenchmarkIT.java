package io.dcloud.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The placement benchmark in miniature, for correctness only (CI never times anything): ten hollow
 * nodes over a real embedded Cassandra, a thousand creates through the real path, and every one
 * placed once, running once, and no node overcommitted.
 */
@Tag("cassandra")
class PlacementBenchmarkIT {

  @Test
  void aThousandCreatesOnTenHollowNodesAllRunOnceWithoutOvercommit() {
    PlacementOptions options = new PlacementOptions(
        10, 1000, 200, 40, false, Duration.ofMinutes(10), Duration.ofMinutes(5), null, false);

    PlacementReport report = PlacementBenchmark.run(options);

    assertThat(report.violations()).isEmpty();
    assertThat(report.placed()).isEqualTo(1000);
    assertThat(report.running()).isEqualTo(1000);
    assertThat(report.timeline().repeated.get()).isZero();
    assertThat(report.render()).contains("RESULT nodes=10 creates=1000");
  }
}
