package io.dcloud.scheduler;

import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.dcloud.resources.Resources;
import io.dcloud.serialization.CborSerializable;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.persistence.typed.SnapshotAdapter;

/**
 * The scheduler's state as stored in a snapshot. Each reservation is written as a bare array (no
 * field names): a snapshot of 100,000 reservations stays a few megabytes, well under Cassandra's
 * mutation size limit; its last element, the group, is absent from snapshots of earlier versions.
 * (Written as {@code Scheduler$Snapshot} before it had a file of its own; the Jackson migration
 * {@code MovedClasses} reads those.)
 */
public record SchedulerSnapshot(
    List<Entry> reservations,
    List<PlacementRequest> queue,
    Set<String> cordoned,
    Set<String> draining,
    Map<String, String> unconfirmedLosses)
    implements CborSerializable {

  /** How the scheduler's state goes into and comes out of a snapshot. */
  static final SnapshotAdapter<SchedulerState> ADAPTER = new SnapshotAdapter<>() {
    @Override
    public Object toJournal(SchedulerState state) {
      return state.snapshot();
    }

    @Override
    public SchedulerState fromJournal(Object from) {
      // A SchedulerState is a snapshot from before SchedulerSnapshot existed (see SchedulerState#fromEarlierSnapshot).
      return from instanceof SchedulerState earlier ? earlier : SchedulerState.of((SchedulerSnapshot) from);
    }
  };

  @JsonFormat(shape = JsonFormat.Shape.ARRAY)
  @JsonPropertyOrder(
      {"environmentId", "nodeId", "milliCpus", "memoryBytes", "gpus", "storageBytes", "gpuModel", "gpuUuids", "group"})
  public record Entry(
      String environmentId, String nodeId, long milliCpus, long memoryBytes, int gpus, long storageBytes,
      String gpuModel, List<String> gpuUuids, String group) {

    static Entry of(String environmentId, Scheduler.Reservation r) {
      Resources res = r.resources();
      return new Entry(environmentId, r.nodeId(), res.milliCpus(), res.memoryBytes(), res.gpus(), res.storageBytes(),
          res.gpuModel(), r.gpuUuids(), r.group());
    }

    Scheduler.Reserved reserved() {
      return new Scheduler.Reserved(environmentId, nodeId, new Resources(milliCpus, memoryBytes, gpus, storageBytes,
          gpuModel), gpuUuids, null, group);
    }
  }
}
