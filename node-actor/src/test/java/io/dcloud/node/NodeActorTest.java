package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.deploy.ContainerRuntime.ContainerInfo;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import io.dcloud.deploy.ContainerRuntime.PortBinding;
import io.dcloud.deploy.ContainerRuntime.VolumeMount;
import io.dcloud.deploy.RuntimeFailure;
import io.dcloud.deploy.ScriptedRuntime;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.node.NodeProtocol.ContainerReport;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.EnvironmentSpec.Lifecycle;
import io.dcloud.spec.EnvironmentSpec.PortSpec;
import io.dcloud.spec.EnvironmentSpec.VolumeSpec;
import io.dcloud.spec.PublishedPort;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The NodeActor over a {@link ScriptedRuntime} on a one-node cluster (its gossip needs Distributed
 * Data). Its peers are probes: reports arrive on one, and the test answers the claims and the
 * placement question it asks. Each test runs its own node (own id, own engine).
 */
class NodeActorTest {
  private static final Config CONFIG = ConfigFactory.parseString("""
          pekko.actor.provider = cluster
          pekko.remote.artery.canonical.hostname = 127.0.0.1
          pekko.remote.artery.canonical.port = 0
          dcloud.node.gossip-interval = 100ms
          dcloud.node.max-log-follows = 2
          dcloud.node.max-execs = 1
          """)
      .withFallback(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create("node-actor-test", CONFIG);
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration QUIET = Duration.ofMillis(300);
  private static final ImageRecipe RECIPE = new ImageRecipe("dcloud/env-tiny:0123456789abcdef", "busybox", "FROM busybox\n");
  private static final long GIB = 1L << 30;

  record Reported(String environmentId, ContainerReport report) implements NoSerializationVerificationNeeded {}

  record ClaimAsked(String environmentId, String nodeId, CompletableFuture<NodePeers.Claim> answer)
      implements NoSerializationVerificationNeeded {}

  record Progressed(String environmentId, String line) implements NoSerializationVerificationNeeded {}

  record PlacementAsked(String nodeId, CompletableFuture<List<String>> answer) implements NoSerializationVerificationNeeded {}

  /** The cluster as the node sees it, made of probes. */
  private static final class ProbePeers implements NodePeers {
    final TestProbe<Reported> reports = testKit.createTestProbe();
    final TestProbe<ClaimAsked> claims = testKit.createTestProbe();
    final TestProbe<PlacementAsked> placements = testKit.createTestProbe();
    final TestProbe<Progressed> progress = testKit.createTestProbe();

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
  }

  private final String nodeId = "node-" + UUID.randomUUID().toString().substring(0, 8);
  private final ProbePeers peers = new ProbePeers();
  private ScriptedRuntime runtime = new ScriptedRuntime(RECIPE.tag());
  private ActorRef<NodeProtocol.Command> node;

  @BeforeAll
  static void join() {
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @AfterEach
  void stopNode() {
    if (node != null) {
      testKit.stop(node);
    }
  }

  /** Starts the node and lets its reconciliation find nothing placed on it. */
  private void startNode() {
    spawnNode();
    placedOnNode(List.of());
  }

  private void spawnNode() {
    NodeSettings settings = NodeSettings.fromConfig(CONFIG, "test-host").withNodeId(nodeId);
    MachineProfile machine = MachineProfile.simulated(nodeId, new Resources(4000, 8 * GIB, 0, 100 * GIB, null), List.of());
    node = testKit.spawn(NodeActor.create(settings, runtime, machine, peers));
  }

  private void placedOnNode(List<String> environmentIds) {
    PlacementAsked asked = peers.placements.expectMessageClass(PlacementAsked.class, WAIT);
    assertThat(asked.nodeId()).isEqualTo(nodeId);
    asked.answer().complete(environmentIds);
  }

  private static EnvironmentSpec spec() {
    return new EnvironmentSpec("demo", "1", "tiny", null, List.of(), new Resources(500, 64L << 20, 0, 0, null),
        List.of(), List.of(new PortSpec(null, 8888, "tcp")),
        List.of(new VolumeSpec("/scratch", GIB, Lifecycle.TEMPORARY), new VolumeSpec("/work", GIB, Lifecycle.PERSISTENT)),
        List.of(), Map.of(), Map.of(), EnvironmentSpec.RestartPolicy.ALWAYS);
  }

  private static NodeProtocol.Deploy deploy(String environmentId) {
    return new NodeProtocol.Deploy(environmentId, spec(), RECIPE, List.of(), null);
  }

  private ContainerReport expectReport(String environmentId, ContainerPhase phase) {
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
  private String deployed(String environmentId) {
    node.tell(deploy(environmentId));
    return expectReport(environmentId, ContainerPhase.RUNNING).containerId();
  }

  private String volume(String environmentId, int index) {
    return EnvironmentNames.volumeName(nodeId, environmentId, index);
  }

  // ---------------------------------------------------------------- deploy and the operation queue

  @Test
  void aDeployRunningBeforeItsStartingReportIsDueIsReportedRunningAloneWithThePublishedPorts() {
    startNode();

    node.tell(deploy("env-a"));

    ContainerReport running = expectReport("env-a", ContainerPhase.RUNNING);
    assertThat(running.ports()).containsExactly(new PublishedPort(8888, "tcp", "127.0.0.1", 49152));
    peers.reports.expectNoMessage(Duration.ofMillis(800)); // past the 500 ms delay: the STARTING report was cancelled
    assertThat(runtime.calls("ensureImage")).as("the image was there: nothing to build").isEmpty();
    assertThat(runtime.calls("create")).containsExactly(EnvironmentNames.containerName(nodeId, "env-a"));
    assertThat(runtime.volumeExists(volume("env-a", 0))).isTrue();
  }

  @Test
  void theOwnerOfADeployIsTheContainersTenant() {
    startNode();

    node.tell(new NodeProtocol.Deploy("env-owned", spec(), RECIPE, List.of(), "alice"));
    String owned = expectReport("env-owned", ContainerPhase.RUNNING).containerId();
    String ownerless = deployed("env-ownerless");

    assertThat(runtime.specOf(owned)).get().extracting(ContainerSpec::tenant).isEqualTo("alice");
    assertThat(runtime.specOf(ownerless)).get().extracting(ContainerSpec::tenant).isNull();
  }

  @Test
  void deployBuildsAMissingImageFirstAndPublishesItsProgress() {
    runtime = new ScriptedRuntime();
    startNode();

    node.tell(deploy("env-b"));

    expectReport("env-b", ContainerPhase.BUILDING);
    assertThat(peers.progress.receiveMessage(WAIT).line()).contains("built " + RECIPE.tag());
    expectReport("env-b", ContainerPhase.RUNNING);
    assertThat(runtime.calls("ensureImage")).containsExactly(RECIPE.tag());
  }

  @Test
  void commandsWhileAnOperationIsInFlightWaitAndOnlyTheLatestRuns() throws InterruptedException {
    startNode();
    ScriptedRuntime.Gate starting = runtime.hold("start");
    node.tell(deploy("env-c"));
    starting.awaitReached(WAIT);
    // A start that takes longer than dcloud.node.starting-report-delay is reported STARTING meanwhile.
    assertThat(expectReport("env-c", ContainerPhase.STARTING).message()).isEqualTo("creating container");

    node.tell(new NodeProtocol.StopContainer("env-c", null));
    node.tell(new NodeProtocol.RemoveContainer("env-c", null, List.of(volume("env-c", 0))));
    node.tell(deploy("env-c"));
    starting.release();

    expectReport("env-c", ContainerPhase.RUNNING);
    expectReport("env-c", ContainerPhase.REMOVED);
    peers.reports.expectNoMessage(QUIET);
    assertThat(runtime.calls("stop")).as("the stop was overtaken by the remove").isEmpty();
    assertThat(runtime.calls("create")).as("a deploy while busy is dropped: the entity re-sends it").hasSize(1);
  }

  // ---------------------------------------------------------------- engine events

  @Test
  void aContainerThatDiesIsReportedExitedWithItsExitCode() {
    startNode();
    String id = deployed("env-d");

    runtime.exit(id, 3, false);

    ContainerReport exited = expectReport("env-d", ContainerPhase.EXITED);
    assertThat(exited.containerId()).isEqualTo(id);
    assertThat(exited.exitCode()).isEqualTo(3);
    assertThat(exited.oomKilled()).isFalse();
  }

  @Test
  void aContainerKilledForMemoryIsReportedOomKilled() {
    startNode();
    String id = deployed("env-e");

    runtime.exit(id, 137, true);

    ContainerReport exited = expectReport("env-e", ContainerPhase.EXITED);
    assertThat(exited.exitCode()).isEqualTo(137);
    assertThat(exited.oomKilled()).isTrue();
  }

  @Test
  void aBrokenEventStreamIsWatchedAgainAndWhatItMissedIsReconciled() {
    startNode();
    String id = deployed("env-f");

    runtime.breakEvents(new RuntimeFailure("engine restarted"));
    runtime.exit(id, 1, false); // unseen: nobody watches

    ClaimAsked asked = peers.claims.expectMessageClass(ClaimAsked.class, WAIT);
    assertThat(asked.environmentId()).isEqualTo("env-f");
    asked.answer().complete(new NodePeers.Claim(true, List.of()));
    placedOnNode(List.of("env-f"));
    ContainerReport exited = expectReport("env-f", ContainerPhase.EXITED);
    assertThat(exited.exitCode()).isEqualTo(1);
    assertThat(runtime.calls("watchEvents")).hasSize(2);
  }

  // ---------------------------------------------------------------- reconciliation on start

  @Test
  void onStartItAdoptsRemovesOrphansAndReportsExitedAndMissingContainers() {
    String adopted = seed("adopted", List.of());
    runtime.start(adopted);
    String orphan = seed("orphan", List.of(new VolumeMount(volume("orphan", 0), "/scratch")));
    runtime.start(orphan);
    String exited = seed("exited", List.of());
    runtime.start(exited);
    runtime.exit(exited, 2, false);

    spawnNode();
    Map<String, ClaimAsked> claims = new HashMap<>();
    for (ClaimAsked asked : peers.claims.receiveSeveralMessages(3, WAIT)) {
      assertThat(asked.nodeId()).isEqualTo(nodeId);
      claims.put(asked.environmentId(), asked);
    }
    assertThat(claims).containsOnlyKeys("adopted", "orphan", "exited");
    claims.get("adopted").answer().complete(new NodePeers.Claim(true, List.of()));
    claims.get("exited").answer().complete(new NodePeers.Claim(true, List.of()));
    claims.get("orphan").answer().complete(new NodePeers.Claim(false, List.of(volume("orphan", 0))));
    placedOnNode(List.of("adopted", "exited", "placed-only"));

    Map<String, ContainerReport> reports = new HashMap<>();
    peers.reports.receiveSeveralMessages(4, WAIT).forEach(r -> reports.put(r.environmentId(), r.report()));
    assertThat(reports.get("adopted")).satisfies(r -> {
      assertThat(r.phase()).isEqualTo(ContainerPhase.RUNNING);
      assertThat(r.message()).contains("adopted");
      assertThat(r.ports()).containsExactly(new PublishedPort(8888, "tcp", "127.0.0.1", 49152));
    });
    assertThat(reports.get("exited")).satisfies(r -> {
      assertThat(r.phase()).isEqualTo(ContainerPhase.EXITED);
      assertThat(r.exitCode()).isEqualTo(2);
    });
    assertThat(reports.get("orphan").phase()).isEqualTo(ContainerPhase.REMOVED);
    assertThat(reports.get("placed-only").phase()).isEqualTo(ContainerPhase.MISSING);
    assertThat(runtime.inspect(orphan)).isEmpty();
    assertThat(runtime.volumeExists(volume("orphan", 0))).isFalse();
    assertThat(runtime.inspect(adopted)).get().extracting(ContainerInfo::running).isEqualTo(true);
  }

  /**
   * The listing on start can see a container its deploy has created and not yet started: adopting
   * it as listed reported it "exited while DCloud was down" (IdleCullingTest's failure in CI, the
   * idle clock then never started). The deploy's own report stands.
   */
  @Test
  void onStartAContainerBeingDeployedIsLeftToItsDeploy() throws Exception {
    ScriptedRuntime.Gate listing = runtime.hold("listManaged");
    ScriptedRuntime.Gate start = runtime.hold("start");
    spawnNode();
    node.tell(deploy("deploying"));
    start.awaitReached(WAIT);
    listing.awaitReached(WAIT);

    listing.release();
    placedOnNode(List.of("deploying"));
    start.release();

    expectReport("deploying", ContainerPhase.RUNNING);
    peers.claims.expectNoMessage(QUIET);
    peers.reports.expectNoMessage(QUIET);
  }

  /** A container of this node as a deploy before the restart left it (created, not started). */
  private String seed(String environmentId, List<VolumeMount> volumes) {
    return runtime.create(new ContainerSpec(
        EnvironmentNames.containerName(nodeId, environmentId), RECIPE.tag(), List.of("sleep", "infinity"), Map.of(), 0, 0, 0,
        List.of(), List.of(new PortBinding("127.0.0.1", null, 8888, "tcp")), volumes,
        Map.of(EnvironmentNames.ENV_LABEL, environmentId, EnvironmentNames.NODE_LABEL, nodeId), null));
  }

  // ---------------------------------------------------------------- relocation, stats and logs

  @Test
  void removeTakesTheContainerAndTheListedVolumesAndKeepsTheOthers() {
    startNode();
    String id = deployed("env-g");

    node.tell(new NodeProtocol.RemoveContainer("env-g", id, List.of(volume("env-g", 0))));

    ContainerReport removed = expectReport("env-g", ContainerPhase.REMOVED);
    assertThat(removed.containerId()).isEqualTo(id);
    assertThat(runtime.inspect(id)).isEmpty();
    assertThat(runtime.volumeExists(volume("env-g", 0))).as("temporary").isFalse();
    assertThat(runtime.volumeExists(volume("env-g", 1))).as("persistent: it moves with the environment").isTrue();
    peers.reports.expectNoMessage(QUIET);
  }

  @Test
  void statsAndLogsOfAnUnknownContainerAreUnavailableWithAReason() {
    startNode();
    TestProbe<NodeProtocol.StatsReply> stats = testKit.createTestProbe();
    TestProbe<NodeProtocol.LogsReply> logs = testKit.createTestProbe();

    node.tell(new NodeProtocol.GetStats("env-h", "no-such-container", stats.getRef()));
    node.tell(new NodeProtocol.StreamLogs("env-h", "no-such-container", 10, false, logs.getRef()));

    assertThat(stats.expectMessageClass(NodeProtocol.StatsUnavailable.class, WAIT).reason()).contains("no such container");
    assertThat(logs.expectMessageClass(NodeProtocol.LogsUnavailable.class, WAIT).reason()).contains("no such container");
  }

  @Test
  void logFollowsBeyondTheNodesLimitAreRefusedUntilOneEnds() {
    startNode();
    String id = deployed("env-k");
    TestProbe<NodeProtocol.LogsReply> logs = testKit.createTestProbe();

    node.tell(new NodeProtocol.StreamLogs("env-k", id, 10, true, logs.getRef()));
    node.tell(new NodeProtocol.StreamLogs("env-k", id, 10, true, logs.getRef()));
    NodeProtocol.Logs first = logs.expectMessageClass(NodeProtocol.Logs.class, WAIT);
    logs.expectMessageClass(NodeProtocol.Logs.class, WAIT);
    node.tell(new NodeProtocol.StreamLogs("env-k", id, 10, true, logs.getRef()));

    NodeProtocol.LogsRefused refused = logs.expectMessageClass(NodeProtocol.LogsRefused.class, WAIT);
    assertThat(refused.limit()).isEqualTo(2);
    assertThat(refused.reason()).contains(nodeId, "already follows 2 logs");
    // A log read to its end ends by itself: it does not count.
    node.tell(new NodeProtocol.StreamLogs("env-k", id, 10, false, logs.getRef()));
    logs.expectMessageClass(NodeProtocol.Logs.class, WAIT);

    first.lines().getSource().runWith(Sink.cancelled(), testKit.system());
    logs.awaitAssert(WAIT, () -> {
      node.tell(new NodeProtocol.StreamLogs("env-k", id, 10, true, logs.getRef()));
      assertThat(logs.receiveMessage(WAIT)).isInstanceOf(NodeProtocol.Logs.class);
      return null;
    });
  }

  @Test
  void theEventStreamIsOpenedOffTheActorsThread() throws InterruptedException {
    ScriptedRuntime.Gate watching = runtime.hold("watchEvents");
    spawnNode();
    watching.awaitReached(WAIT);
    TestProbe<NodeProtocol.LogsReply> logs = testKit.createTestProbe();

    // The engine has not answered the watch yet, and the node still serves requests.
    node.tell(new NodeProtocol.StreamLogs("env-l", "no-such-container", 10, false, logs.getRef()));
    logs.expectMessageClass(NodeProtocol.LogsUnavailable.class, WAIT);

    watching.release();
    placedOnNode(List.of()); // reconciliation starts once the events are watched
  }

  @Test
  void statsOfARunningContainerAreSampled() {
    startNode();
    String id = deployed("env-i");
    TestProbe<NodeProtocol.StatsReply> stats = testKit.createTestProbe();

    node.tell(new NodeProtocol.GetStats("env-i", id, stats.getRef()));

    assertThat(stats.expectMessageClass(NodeProtocol.Stats.class, WAIT).memoryLimitBytes()).isEqualTo(64L << 20);
  }

  @Test
  void execRunsInTheContainerOffTheActorsThreadAndOneBeyondTheLimitIsRefused() throws InterruptedException {
    startNode();
    String id = deployed("env-x");
    TestProbe<NodeProtocol.ExecReply> answers = testKit.createTestProbe();
    ScriptedRuntime.Gate running = runtime.hold("exec");

    node.tell(new NodeProtocol.ExecIn("env-x", id, List.of("cat"), "hello", 30_000, 3, answers.getRef()));
    running.awaitReached(WAIT);
    node.tell(new NodeProtocol.ExecIn("env-x", id, List.of("cat"), "again", 30_000, 1024, answers.getRef()));

    assertThat(answers.expectMessageClass(NodeProtocol.ExecUnavailable.class, WAIT).reason()).contains(nodeId, "busy");
    running.release();
    assertThat(answers.receiveMessage(WAIT)).isEqualTo(new NodeProtocol.ExecResult(0, "hel", "", true, false));
    node.tell(new NodeProtocol.ExecIn("env-x", "no-such-container", List.of("true"), null, 30_000, 1024, answers.getRef()));
    assertThat(answers.expectMessageClass(NodeProtocol.ExecUnavailable.class, WAIT).reason()).contains("no such container");
  }

  // ---------------------------------------------------------------- gossip

  @Test
  void theGossipedStatusCountsTheNodesContainers() {
    startNode();
    deployed("env-j");

    awaitGossip(status -> assertThat(status.usage().containers()).isEqualTo(1));
  }

  @Test
  void aFailingRuntimeCheckIsLoggedOncePerStreakAndRetriedEveryTick() {
    runtime.fail("info", new RuntimeFailure("engine wedged"));
    try (LogCapture log = LogCapture.of(NodeActor.class)) {
      startNode();
      TestProbe<Void> probe = testKit.createTestProbe();
      probe.awaitAssert(WAIT, () -> {
        assertThat(runtime.calls("info")).hasSizeGreaterThanOrEqualTo(3);
        return null;
      });
      assertThat(log.messages(Level.WARN)).filteredOn(m -> m.contains("could not check"))
          .singleElement().asString().contains(nodeId).contains("engine wedged");

      runtime.heal("info");

      awaitGossip(status -> assertThat(status.runtimeVersion()).isEqualTo("scripted"));
      assertThat(log.messages(Level.INFO)).anySatisfy(m -> assertThat(m).contains(nodeId).contains("again"));
      assertThat(log.messages(Level.WARN)).filteredOn(m -> m.contains("could not check")).hasSize(1);
    }
  }

  private void awaitGossip(Consumer<NodeStatus> check) {
    TestProbe<Replicator.GetResponse<LWWMap<String, NodeStatus>>> got = testKit.createTestProbe();
    got.awaitAssert(WAIT, () -> {
      DistributedData.get(testKit.system()).replicator()
          .tell(new Replicator.Get<>(NodeGossip.keyFor(nodeId), Replicator.readLocal(), got.getRef()));
      var response = got.receiveMessage(WAIT);
      assertThat(response).isInstanceOf(Replicator.GetSuccess.class);
      NodeStatus status = ((Replicator.GetSuccess<LWWMap<String, NodeStatus>>) response).dataValue().getEntries().get(nodeId);
      assertThat(status).isNotNull();
      check.accept(status);
      return null;
    });
  }
}
