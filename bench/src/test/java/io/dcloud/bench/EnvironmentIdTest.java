package io.dcloud.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.UUID;
import org.junit.jupiter.api.Test;

class EnvironmentIdTest {
  @Test
  void theBenchmarksIdsAreUuidsNumberedInTheirLastGroupAndTellTheRunFromTheWarmUp() {
    assertThat(PlacementBenchmark.environmentId(PlacementBenchmark.RUN_PREFIX, 42))
        .isEqualTo("00000000-0000-4000-8000-000000000042");
    assertThat(PlacementBenchmark.environmentId("warm-up", 999_999_999))
        .isEqualTo("ffff0000-0000-4000-8000-000999999999");
    assertThat(UUID.fromString(PlacementBenchmark.environmentId(PlacementBenchmark.RUN_PREFIX, 7)).version()).isEqualTo(4);
  }
}
