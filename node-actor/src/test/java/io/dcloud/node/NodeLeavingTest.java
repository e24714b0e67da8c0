package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.deploy.ScriptedRuntime;
import io.dcloud.resources.Resources;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node its operator stops withdraws its status from the gossip, and the withdrawal sticks while
 * the leave goes on: no later gossip tick puts the status back (if one did, the scheduler would
 * read the stale status of a gone node as a crash and re-place the environments still running on
 * it). The leave is held in the phase after the withdrawal while the test watches the gossip for
 * twenty ticks.
 */
class NodeLeavingTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration GOSSIP_INTERVAL = Duration.ofMillis(50);
  private static final Config CONFIG = ConfigFactory.parseString("""
          pekko.actor.provider = cluster
          pekko.remote.artery.canonical.hostname = 127.0.0.1
          pekko.remote.artery.canonical.port = 0
          pekko.cluster.distributed-data.notify-subscribers-interval = 20ms
          dcloud.node.gossip-interval = %dms
          """.formatted(GOSSIP_INTERVAL.toMillis()))
      .withFallback(ConfigFactory.load());

  private final ActorTestKit testKit = ActorTestKit.create("node-leaving-test", CONFIG);
  private final String nodeId = "leaving-node";

  @AfterEach
  void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void aLeavingNodeWithdrawsItsStatusAndGossipsNoMoreWhileItLeaves() throws Exception {
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    NodeSettings settings = NodeSettings.fromConfig(CONFIG, "test-host").withNodeId(nodeId);
    MachineProfile machine = MachineProfile.simulated(nodeId, new Resources(4000, 8L << 30, 0, 100L << 30, null), List.of());
    testKit.spawn(NodeActor.create(settings, new ScriptedRuntime("dcloud/env-tiny:0123456789abcdef"), machine, SecretEnvDeployTest.SILENT_PEERS));

    TestProbe<Replicator.SubscribeResponse<LWWMap<String, NodeStatus>>> gossip = testKit.createTestProbe();
    DistributedData.get(testKit.system()).replicator().tell(new Replicator.Subscribe<>(NodeGossip.keyFor(nodeId), gossip.getRef()));
    gossip.fishForMessage(WAIT, change -> gossiped(change) ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());

    // The phase after the withdrawal waits for the test: the node is still a member, its actor and
    // its gossip ticks still run.
    CompletableFuture<Done> withdrawalDone = new CompletableFuture<>();
    CompletableFuture<Done> release = new CompletableFuture<>();
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(testKit.system());
    shutdown.addTask(CoordinatedShutdown.PhaseClusterShardingShutdownRegion(), "test-holds-the-leave", () -> {
      withdrawalDone.complete(Done.getInstance());
      return release;
    });
    CompletionStage<Done> stopped = shutdown.run(CoordinatedShutdown.unknownReason(), Optional.empty());
    withdrawalDone.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    gossip.fishForMessage(WAIT, change -> gossiped(change) ? FishingOutcomes.continueAndIgnore() : FishingOutcomes.complete());
    gossip.expectNoMessage(GOSSIP_INTERVAL.multipliedBy(20));

    release.complete(Done.getInstance());
    stopped.toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
    assertThat(testKit.system().getWhenTerminated().toCompletableFuture().get(WAIT.toMillis(), TimeUnit.MILLISECONDS))
        .isNotNull();
  }

  private boolean gossiped(Replicator.SubscribeResponse<LWWMap<String, NodeStatus>> change) {
    return change instanceof Replicator.Changed<LWWMap<String, NodeStatus>> changed
        && changed.get(NodeGossip.keyFor(nodeId)).getEntries().containsKey(nodeId);
  }
}
