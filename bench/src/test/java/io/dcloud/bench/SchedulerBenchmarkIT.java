package io.dcloud.bench;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The scheduler benchmark in miniature, for correctness only (CI never times anything): ten hollow
 * nodes' statuses in the gossip, a real embedded Cassandra journal, two thousand Place requests (one
 * in forty asking for a GPU), and every one placed exactly once. A snapshot every 300 decisions:
 * the scheduler started again on the same journal recovers every reservation from the newest of
 * the snapshots it stored in Cassandra while it placed.
 */
@Tag("cassandra")
class SchedulerBenchmarkIT {

  @Test
  void twoThousandRequestsOnTenNodesAreEachPlacedOnce() {
    PlacementOptions options = new PlacementOptions(
        10, 2000, 1000, 40, false, Duration.ofMinutes(1), Duration.ofMinutes(5), null, false);

    SchedulerBenchmark.Result result =
        SchedulerBenchmark.run(options, 100, ConfigFactory.parseString("dcloud.scheduler.snapshot-every = 300"));

    assertThat(result.placed()).isEqualTo(2000);
    assertThat(result.placedTwice()).isZero();
    assertThat(result.snapshotsStored()).as("snapshots stored in Cassandra").isPositive();
    assertThat(result.recovered()).isEqualTo(2100);
    assertThat(result.correct()).isTrue();
  }
}
