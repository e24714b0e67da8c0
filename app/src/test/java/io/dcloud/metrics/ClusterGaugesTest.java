package io.dcloud.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.node.NodeStatus;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.NodeAvailability;
import io.dcloud.scheduler.NodeView;
import io.dcloud.scheduler.Scheduler;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The cluster gauges follow the directory's counts and the scheduler's nodes; a node's gauges are made once. */
class ClusterGaugesTest {
  private static final ActorTestKit testKit = ActorTestKit.create("cluster-gauges-test");
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Instant NOW = Instant.parse("2026-12-03T12:00:00Z");

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static NodeView node(String id, long reservedMilliCpus) {
    NodeStatus status = new NodeStatus(id, id + ".lab", new Resources(8000, 32L << 30, 1, 100L << 30, null), List.of(),
        NodeStatus.Usage.NONE, Map.of(), true, "24.0.7", "none", NOW, "pekko://dcloud@" + id, List.of());
    return new NodeView(status, NodeAvailability.UP, new Resources(reservedMilliCpus, 1L << 30, 0, 0, null), List.of(), 0);
  }

  private static Gauge gauge(SimpleMeterRegistry registry, String name, String node, String resource) {
    return registry.find(name).tags("node", node, "resource", resource).gauge();
  }

  @Test
  void eachNodesGaugesAreRegisteredOnceUpdatedInPlaceAndRemovedWhenItLeaves() {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    TestProbe<Scheduler.Command> scheduler = testKit.createTestProbe();
    TestProbe<EnvironmentDirectory.Command> directory = testKit.createTestProbe();
    testKit.spawn(ClusterGauges.create(registry, Duration.ofMillis(200), scheduler.getRef(), directory.getRef()));

    directory.expectMessageClass(EnvironmentDirectory.CountByStatus.class, WAIT).replyTo()
        .tell(new EnvironmentDirectory.StatusCounts(Map.of(EnvironmentStatus.RUNNING, 3L)));
    scheduler.expectMessageClass(Scheduler.GetNodes.class, WAIT).replyTo()
        .tell(new Scheduler.Nodes(List.of(node("n1", 1000), node("n2", 0))));
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(registry.find("dcloud.environments").tag("status", "RUNNING").gauge().value()).isEqualTo(3.0);
      assertThat(registry.find("dcloud.environments").tag("status", "FAILED").gauge().value()).isZero();
      assertThat(registry.find("dcloud.nodes").tag("state", "UP").gauge().value()).isEqualTo(2.0);
      assertThat(gauge(registry, "dcloud.node.capacity", "n1", "cpu").value()).isEqualTo(8.0);
      assertThat(gauge(registry, "dcloud.node.reserved", "n1", "cpu").value()).isEqualTo(1.0);
      assertThat(gauge(registry, "dcloud.node.capacity", "n2", "memory_bytes").value()).isEqualTo(32.0 * (1L << 30));
    });
    Gauge n1Reserved = gauge(registry, "dcloud.node.reserved", "n1", "cpu");

    // The next refresh: n1 took more, n2 left the cluster.
    scheduler.expectMessageClass(Scheduler.GetNodes.class, WAIT).replyTo()
        .tell(new Scheduler.Nodes(List.of(node("n1", 2500))));
    await().atMost(WAIT).untilAsserted(() -> {
      assertThat(n1Reserved.value()).as("the gauge first registered, now reading the new value").isEqualTo(2.5);
      assertThat(registry.find("dcloud.node.capacity").tag("node", "n2").gauges()).as("a node gone").isEmpty();
      assertThat(registry.find("dcloud.node.reserved").tag("node", "n2").gauges()).isEmpty();
    });
    assertThat(gauge(registry, "dcloud.node.reserved", "n1", "cpu")).as("not registered again").isSameAs(n1Reserved);
    assertThat(registry.find("dcloud.node.capacity").gauges()).hasSize(4);
    assertThat(registry.find("dcloud.node.reserved").gauges()).hasSize(4);
  }
}
