package io.dcloud.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.dcloud.resources.Resources;
import io.dcloud.serialization.CborSerializable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The scheduler's snapshots through the serializer its journal uses, including those of earlier versions. */
class SchedulerSnapshotTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      "scheduler-snapshot-test", ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load()));
  /** The manifest those snapshots carry: the state class, before it moved out of Scheduler. */
  private static final String STATE_MANIFEST = "io.dcloud.scheduler.Scheduler$State";

  /** The shape the scheduler stored as its snapshot before Snapshot existed. */
  record EarlierState(
      Map<String, Scheduler.Reservation> reservations,
      List<PlacementRequest> queue,
      Set<String> cordoned,
      Set<String> draining,
      Map<String, String> unconfirmedLosses) implements CborSerializable {}

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void aSnapshotReadsBackAndOneFromAnEarlierVersionStillLoads() {
    Serialization serialization = SerializationExtension.get(testKit.system());
    Resources oneGpu = new Resources(1000, 1L << 30, 1, 0, "A100");
    PlacementRequest waiting = new PlacementRequest("e3", oneGpu, Map.of("zone", "z1"));
    EarlierState earlier = new EarlierState(
        Map.of("e1", new Scheduler.Reservation("n1", oneGpu, List.of("GPU-1"), null),
            "e2", new Scheduler.Reservation("n1", oneGpu, List.of("GPU-2"), null)),
        List.of(waiting), Set.of("n2"), Set.of(), Map.of("e9", "n3"));
    byte[] bytes = serialization.serialize(earlier).get();
    int serializer = serialization.findSerializerFor(earlier).identifier();

    SchedulerState loaded = (SchedulerState) serialization.deserialize(bytes, serializer, STATE_MANIFEST).get();

    assertThat(loaded.reservedOn("n1")).isEqualTo(new Resources(2000, 2L << 30, 2, 0, null));
    assertThat(loaded.gpusInUseOn("n1")).containsExactlyInAnyOrder("GPU-1", "GPU-2");
    assertThat(loaded.queuePosition("e3")).isEqualTo(1);
    assertThat(loaded.cordoned("n2")).isTrue();
    assertThat(loaded.unconfirmedLosses()).containsEntry("e9", "n3");

    SchedulerSnapshot snapshot = loaded.snapshot();
    byte[] written = serialization.serialize(snapshot).get();
    SchedulerSnapshot read = (SchedulerSnapshot) serialization.deserialize(
        written, serialization.findSerializerFor(snapshot).identifier(), SchedulerSnapshot.class.getName()).get();
    SchedulerState again = SchedulerState.of(read);
    assertThat(again.reservedOn("n1")).isEqualTo(loaded.reservedOn("n1"));
    assertThat(again.environmentsOn("n1")).containsExactlyInAnyOrder("e1", "e2");
    assertThat(again.queuePosition("e3")).isEqualTo(1);

    // A service's replicas are counted by node after a snapshot too (placement spreads them).
    loaded.reserve(new Scheduler.Reserved("e4", "n2", oneGpu, List.of("GPU-7"), null, "iris"));
    byte[] withGroup = serialization.serialize(loaded.snapshot()).get();
    SchedulerState recovered = SchedulerState.of((SchedulerSnapshot) serialization.deserialize(
        withGroup, serialization.findSerializerFor(snapshot).identifier(), SchedulerSnapshot.class.getName()).get());
    assertThat(recovered.groupCountOn("n2", "iris")).isEqualTo(1);
    assertThat(recovered.groupCountOn("n1", "iris")).isZero();
    recovered.release("e4");
    assertThat(recovered.groupCountOn("n2", "iris")).isZero();
  }
}
