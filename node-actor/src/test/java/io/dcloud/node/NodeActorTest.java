package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime.ContainerSpec;
import io.dcloud.deploy.RuntimeFailure;
import io.dcloud.deploy.ScriptedRuntime;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.node.NodeProtocol.ContainerReport;
import io.dcloud.resources.Resources;
import io.dcloud.spec.PublishedPort;
import io.dcloud.testing.LogCapture;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Test;

/**
 * The NodeActor's operations, engine events, stats, logs, execs and gossip (its reconciliation on
 * start: {@link NodeReconciliationTest}), over the {@link NodeActorFixture}.
 */
class NodeActorTest extends NodeActorFixture {
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

  /** A resized environment's start: its stopped container gets the spec's limits, then starts. */
  @Test
  void aStoppedContainerDeployedAgainStartsWithTheSpecsLimits() {
    startNode();
    String id = deployed("env-resized");
    node.tell(new NodeProtocol.StopContainer("env-resized", id));
    expectReport("env-resized", ContainerPhase.EXITED);
    assertThat(runtime.calls("updateLimits")).as("a first start creates the container with its limits").isEmpty();

    node.tell(new NodeProtocol.Deploy("env-resized", spec().withResources(new Resources(2000, 256L << 20, 0, 0, null)),
        RECIPE, List.of(), null));

    assertThat(expectReport("env-resized", ContainerPhase.RUNNING).containerId()).as("the same container").isEqualTo(id);
    assertThat(runtime.calls("updateLimits")).containsExactly(id + " 2000000000 " + (256L << 20));
  }

  /** A resize as it runs: the running container's limits change, it is not stopped, and what the engine refuses is said. */
  @Test
  void aRunningContainersLimitsChangeAsItRunsAndWhatTheEngineRefusesIsSaid() {
    startNode();
    String id = deployed("env-live");
    Resources bigger = new Resources(2000, 256L << 20, 0, 0, null);

    node.tell(new NodeProtocol.UpdateLimits("env-live", id, bigger));

    ContainerReport resized = expectReport("env-live", ContainerPhase.RESIZED);
    assertThat(resized.limits()).isEqualTo(bigger);
    assertThat(resized.containerId()).isEqualTo(id);
    assertThat(runtime.calls("updateLimits")).containsExactly(id + " 2000000000 " + (256L << 20));
    assertThat(runtime.calls("stop")).as("it kept running").isEmpty();

    runtime.fail("updateLimits", new RuntimeException("the engine says no"));
    Resources other = new Resources(3000, 256L << 20, 0, 0, null);
    node.tell(new NodeProtocol.UpdateLimits("env-live", id, other));
    ContainerReport refused = expectReport("env-live", ContainerPhase.NOT_RESIZED);
    assertThat(refused.limits()).isEqualTo(other);
    assertThat(refused.message()).isEqualTo("the engine says no");
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

  /**
   * A report to an environment whose entity's member crashed is lost until the member is removed:
   * then the node tells of every exit again, a few times (the entity that knew takes it as a
   * no-op), and of nothing that runs.
   */
  @Test
  void afterAMembersRemovalEveryContainerThatIsDownIsReportedExitedAgain() {
    startNode();
    String exited = deployed("env-lost-exit");
    String running = deployed("env-still-running");
    runtime.exit(exited, 2, false);
    expectReport("env-lost-exit", ContainerPhase.EXITED);

    peers.memberRemoved("pekko://dcloud@10.0.0.9:2552");

    // At 1, 2, 4 and 8 times the wait: a shard can take seconds to find its new home.
    for (int i = 0; i < 4; i++) {
      ContainerReport again = expectReport("env-lost-exit", ContainerPhase.EXITED);
      assertThat(again.containerId()).isEqualTo(exited);
      assertThat(again.exitCode()).isEqualTo(2);
      assertThat(again.message()).contains("pekko://dcloud@10.0.0.9:2552");
    }
    peers.reports.expectNoMessage(QUIET);
    assertThat(runtime.inspect(running).orElseThrow().running()).isTrue();
  }

  @Test
  void aBrokenEventStreamIsWatchedAgainAndWhatItMissedIsReconciled() {
    startNode();
    String id = deployed("env-f");

    runtime.breakEvents(new RuntimeFailure("engine restarted"));
    runtime.exit(id, 1, false); // unseen: nobody watches

    ClaimAsked asked = peers.claims.expectMessageClass(ClaimAsked.class, WAIT);
    assertThat(asked.environmentId()).isEqualTo("env-f");
    asked.answer().complete(new NodePeers.Claim(true, List.of(), null));
    placedOnNode(List.of("env-f"));
    ContainerReport exited = expectReport("env-f", ContainerPhase.EXITED);
    assertThat(exited.exitCode()).isEqualTo(1);
    assertThat(runtime.calls("watchEvents")).hasSize(2);
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
  void aPersistentVolumeLeftByARemovedContainerIsListedAndRemovedWhileOneItsEnvironmentHoldsIsNot() {
    startNode();
    String gone = deployed("env-v");
    deployed("env-w");
    node.tell(new NodeProtocol.RemoveContainer("env-v", gone, List.of(volume("env-v", 0))));
    expectReport("env-v", ContainerPhase.REMOVED);
    TestProbe<NodeProtocol.VolumesReply> replies = testKit.createTestProbe();

    node.tell(new NodeProtocol.ListVolumes(replies.getRef()));
    NodeProtocol.Volumes volumes = replies.expectMessageClass(NodeProtocol.Volumes.class, WAIT);
    assertThat(volumes.volumes()).extracting(NodeProtocol.Volume::name)
        .containsExactly(volume("env-v", 1), volume("env-w", 0), volume("env-w", 1));
    assertThat(volumes.volumes().get(0)).satisfies(left -> {
      assertThat(left.environmentId()).isEqualTo("env-v");
      assertThat(left.target()).isEqualTo(spec().storage().get(1).target());
      assertThat(left.inUse()).isFalse();
      assertThat(left.usedBytes()).as("what the engine says its files take").isZero();
    });
    assertThat(runtime.calls("volumeUsage")).as("asked for the listing, never for the gauges' counts").hasSize(1);

    node.tell(new NodeProtocol.RemoveVolume(volume("env-w", 1), replies.getRef()));
    assertThat(replies.expectMessageClass(NodeProtocol.VolumeRemoved.class, WAIT).outcome())
        .isEqualTo(NodeProtocol.VolumeRemoval.IN_USE);
    node.tell(new NodeProtocol.RemoveVolume(volume("env-v", 1), replies.getRef()));
    assertThat(replies.expectMessageClass(NodeProtocol.VolumeRemoved.class, WAIT).outcome())
        .isEqualTo(NodeProtocol.VolumeRemoval.REMOVED);
    assertThat(runtime.volumeExists(volume("env-v", 1))).isFalse();
    assertThat(runtime.volumeExists(volume("env-w", 1))).isTrue();
    node.tell(new NodeProtocol.RemoveVolume(volume("env-v", 1), replies.getRef()));
    assertThat(replies.expectMessageClass(NodeProtocol.VolumeRemoved.class, WAIT).outcome())
        .isEqualTo(NodeProtocol.VolumeRemoval.NOT_FOUND);
  }

  @Test
  void aKeptVolumeIsPromisedToOneEnvironmentBeingCreatedUntilItsCreateGivesItBack() {
    startNode();
    TestProbe<NodeProtocol.VolumeClaimed> claims = testKit.createTestProbe();
    String kept = volume("env-k", 0);

    node.tell(new NodeProtocol.ClaimVolume(kept, "env-first", claims.getRef()));
    assertThat(claims.receiveMessage(WAIT).grantedTo("env-first")).isTrue();
    node.tell(new NodeProtocol.ClaimVolume(kept, "env-second", claims.getRef()));
    assertThat(claims.receiveMessage(WAIT).claimant()).isEqualTo("env-first");
    node.tell(new NodeProtocol.ClaimVolume(kept, "env-first", claims.getRef()));
    assertThat(claims.receiveMessage(WAIT).grantedTo("env-first")).as("its create sent again").isTrue();

    node.tell(new NodeProtocol.ReleaseVolumeClaim(kept, "env-second"));
    node.tell(new NodeProtocol.ClaimVolume(kept, "env-second", claims.getRef()));
    assertThat(claims.receiveMessage(WAIT).claimant()).as("only its claimant gives it back").isEqualTo("env-first");
    node.tell(new NodeProtocol.ReleaseVolumeClaim(kept, "env-first"));
    node.tell(new NodeProtocol.ClaimVolume(kept, "env-second", claims.getRef()));
    assertThat(claims.receiveMessage(WAIT).grantedTo("env-second")).isTrue();
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
