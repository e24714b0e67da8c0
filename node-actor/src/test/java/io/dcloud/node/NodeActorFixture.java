package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.deploy.ScriptedRuntime;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.node.NodeProtocol.ContainerReport;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.Lifecycle;
import io.dcloud.spec.EnvironmentSpec.PortSpec;
import io.dcloud.spec.EnvironmentSpec.VolumeSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * What the NodeActor's tests share: a node over a {@link ScriptedRuntime} on a one-node cluster (its
 * gossip needs Distributed Data), whose peers are probes: reports arrive on one, and the test answers
 * the claims and the placement question it asks. Each test runs its own node (own id, own engine).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class NodeActorFixture {
  static final Config CONFIG = ConfigFactory.parseString("""
          pekko.actor.provider = cluster
          pekko.remote.artery.canonical.hostname = 127.0.0.1
          pekko.remote.artery.canonical.port = 0
          dcloud.node.gossip-interval = 100ms
          dcloud.node.max-log-follows = 2
          dcloud.node.max-execs = 1
          dcloud.node.claim-retry-interval = 200ms
          dcloud.node.report-again-after-removal = 50ms
          """)
      .withFallback(ConfigFactory.load());
  /** One per test class (PER_CLASS): each class shuts its own down. */
  final ActorTestKit testKit = ActorTestKit.create(getClass().getSimpleName(), CONFIG);
  static final Duration WAIT = Duration.ofSeconds(10);
  static final Duration QUIET = Duration.ofMillis(300);
  static final ImageRecipe RECIPE = new ImageRecipe("dcloud/env-tiny:0123456789abcdef", "busybox", "FROM busybox\n");
  static final long GIB = 1L << 30;

  record Reported(String environmentId, ContainerReport report) implements NoSerializationVerificationNeeded {}

  record ClaimAsked(String environmentId, String nodeId, CompletableFuture<NodePeers.Claim> answer)
      implements NoSerializationVerificationNeeded {}

  record Progressed(String environmentId, String line) implements NoSerializationVerificationNeeded {}

  record PlacementAsked(String nodeId, CompletableFuture<List<String>> answer) implements NoSerializationVerificationNeeded {}

  /** The cluster as the node sees it, made of probes. */
  final class ProbePeers implements NodePeers {
    final TestProbe<Reported> reports = testKit.createTestProbe();
    final TestProbe<ClaimAsked> claims = testKit.createTestProbe();
    final TestProbe<PlacementAsked> placements = testKit.createTestProbe();
    final TestProbe<Progressed> progress = testKit.createTestProbe();
    final List<Consumer<String>> removalListeners = new CopyOnWriteArrayList<>();

    @Override
    public void report(String environmentId, ContainerReport report) {
      reports.getRef().tell(new Reported(environmentId, report));
    }

    @Override
    public void progress(String environmentId, String line) {
      progress.getRef().tell(new Progressed(environmentId, line));
    }

    @Override
    public CompletionStage<Claim> claim(String environmentId, String nodeId) {
      CompletableFuture<Claim> answer = new CompletableFuture<>();
      claims.getRef().tell(new ClaimAsked(environmentId, nodeId, answer));
      return answer;
    }

    /** No test here waits long enough for idle culling: nothing asks. */
    @Override
    public CompletionStage<Boolean> stop(String environmentId, String reason) {
      return CompletableFuture.failedFuture(new AssertionError("stop of " + environmentId + " asked: " + reason));
    }

    @Override
    public CompletionStage<List<String>> placedOn(String nodeId) {
      CompletableFuture<List<String>> answer = new CompletableFuture<>();
      placements.getRef().tell(new PlacementAsked(nodeId, answer));
      return answer;
    }

    @Override
    public Runnable whenMembersRemoved(Consumer<String> removed) {
      removalListeners.add(removed);
      return () -> removalListeners.remove(removed);
    }

    /** The cluster removes the member at {@code address}. */
    void memberRemoved(String address) {
      removalListeners.forEach(listener -> listener.accept(address));
    }
  }

  /** Each test's own (the fixture is PER_CLASS): a node id, its peers, its engine and the node. */
  String nodeId;
  ProbePeers peers;
  ScriptedRuntime runtime;
  ActorRef<NodeProtocol.Command> node;

  @BeforeEach
  void newNode() {
    nodeId = "node-" + UUID.randomUUID().toString().substring(0, 8);
    peers = new ProbePeers();
    runtime = new ScriptedRuntime(RECIPE.tag());
    node = null;
  }

  @BeforeAll
  void join() {
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
  }

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void stopNode() {
    if (node != null) {
      testKit.stop(node);
    }
  }

  /** Starts the node and lets its reconciliation find nothing placed on it. */
  void startNode() {
    spawnNode();
    placedOnNode(List.of());
  }

  void spawnNode() {
    NodeSettings settings = NodeSettings.fromConfig(CONFIG, "test-host").withNodeId(nodeId);
    MachineProfile machine = MachineProfile.simulated(nodeId, new Resources(4000, 8 * GIB, 0, 100 * GIB, null), List.of());
    node = testKit.spawn(NodeActor.create(settings, runtime, machine, peers));
  }

  void placedOnNode(List<String> environmentIds) {
    PlacementAsked asked = peers.placements.expectMessageClass(PlacementAsked.class, WAIT);
    assertThat(asked.nodeId()).isEqualTo(nodeId);
    asked.answer().complete(environmentIds);
  }

  static EnvironmentSpec spec() {
    return new EnvironmentSpec("demo", "1", "tiny", null, List.of(), new Resources(500, 64L << 20, 0, 0, null),
        List.of(), List.of(new PortSpec(null, 8888, "tcp")),
        List.of(new VolumeSpec("/scratch", GIB, Lifecycle.TEMPORARY), new VolumeSpec("/work", GIB, Lifecycle.PERSISTENT)),
        List.of(), Map.of(), Map.of(), EnvironmentSpec.RestartPolicy.ALWAYS);
  }

  static NodeProtocol.Deploy deploy(String environmentId) {
    return new NodeProtocol.Deploy(environmentId, spec(), RECIPE, List.of(), null);
  }

  ContainerReport expectReport(String environmentId, ContainerPhase phase) {
    Reported reported = peers.reports.expectMessageClass(Reported.class, WAIT);
    assertThat(reported.environmentId()).isEqualTo(environmentId);
    assertThat(reported.report().phase()).as("report %s", reported.report()).isEqualTo(phase);
    assertThat(reported.report().nodeId()).isEqualTo(nodeId);
    return reported.report();
  }

  /**
   * Deploys and waits until it runs; returns its container id. The scripted engine starts at once,
   * before dcloud.node.starting-report-delay: RUNNING is the only report.
   */
  String deployed(String environmentId) {
    node.tell(deploy(environmentId));
    return expectReport(environmentId, ContainerPhase.RUNNING).containerId();
  }

  String volume(String environmentId, int index) {
    return EnvironmentNames.volumeName(nodeId, environmentId, index);
  }
}
