package io.dcloud.scheduler;

import io.dcloud.node.NodeGossip;
import io.dcloud.node.NodeStatus;
import io.dcloud.resources.GpuDevice;
import io.dcloud.testing.OneNodeCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.TestInstance;

/**
 * What the scheduler's tests on a one-node cluster share: node status arrives through real
 * Distributed Data gossip, the scheduler's answers go to a probe (the route it is given), and its
 * state survives a restart (in-memory journal).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class SchedulerClusterFixture {
  /** One per test class (PER_CLASS): each class shuts its own down. */
  final ActorTestKit testKit = OneNodeCluster.start(getClass().getSimpleName());
  final SchedulerSettings SETTINGS = SchedulerSettings.fromConfig(testKit.system().settings().config());
  static final Duration WAIT = Duration.ofSeconds(10);
  static final long GIB = 1L << 30;

  /** What the scheduler told which environment. */
  record Answered(String environmentId, PlacementAnswer answer) implements NoSerializationVerificationNeeded {}

  final TestProbe<Answered> entities = testKit.createTestProbe();
  final PlacementAnswer.Route answers = (environmentId, answer) -> entities.getRef().tell(new Answered(environmentId, answer));

  /** Every test starts a scheduler with an empty journal (they share the singleton's persistence id). */
  @BeforeEach
  void emptyJournal() {
    PersistenceTestKit.create(testKit.system()).clearAll();
    SnapshotTestKit.create(testKit.system()).clearAll();
  }

  @AfterAll
  void shutdown() {
    testKit.shutdownTestKit();
  }

  /** The configured settings, but with a snapshot after every {@code snapshotEvery} events (or decisions). */
  SchedulerSettings snapshottingEvery(int snapshotEvery) {
    return SETTINGS.withSnapshotEvery(snapshotEvery);
  }

  void gossip(NodeStatus status) {
    TestNodes.gossip(testKit, status);
  }

  /** Each test's node carries a label its requests require, so tests sharing the cluster do not meet. */
  NodeStatus node(String id, int cores, long memory, List<GpuDevice> gpus) {
    String self = NodeGossip.memberId(Cluster.get(testKit.system()).selfMember().uniqueAddress());
    return node(id, cores, memory, gpus, self, Instant.now());
  }

  static NodeStatus node(String id, int cores, long memory, List<GpuDevice> gpus, String member, Instant seen) {
    return TestNodes.node(id, cores, memory, gpus, member, seen);
  }

  static PlacementRequest request(String nodeId, String id, long milliCpus, long memory, int gpus) {
    return TestNodes.request(nodeId, id, milliCpus, memory, gpus);
  }

  <T extends PlacementAnswer> T expectFor(String environmentId, Class<T> type) {
    List<Answered> fished = entities.fishForMessage(WAIT, "answer for " + environmentId, answered ->
        answered.environmentId().equals(environmentId) && type.isInstance(answered.answer())
            ? FishingOutcomes.complete()
            : FishingOutcomes.continueAndIgnore());
    return type.cast(fished.get(fished.size() - 1).answer());
  }

  /** The answers for several requests in flight at once, in whatever order they come: fishing for one would pass over the others. */
  <T extends PlacementAnswer> Map<String, T> expectForEach(Class<T> type, List<String> environmentIds) {
    Map<String, T> answers = new java.util.HashMap<>();
    entities.fishForMessage(WAIT, "answers for " + environmentIds, answered -> {
      if (environmentIds.contains(answered.environmentId()) && type.isInstance(answered.answer())) {
        answers.putIfAbsent(answered.environmentId(), type.cast(answered.answer()));
      }
      return answers.size() == environmentIds.size() ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore();
    });
    return answers;
  }

  /** A new scheduler once it knows {@code node} (gossiped). */
  ActorRef<Scheduler.Command> schedulerKnowing(NodeStatus node) {
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS, answers));
    gossip(node);
    awaitNode(scheduler, node.nodeId());
    return scheduler;
  }

  void awaitNode(ActorRef<Scheduler.Command> scheduler, String nodeId) {
    TestNodes.awaitNode(testKit, scheduler, nodeId);
  }

  static NodeView view(Scheduler.Nodes nodes, String nodeId) {
    return nodes.nodes().stream().filter(n -> n.status().nodeId().equals(nodeId)).findFirst().orElseThrow();
  }
}
