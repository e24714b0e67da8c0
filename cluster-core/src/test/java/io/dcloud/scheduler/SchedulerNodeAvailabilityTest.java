package io.dcloud.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/** Nodes taken out of placement: cordoned or drained by an operator, or lost with their process. */
class SchedulerNodeAvailabilityTest extends SchedulerClusterFixture {

  @Test
  void cordonedNodesTakeNothingNewAndUncordoningPlacesTheQueue() {
    String nodeId = "n-" + UUID.randomUUID();
    String id = UUID.randomUUID().toString();
    gossip(node(nodeId, 8, 8 * GIB, List.of()));
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS, answers));
    awaitNode(scheduler, nodeId);

    TestProbe<Scheduler.NodeAnswer> answers = testKit.createTestProbe();
    scheduler.tell(new Scheduler.Cordon(nodeId, answers.getRef()));
    assertThat(answers.receiveMessage(WAIT).node().state()).isEqualTo(NodeAvailability.CORDONED);
    scheduler.tell(new Scheduler.Cordon("no-such-node", answers.getRef()));
    assertThat(answers.receiveMessage(WAIT).node()).isNull();

    scheduler.tell(new Scheduler.Place(request(nodeId, id, 1000, GIB, 0)));
    assertThat(expectFor(id, PlacementAnswer.Waiting.class).position()).isEqualTo(1);

    scheduler.tell(new Scheduler.Uncordon(nodeId, answers.getRef()));
    assertThat(answers.receiveMessage(WAIT).node().state()).isEqualTo(NodeAvailability.UP);
    assertThat(expectFor(id, PlacementAnswer.Granted.class).nodeId()).isEqualTo(nodeId);

    scheduler.tell(new Scheduler.Drain(nodeId, answers.getRef()));
    assertThat(answers.receiveMessage(WAIT).node().state()).isEqualTo(NodeAvailability.DRAINING);
    assertThat(expectFor(id, PlacementAnswer.MoveOff.class).nodeId()).isEqualTo(nodeId);
    testKit.stop(scheduler);
  }

  @Test
  void aNodeWhoseProcessIsGoneIsLostItsEnvironmentsToldAndItIsListedDown() {
    String liveNode = "n-" + UUID.randomUUID();
    String id = UUID.randomUUID().toString();
    gossip(node(liveNode, 8, 8 * GIB, List.of()));
    ActorRef<Scheduler.Command> scheduler = testKit.spawn(Scheduler.create(SETTINGS, answers));
    awaitNode(scheduler, liveNode);
    scheduler.tell(new Scheduler.Place(request(liveNode, id, 1000, GIB, 0)));
    assertThat(expectFor(id, PlacementAnswer.Granted.class).nodeId()).isEqualTo(liveNode);

    // The same node now gossips from a process that is no longer a cluster member, long silent.
    gossip(node(liveNode, 8, 8 * GIB, List.of(), "pekko://gone@127.0.0.1:1#1", Instant.now().minus(Duration.ofMinutes(1))));

    assertThat(expectFor(id, PlacementAnswer.NodeGone.class).nodeId()).isEqualTo(liveNode);
    assertThat(expectFor(id, PlacementAnswer.NodeGone.class).nodeId())
        .as("repeated until the environment confirms it: the first may have gone to a shard on the lost node")
        .isEqualTo(liveNode);
    scheduler.tell(new Scheduler.ConfirmLoss(id));
    TestProbe<Scheduler.Nodes> nodes = testKit.createTestProbe();
    nodes.awaitAssert(WAIT, () -> {
      scheduler.tell(new Scheduler.GetNodes(nodes.getRef()));
      assertThat(nodes.receiveMessage().nodes())
          .filteredOn(view -> view.status().nodeId().equals(liveNode))
          .extracting(NodeView::state)
          .containsExactly(NodeAvailability.DOWN);
      return null;
    });
    TestProbe<Scheduler.Reservations> reservations = testKit.createTestProbe();
    scheduler.tell(new Scheduler.GetReservations(liveNode, reservations.getRef()));
    assertThat(reservations.receiveMessage(WAIT).environmentIds()).isEmpty();
    testKit.stop(scheduler);
  }
}
