package io.dcloud.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class LoginThrottleTest {
  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  private final LoginThrottle throttle = new LoginThrottle(3, Duration.ofMinutes(1));

  @Test
  void aBurstOfFailuresForOneUserStopsThatUserFromEveryAddressUntilTheWindowPasses() {
    for (int i = 0; i < 3; i++) {
      assertThat(throttle.waitBefore("alice", "10.0.0." + i, NOW)).isZero();
      throttle.failed("alice", "10.0.0." + i, NOW.plusSeconds(i));
    }
    assertThat(throttle.waitBefore("alice", "10.0.0.9", NOW.plusSeconds(10))).isEqualTo(Duration.ofSeconds(50));
    assertThat(throttle.waitBefore("bob", "10.0.0.9", NOW.plusSeconds(10))).isZero();
    assertThat(throttle.waitBefore("alice", "10.0.0.9", NOW.plusSeconds(61))).isZero();
  }

  @Test
  void aBurstFromOneAddressStopsEveryUsernameFromIt() {
    throttle.failed("a", "10.0.0.1", NOW);
    throttle.failed("b", "10.0.0.1", NOW);
    throttle.failed("c", "10.0.0.1", NOW);
    assertThat(throttle.waitBefore("d", "10.0.0.1", NOW)).isPositive();
    assertThat(throttle.waitBefore("d", "10.0.0.2", NOW)).isZero();
  }

  @Test
  void aSuccessForgetsTheUsersFailures() {
    throttle.failed("alice", "10.0.0.1", NOW);
    throttle.failed("alice", "10.0.0.2", NOW);
    throttle.succeeded("alice");
    throttle.failed("alice", "10.0.0.3", NOW);
    assertThat(throttle.waitBefore("alice", "10.0.0.4", NOW)).isZero();
  }
}
