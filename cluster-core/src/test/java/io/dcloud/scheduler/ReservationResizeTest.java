package io.dcloud.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.Scheduler.ResizeAnswer;
import io.dcloud.scheduler.Scheduler.ResizeOutcome;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;

/** A running environment's new size, weighed by the scheduler against the books of the node it runs on. */
class ReservationResizeTest extends SchedulerClusterFixture {

  @Test
  void aGrowthTheNodeHasRoomForIsHeldAtOnceOneItHasNoRoomForChangesNothingAndAShrinkLetsTheQueueIn() {
    String nodeId = "n-" + UUID.randomUUID();
    String id = UUID.randomUUID().toString();
    ActorRef<Scheduler.Command> scheduler =
        schedulerKnowing(node(nodeId, 2, 4 * GIB, List.of(new GpuDevice(0, "GPU-a", "NVIDIA A100", 40960L))));
    scheduler.tell(new Scheduler.Place(request(nodeId, id + "-a", 1000, GIB, 0)));
    expectFor(id + "-a", PlacementAnswer.Granted.class);
    scheduler.tell(new Scheduler.Place(request(nodeId, id + "-b", 1000, GIB, 0)));
    expectFor(id + "-b", PlacementAnswer.Granted.class);

    ResizeAnswer noRoom = resize(scheduler, id + "-a", new Resources(2000, GIB, 0, 0, null));
    assertThat(noRoom.outcome()).isEqualTo(ResizeOutcome.REFUSED);
    assertThat(noRoom.reason()).isEqualTo("node " + nodeId + " has no room for it to grow: 0 cores free, 1 core more asked");
    assertThat(reserved(scheduler, nodeId)).as("nothing changed").isEqualTo(new Resources(2000, 2 * GIB, 0, 0, null));

    assertThat(resize(scheduler, id + "-a", new Resources(1000, 3 * GIB, 0, 0, null)))
        .isEqualTo(new ResizeAnswer(ResizeOutcome.IN_PLACE, null));
    assertThat(reserved(scheduler, nodeId)).isEqualTo(new Resources(2000, 4 * GIB, 0, 0, null));
    scheduler.tell(new Scheduler.Place(request(nodeId, id + "-c", 500, GIB, 0)));
    assertThat(expectFor(id + "-c", PlacementAnswer.Waiting.class).position()).isEqualTo(1);

    // Smaller: the room it leaves takes the queue's first.
    assertThat(resize(scheduler, id + "-a", new Resources(500, GIB, 0, 0, null)).outcome()).isEqualTo(ResizeOutcome.IN_PLACE);
    assertThat(expectFor(id + "-c", PlacementAnswer.Granted.class).nodeId()).isEqualTo(nodeId);
    assertThat(reserved(scheduler, nodeId)).isEqualTo(new Resources(2000, 3 * GIB, 0, 0, null));

    // GPUs change with a new container: room is weighed, the restart decides which.
    assertThat(resize(scheduler, id + "-b", new Resources(1000, GIB, 1, 0, null)))
        .isEqualTo(new ResizeAnswer(ResizeOutcome.RESTART, null));
    assertThat(reserved(scheduler, nodeId)).as("held as it was until its restart").isEqualTo(new Resources(2000, 3 * GIB, 0, 0, null));
    assertThat(resize(scheduler, id + "-b", new Resources(1000, GIB, 2, 0, null)).reason())
        .isEqualTo("node " + nodeId + " has no room for it to grow: 1 GPUs free, 2 more asked");

    ResizeAnswer notHeld = resize(scheduler, id + "-gone", new Resources(1000, GIB, 0, 0, null));
    assertThat(notHeld.outcome()).isEqualTo(ResizeOutcome.NOT_HELD);

    // What the scheduler holds outlives it: a new incarnation reads the resized reservation back.
    testKit.stop(scheduler);
    ActorRef<Scheduler.Command> recovered = testKit.spawn(Scheduler.create(SETTINGS, answers));
    awaitNode(recovered, nodeId);
    assertThat(reserved(recovered, nodeId)).isEqualTo(new Resources(2000, 3 * GIB, 0, 0, null));
    testKit.stop(recovered);
  }

  @Test
  void aCordonedNodesEnvironmentsMayStillChangeTheirSizeAsTheyRun() {
    String nodeId = "n-" + UUID.randomUUID();
    String id = UUID.randomUUID().toString();
    ActorRef<Scheduler.Command> scheduler = schedulerKnowing(node(nodeId, 2, 4 * GIB, List.of()));
    scheduler.tell(new Scheduler.Place(request(nodeId, id, 1000, GIB, 0)));
    expectFor(id, PlacementAnswer.Granted.class);
    TestProbe<Scheduler.NodeAnswer> cordoned = testKit.createTestProbe();
    scheduler.tell(new Scheduler.Cordon(nodeId, cordoned.getRef()));
    cordoned.receiveMessage(WAIT);

    // Cordoned takes no new environments; what runs there may still change its size as it runs.
    assertThat(resize(scheduler, id, new Resources(1500, GIB, 0, 0, null)).outcome()).isEqualTo(ResizeOutcome.IN_PLACE);
    testKit.stop(scheduler);
  }

  private ResizeAnswer resize(ActorRef<Scheduler.Command> scheduler, String id, Resources resources) {
    TestProbe<ResizeAnswer> answer = testKit.createTestProbe();
    scheduler.tell(new Scheduler.ResizeReservation(id, resources, answer.getRef()));
    return answer.receiveMessage(WAIT);
  }

  private Resources reserved(ActorRef<Scheduler.Command> scheduler, String nodeId) {
    TestProbe<Scheduler.Nodes> nodes = testKit.createTestProbe();
    scheduler.tell(new Scheduler.GetNodes(nodes.getRef()));
    return view(nodes.receiveMessage(WAIT), nodeId).reserved();
  }
}
