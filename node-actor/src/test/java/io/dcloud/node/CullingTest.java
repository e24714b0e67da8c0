package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.deploy.HollowRuntime;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Idle culling and max-runtime on a node over the hollow runtime: environments idle for their
 * timeout are asked to stop with the reason, the cap shortens a long timeout, and exec traffic keeps
 * one alive; one that has run for its max-runtime is asked to stop however busy, its cap shortens a
 * long one too, and one without runs on.
 */
class CullingTest {
  private static final Config CONFIG = ConfigFactory.parseString("""
          pekko.actor.provider = cluster
          pekko.remote.artery.canonical.hostname = 127.0.0.1
          pekko.remote.artery.canonical.port = 0
          dcloud.node.idle.check-interval = 100ms
          dcloud.environment.idle.max-timeout = 2s
          dcloud.node.max-runtime.check-interval = 100ms
          dcloud.environment.max-runtime.max = 2s
          """)
      .withFallback(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create("culling-test", CONFIG);
  private static final Duration WAIT = Duration.ofSeconds(20);
  /** Traffic is sent this often to the environment that must stay: well under its timeout. */
  private static final Duration TRAFFIC_EVERY = Duration.ofMillis(200);
  private static final ImageRecipe RECIPE = new ImageRecipe("dcloud/env-tiny:0123456789abcdef", "busybox", "FROM busybox\n");

  record StopAsked(String environmentId, String reason) {}

  /** The cluster as the node sees it: reports and stop requests land in queues; every stop is taken. */
  private static final class RecordingPeers implements NodePeers {
    final Map<String, String> running = new ConcurrentHashMap<>();
    final BlockingQueue<StopAsked> stops = new LinkedBlockingQueue<>();

    @Override
    public void report(String environmentId, NodeProtocol.ContainerReport report) {
      if (report.phase() == ContainerPhase.RUNNING) {
        running.put(environmentId, report.containerId());
      }
    }

    @Override
    public void progress(String environmentId, String line) {}

    @Override
    public CompletionStage<Claim> claim(String environmentId, String nodeId) {
      return CompletableFuture.completedFuture(new Claim(true, List.of(), null));
    }

    @Override
    public CompletionStage<Boolean> stop(String environmentId, String reason) {
      stops.add(new StopAsked(environmentId, reason));
      return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletionStage<List<String>> placedOn(String nodeId) {
      return CompletableFuture.completedFuture(List.of());
    }
  }

  /** Micrometer's global registry counts nothing until a registry is added to it (the app adds Prometheus's). */
  private static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();

  @BeforeAll
  static void countMeters() {
    Metrics.addRegistry(METERS);
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
    Metrics.removeRegistry(METERS);
  }

  private static EnvironmentSpec spec(Duration idleTimeout) {
    return new EnvironmentSpec("idler", "1", "tiny", null, List.of(), new Resources(500, 64L << 20, 0, 0, null),
        List.of(), List.of(), List.of(), List.of(), Map.of(), Map.of(), EnvironmentSpec.RestartPolicy.NEVER, Map.of(),
        idleTimeout);
  }

  /** A node of the test's cluster (joined first) over the hollow runtime, reporting to {@code peers}. */
  private static ActorRef<NodeProtocol.Command> node(String nodeId, RecordingPeers peers) {
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    NodeSettings settings = NodeSettings.fromConfig(CONFIG, "test-host").withNodeId(nodeId);
    MachineProfile machine = MachineProfile.simulated(nodeId, new Resources(4000, 8L << 30, 0, 100L << 30, null), List.of());
    return testKit.spawn(NodeActor.create(settings, new HollowRuntime(Duration.ZERO, 4, 8L << 30), machine, peers));
  }

  /**
   * The stops {@code node} asks for, by environment, with their reasons: until each of {@code expected}
   * is asked (each at most once), then 3 s more, longer than any capped limit here; {@code busy} gets
   * exec traffic until it is asked.
   */
  private static Map<String, String> stopsAsked(
      ActorRef<NodeProtocol.Command> node, RecordingPeers peers, String busy, Set<String> expected) throws Exception {
    Map<String, String> asked = new ConcurrentHashMap<>();
    long deadline = System.nanoTime() + WAIT.toNanos();
    long quietUntil = Long.MAX_VALUE;
    while (System.nanoTime() < quietUntil) {
      assertThat(System.nanoTime()).as("asked to stop in time: %s", asked).isLessThan(deadline);
      String busyContainer = peers.running.get(busy);
      if (busyContainer != null && !asked.containsKey(busy)) {
        node.tell(new NodeProtocol.ExecIn(busy, busyContainer, List.of("true"), null, 1000, 1024,
            testKit.<NodeProtocol.ExecReply>createTestProbe().getRef()));
      }
      StopAsked stop = peers.stops.poll(TRAFFIC_EVERY.toMillis(), TimeUnit.MILLISECONDS);
      if (stop != null) {
        assertThat(asked.put(stop.environmentId(), stop.reason())).as("asked once: %s", stop).isNull();
      }
      if (quietUntil == Long.MAX_VALUE && asked.keySet().containsAll(expected)) {
        quietUntil = System.nanoTime() + Duration.ofSeconds(3).toNanos();
      }
    }
    return asked;
  }

  @Test
  void idleEnvironmentsAreAskedToStopWithTheReasonAndBusyOnesAreNot() throws Exception {
    String nodeId = "idle-node-" + UUID.randomUUID().toString().substring(0, 8);
    RecordingPeers peers = new RecordingPeers();
    ActorRef<NodeProtocol.Command> node = node(nodeId, peers);

    String idle = "idle-" + UUID.randomUUID();
    String capped = "capped-" + UUID.randomUUID();
    String busy = "busy-" + UUID.randomUUID();
    String noTimeout = "no-timeout-" + UUID.randomUUID();
    node.tell(new NodeProtocol.Deploy(idle, spec(Duration.ofSeconds(1)), RECIPE, List.of(), "ella"));
    node.tell(new NodeProtocol.Deploy(capped, spec(Duration.ofDays(1)), RECIPE, List.of(), "ella"));
    node.tell(new NodeProtocol.Deploy(busy, spec(Duration.ofSeconds(1)), RECIPE, List.of(), "ella"));
    node.tell(new NodeProtocol.Deploy(noTimeout, spec(null), RECIPE, List.of(), "ella"));

    Map<String, String> asked = stopsAsked(node, peers, busy, Set.of(idle, capped));

    assertThat(asked).containsEntry(idle, "stopped after 1s idle")
        .containsEntry(capped, "stopped after 2s idle")
        .doesNotContainKeys(busy, noTimeout);
    assertThat(peers.running).containsKeys(idle, capped, busy, noTimeout);
    assertThat(Metrics.globalRegistry.get("dcloud.environment.idle.stops").tag("node", nodeId).counter().count())
        .isEqualTo(2.0);
    testKit.stop(node);
  }

  private static EnvironmentSpec limited(Duration maxRuntime) {
    return new EnvironmentSpec("runner", "1", "tiny", null, List.of(), new Resources(500, 64L << 20, 0, 0, null),
        List.of(), List.of(), List.of(), List.of(), Map.of(), Map.of(), EnvironmentSpec.RestartPolicy.NEVER, Map.of(),
        null, null, maxRuntime);
  }

  @Test
  void environmentsThatRanForTheirMaxRuntimeAreAskedToStopHoweverBusy() throws Exception {
    String nodeId = "runtime-node-" + UUID.randomUUID().toString().substring(0, 8);
    RecordingPeers peers = new RecordingPeers();
    ActorRef<NodeProtocol.Command> node = node(nodeId, peers);

    String busy = "busy-" + UUID.randomUUID();
    String capped = "capped-" + UUID.randomUUID();
    String unlimited = "unlimited-" + UUID.randomUUID();
    node.tell(new NodeProtocol.Deploy(busy, limited(Duration.ofSeconds(1)), RECIPE, List.of(), "ella"));
    node.tell(new NodeProtocol.Deploy(capped, limited(Duration.ofDays(1)), RECIPE, List.of(), "ella"));
    node.tell(new NodeProtocol.Deploy(unlimited, limited(null), RECIPE, List.of(), "ella"));

    Map<String, String> asked = stopsAsked(node, peers, busy, Set.of(busy, capped));

    assertThat(asked).containsEntry(busy, "stopped after running 1s (its max-runtime)")
        .containsEntry(capped, "stopped after running 2s (its max-runtime)")
        .doesNotContainKey(unlimited);
    assertThat(peers.running).containsKeys(busy, capped, unlimited);
    assertThat(Metrics.globalRegistry.get("dcloud.environment.runtime.stops").tag("node", nodeId).counter().count())
        .isEqualTo(2.0);
    testKit.stop(node);
  }
}
