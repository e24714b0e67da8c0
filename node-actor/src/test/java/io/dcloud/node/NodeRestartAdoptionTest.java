package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.deploy.HollowRuntime;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.node.NodeProtocol.ContainerReport;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.ServiceBinding;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A node that starts and finds containers a previous run of DCloud left running (an upgrade, a
 * crash) treats them as deployed with their environment's config, which the environment's claim
 * gives: a service replica is probed for readiness again, an idle environment is culled, and one
 * that has run past its max-runtime by its environment's record is stopped at once. Before,
 * both waited for a deploy that never came: a replica that stopped being ready stayed ready to the
 * service, and a notebook left idle ran forever. The containers are made on the hollow runtime as
 * the earlier run made them (only the node's own behavior is under test); the replica's port is a
 * real HTTP server on loopback.
 */
class NodeRestartAdoptionTest {
  private static final Config CONFIG = ConfigFactory.parseString("""
          pekko.actor.provider = cluster
          pekko.remote.artery.canonical.hostname = 127.0.0.1
          pekko.remote.artery.canonical.port = 0
          dcloud.node.idle.check-interval = 100ms
          dcloud.node.max-runtime.check-interval = 100ms
          dcloud.services.readiness-interval = 200ms
          """)
      .withFallback(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create("node-restart-adoption-test", CONFIG);
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final ImageRecipe RECIPE = new ImageRecipe("dcloud/env-tiny:0123456789abcdef", "busybox", "FROM busybox\n");
  private static HttpServer replicaPort;
  /** What the replica's readiness path answers. */
  private static volatile int readyStatus = 503;

  @BeforeAll
  static void start() {
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
  }

  @BeforeAll
  static void serve() throws Exception {
    replicaPort = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    replicaPort.createContext("/ready", exchange -> {
      exchange.sendResponseHeaders(readyStatus, -1);
      exchange.close();
    });
    replicaPort.start();
  }

  @AfterAll
  static void shutdown() {
    replicaPort.stop(0);
    testKit.shutdownTestKit();
  }

  /** The cluster as the node sees it: each environment claims its container with its config. */
  private record ClaimingPeers(Map<String, EnvironmentSpec> specs, Map<String, Instant> runningSince,
      BlockingQueue<ContainerReport> reports, BlockingQueue<String> stops) implements NodePeers {
    @Override
    public void report(String environmentId, ContainerReport report) {
      reports.add(report);
    }

    @Override
    public void progress(String environmentId, String line) {}

    @Override
    public CompletionStage<Claim> claim(String environmentId, String nodeId) {
      return CompletableFuture.completedFuture(
          new Claim(true, List.of(), specs.get(environmentId), runningSince.get(environmentId)));
    }

    @Override
    public CompletionStage<Boolean> stop(String environmentId, String reason) {
      stops.add(environmentId + ": " + reason);
      return CompletableFuture.completedFuture(true);
    }

    @Override
    public CompletionStage<List<String>> placedOn(String nodeId) {
      return CompletableFuture.completedFuture(List.copyOf(specs.keySet()));
    }
  }

  private static EnvironmentSpec spec(String name, List<EnvironmentSpec.PortSpec> ports, Duration idleTimeout,
      ServiceBinding service) {
    return spec(name, ports, idleTimeout, service, null);
  }

  private static EnvironmentSpec spec(String name, List<EnvironmentSpec.PortSpec> ports, Duration idleTimeout,
      ServiceBinding service, Duration maxRuntime) {
    return new EnvironmentSpec(name, "1", "tiny", null, List.of(), new Resources(500, 64L << 20, 0, 0, null), List.of(),
        ports, List.of(), List.of(), Map.of(), Map.of(), EnvironmentSpec.RestartPolicy.ALWAYS, Map.of(), idleTimeout,
        service, maxRuntime);
  }

  @Test
  void containersFoundAtStartAreProbedAndCulledAsTheirConfigsSay() throws Exception {
    String nodeId = "restarted-" + UUID.randomUUID().toString().substring(0, 8);
    NodeSettings settings = NodeSettings.fromConfig(CONFIG, "test-host").withNodeId(nodeId);
    HollowRuntime engine = new HollowRuntime(Duration.ZERO, 4, 8L << 30);
    String replica = "replica-" + UUID.randomUUID();
    String notebook = "notebook-" + UUID.randomUUID();
    String trainer = "trainer-" + UUID.randomUUID();
    Map<String, EnvironmentSpec> specs = Map.of(
        replica, spec("web-0", List.of(new EnvironmentSpec.PortSpec(replicaPort.getAddress().getPort(), 80, "tcp")), null,
            new ServiceBinding("web", 80, "/ready")),
        notebook, spec("notebook", List.of(), Duration.ofSeconds(1), null),
        trainer, spec("trainer", List.of(), null, null, Duration.ofHours(1)));
    // The trainer has run for two hours by its environment's record: past its max-runtime of one.
    Map<String, Instant> runningSince = Map.of(trainer, Instant.now().minus(Duration.ofHours(2)));
    // What the earlier run left: both containers running on the engine.
    specs.forEach((environmentId, spec) -> engine.start(engine.create(DeployContainerSpecs.of(settings,
        new NodeProtocol.Deploy(environmentId, spec, RECIPE, List.of(), "ella"), List.of()))));

    ClaimingPeers peers = new ClaimingPeers(specs, runningSince, new LinkedBlockingQueue<>(), new LinkedBlockingQueue<>());
    MachineProfile machine = MachineProfile.simulated(nodeId, new Resources(4000, 8L << 30, 0, 100L << 30, null), List.of());
    ActorRef<NodeProtocol.Command> node = testKit.spawn(NodeActor.create(settings, engine, machine, peers));

    ContainerReport notReady = awaitReadiness(peers.reports(), report -> true);
    assertThat(notReady.ready()).as("the replica, probed after its adoption").isFalse();
    readyStatus = 200;
    // A probe that timed out on a busy machine is reported too (another why): the ready one follows.
    assertThat(awaitReadiness(peers.reports(), ContainerReport::ready).ready()).as("and once it answers").isTrue();
    List<String> stops = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      stops.add(peers.stops().poll(WAIT.toSeconds(), TimeUnit.SECONDS));
    }
    assertThat(stops).as("the idle notebook, culled; the trainer, at once: the node's restart does not lengthen its run")
        .containsExactlyInAnyOrder(notebook + ": stopped after 1s idle", trainer + ": stopped after running 1h (its max-runtime)");
    assertThat(peers.stops()).as("the replica has no idle timeout").isEmpty();
    testKit.stop(node);
  }

  /**
   * The next report that says whether the replica is ready and is {@code wanted} (the adoption's own
   * RUNNING says nothing of it).
   */
  private static ContainerReport awaitReadiness(BlockingQueue<ContainerReport> reports, Predicate<ContainerReport> wanted)
      throws InterruptedException {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (System.nanoTime() < deadline) {
      ContainerReport report = reports.poll(200, TimeUnit.MILLISECONDS);
      if (report != null && report.phase() == ContainerPhase.RUNNING && report.ready() != null && wanted.test(report)) {
        return report;
      }
    }
    throw new AssertionError("no readiness report within " + WAIT);
  }
}
