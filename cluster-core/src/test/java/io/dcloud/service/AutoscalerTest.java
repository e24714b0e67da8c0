package io.dcloud.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalInt;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The autoscaling decisions: the load over the look-back window, the bounds, and the delays. */
class AutoscalerTest {
  private static final Instant START = Instant.parse("2026-12-07T10:00:00Z");
  private static final Duration LOOK_BACK = Duration.ofSeconds(30);
  /** 1 to 5 replicas, 2 calls in progress each, up after 10 s, down after 60 s. */
  private static final ServiceDefinition.Autoscaling BOUNDS =
      new ServiceDefinition.Autoscaling(1, 5, 2, Duration.ofSeconds(10), Duration.ofSeconds(60));

  static {
    Metrics.addRegistry(new SimpleMeterRegistry());
  }

  private final Autoscaler autoscaler =
      new Autoscaler("svc", LOOK_BACK, START, new ServiceGauges("svc-" + UUID.randomUUID()));

  /** Every gateway-report interval of two seconds from {@code from} to {@code to}: {@code ongoing} calls in progress. */
  private void load(double ongoing, long from, long to) {
    for (long at = from + 2; at <= to; at += 2) {
      autoscaler.report(ongoing, Duration.ofSeconds(2), START.plusSeconds(at));
    }
  }

  private OptionalInt decideAt(long seconds, int current) {
    return autoscaler.decide(BOUNDS, current, START.plusSeconds(seconds));
  }

  @Test
  void theLoadIsTheCallsInProgressAveragedOverTheWindowAndAsksForLoadOverTargetReplicas() {
    // Two gateways: 3 and 4 calls in progress all along, 7 together: 4 replicas of 2 each.
    load(3, 0, 30);
    load(4, 0, 30);
    decideAt(30, 4);
    assertThat(autoscaler.status().ongoingRequests()).isCloseTo(7, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(autoscaler.status().wantedReplicas()).isEqualTo(4);
    // A whole multiple of the target asks for exactly that many.
    assertThat(BOUNDS.wanted(8)).isEqualTo(4);
    assertThat(BOUNDS.wanted(8.01)).isEqualTo(5);
  }

  @Test
  void scalesUpOnlyOnceTheLoadHasAskedForMoreForTheUpscaleDelay() {
    load(9, 0, 30);
    assertThat(decideAt(30, 1)).as("asked for 5 just now").isEmpty();
    assertThat(autoscaler.status().scalesAt()).as("due once the delay has passed").isEqualTo(START.plusSeconds(40));
    load(9, 30, 36);
    assertThat(decideAt(36, 1)).as("6 s of 10").isEmpty();
    assertThat(autoscaler.status().scalesAt()).isEqualTo(START.plusSeconds(40));
    load(9, 36, 40);
    assertThat(decideAt(40, 1)).hasValue(5);
    assertThat(autoscaler.status().scalesAt()).as("taken: nothing pending").isNull();
  }

  @Test
  void aBurstShorterThanTheDelayScalesNothingAndTheDelayStartsOver() {
    load(9, 0, 30);
    assertThat(decideAt(30, 1)).isEmpty();
    // The burst ends: 40 s later the window has only quiet in it, and asks for the one there is.
    assertThat(decideAt(70, 1)).isEmpty();
    load(9, 70, 100);
    assertThat(decideAt(100, 1)).as("a new burst waits its own delay").isEmpty();
  }

  @Test
  void neverBeyondTheBounds() {
    load(1000, 0, 30);
    decideAt(30, 1);
    assertThat(decideAt(40, 1)).hasValue(5);
    assertThat(BOUNDS.wanted(0)).isEqualTo(1);
    assertThat(BOUNDS.clamp(9)).isEqualTo(5);
  }

  @Test
  void aServiceScaledToZeroGetsItsFirstReplicaAtOnceAndGoesBackToZeroWhenQuiet() {
    ServiceDefinition.Autoscaling fromZero =
        new ServiceDefinition.Autoscaling(0, 3, 2, Duration.ofSeconds(10), Duration.ofSeconds(60));
    assertThat(fromZero.wanted(0)).isZero();
    autoscaler.report(0.1, Duration.ofSeconds(2), START.plusSeconds(40));
    assertThat(autoscaler.decide(fromZero, 0, START.plusSeconds(40))).as("no upscale delay from zero").hasValue(1);
    assertThat(autoscaler.decide(fromZero, 1, START.plusSeconds(80))).as("quiet: asks for none from now").isEmpty();
    assertThat(autoscaler.decide(fromZero, 1, START.plusSeconds(140))).hasValue(0);
  }

  @Test
  void scalesDownAfterTheLongerDownscaleDelay() {
    assertThat(decideAt(30, 3)).as("quiet since it started: asks for 1 from now").isEmpty();
    assertThat(autoscaler.status().scalesAt()).isEqualTo(START.plusSeconds(90));
    assertThat(decideAt(60, 3)).as("30 s of 60").isEmpty();
    assertThat(decideAt(90, 3)).hasValue(1);
  }

  @Test
  void scalesDownOnlyOnceItHasSeenAWholeWindowSoThatARestartIsNoLull() {
    Duration noDelay = Duration.ZERO;
    ServiceDefinition.Autoscaling eager = new ServiceDefinition.Autoscaling(1, 5, 2, noDelay, noDelay);
    assertThat(autoscaler.decide(eager, 3, START.plusSeconds(5))).isEmpty();
    // 40 calls for 2 s seen over 8 s: 10 in progress, 5 replicas.
    autoscaler.report(40, Duration.ofSeconds(2), START.plusSeconds(6));
    assertThat(autoscaler.decide(eager, 3, START.plusSeconds(8))).as("upwards at once: the load seen is a lower bound")
        .hasValue(5);
    assertThat(autoscaler.decide(eager, 5, START.plusSeconds(40))).hasValue(1);
  }
}
