package io.dcloud.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.dcloud.service.ServiceDefinition;
import io.dcloud.service.ServiceView;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The figures of GET /services/{name}/stats and the meters, from latencies and a clock the test sets. */
class ServiceCallStatsTest {
  private static final ServiceView.Replica A = new ServiceView.Replica("a", "node-1", "RUNNING", true, 1);
  private static final ServiceView.Replica B = new ServiceView.Replica("b", "node-2", "RUNNING", true, 1);
  private static final ServiceView VIEW = new ServiceView("svc", ServiceDefinition.Kind.MODEL, "alice", 1, 2, 8080,
      new ServiceDefinition.Readiness("/ready"), List.of(A, B), false, null);

  private final AtomicLong now = new AtomicLong(1_000_000);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final ServiceCallStats stats = new ServiceCallStats(registry, now::get);

  @Test
  void countsRatesAndPercentilesInAllAndPerReplica() {
    for (int i = 1; i <= 100; i++) {
      stats.called("svc", ReplicaBalancer.OK, millis(i));
      stats.attempted("svc", i % 2 == 0 ? A : B, ReplicaBalancer.OK, millis(i));
    }
    stats.attempted("svc", A, ReplicaBalancer.UNREACHABLE, millis(1));
    stats.called("svc", "service-busy", millis(1));

    ServiceCallStats.StatsBody body = stats.of(VIEW);

    assertThat(body.count()).isEqualTo(100);
    assertThat(body.rate10s()).isEqualTo(10.0);
    // The mean and the (population) deviation are the calls' own, not the histogram's buckets'.
    assertThat(body.latencyMs().avg()).isCloseTo(50.5, within(0.0001));
    assertThat(body.latencyMs().p50()).isCloseTo(50.0, within(0.1));
    assertThat(body.latencyMs().p99()).isCloseTo(99.0, within(0.1));
    assertThat(body.latencyMs().stddev()).isCloseTo(Math.sqrt((100.0 * 100.0 - 1) / 12), within(0.0001));
    assertThat(body.replicas()).extracting(ServiceCallStats.ReplicaStats::id, ServiceCallStats.ReplicaStats::node,
            ServiceCallStats.ReplicaStats::count)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("a", "node-1", 50L),
            org.assertj.core.groups.Tuple.tuple("b", "node-2", 50L));
    assertThat(registry.get(ServiceCallStats.ATTEMPTS).tags("service", "svc", "replica", "a", "outcome", "unreachable")
        .timer().count()).isEqualTo(1);
    assertThat(registry.get(ServiceCallStats.CALLS).tags("service", "svc", "outcome", "service-busy").timer().count())
        .isEqualTo(1);
  }

  @Test
  void theRateForgetsCallsOlderThanTenSeconds() {
    stats.called("svc", ReplicaBalancer.OK, millis(1));
    now.addAndGet(Duration.ofSeconds(5).toMillis());
    stats.called("svc", ReplicaBalancer.OK, millis(1));
    assertThat(stats.of(VIEW).rate10s()).isEqualTo(0.2);

    now.addAndGet(Duration.ofSeconds(6).toMillis());
    assertThat(stats.of(VIEW).rate10s()).isEqualTo(0.1);
    assertThat(stats.of(VIEW).count()).isEqualTo(2);
  }

  @Test
  void oneSlowCallMovesTheMeanAndDeviationByItsExactValue() {
    for (int i = 0; i < 99; i++) {
      stats.attempted("svc", A, ReplicaBalancer.OK, millis(1));
    }
    stats.attempted("svc", A, ReplicaBalancer.OK, millis(30_000));

    ServiceCallStats.Latency latency = stats.of(VIEW).replicas().get(0).latencyMs();

    assertThat(latency.avg()).isCloseTo(300.99, within(0.0001));
    double variance = (99 * 1.0 + 30_000.0 * 30_000.0) / 100 - 300.99 * 300.99;
    assertThat(latency.stddev()).isCloseTo(Math.sqrt(variance), within(0.001));
    assertThat(latency.p50()).isCloseTo(1.0, within(0.01));
    assertThat(latency.p99()).isCloseTo(1.0, within(0.01));
  }

  @Test
  void aServiceNotCalledYetHasZeros() {
    ServiceCallStats.StatsBody body = stats.of(VIEW);

    assertThat(body.count()).isZero();
    assertThat(body.latencyMs()).isEqualTo(ServiceCallStats.Latency.NONE);
    assertThat(body.replicas()).hasSize(2).allSatisfy(replica -> assertThat(replica.count()).isZero());
  }

  private static long millis(int ms) {
    return Duration.ofMillis(ms).toNanos();
  }
}
