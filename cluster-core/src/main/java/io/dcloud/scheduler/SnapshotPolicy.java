package io.dcloud.scheduler;

/**
 * When the scheduler snapshots besides every {@code snapshot-every} events (Pekko's retention
 * criteria): once the decisions persisted since the last snapshot reach {@code snapshot-every} or
 * the size of that snapshot, whichever is larger.
 *
 * <p>A round of decisions is one event, so counting events alone would let a burst's recovery replay
 * up to max-placements-per-batch times more decisions. But a snapshot writes every reservation, so
 * taking one every {@code snapshot-every} decisions made its cost grow with the state while the
 * work between two stayed the same: at 5,000 placements/s and 100,000 reservations, an 8 MB
 * snapshot every two seconds, each one a spike in the placements' latency. Waiting for as many
 * decisions as the last snapshot held keeps the snapshots' cost proportional to the decisions made
 * (their sizes at least double between two while the state grows) and a recovery's replay no longer
 * than the snapshot it starts from.
 *
 * <p>Mutable; used on the scheduler's thread only.
 */
final class SnapshotPolicy {
  private final int snapshotEvery;
  private long decisionsSinceSnapshot;
  private long lastSnapshotSize;
  private long lastSequenceNr;

  SnapshotPolicy(int snapshotEvery) {
    this.snapshotEvery = snapshotEvery;
  }

  /** After recovery: the recovered state counts as the last snapshot's size. */
  void recovered(long stateSize, long sequenceNr) {
    lastSnapshotSize = stateSize;
    lastSequenceNr = sequenceNr;
  }

  /**
   * Whether to snapshot after the event at {@code sequenceNr}, which persisted {@code decisions}
   * decisions and left a state of {@code stateSize} entries. Asked only for events the retention
   * criteria did not snapshot: a multiple of snapshot-every passed since the last question means
   * they did.
   */
  boolean snapshotAfter(long sequenceNr, int decisions, long stateSize) {
    if (sequenceNr / snapshotEvery != lastSequenceNr / snapshotEvery) {
      decisionsSinceSnapshot = 0;
      lastSnapshotSize = stateSize;
    }
    lastSequenceNr = sequenceNr;
    decisionsSinceSnapshot += decisions;
    if (decisionsSinceSnapshot < Math.max(snapshotEvery, lastSnapshotSize)) {
      return false;
    }
    decisionsSinceSnapshot = 0;
    lastSnapshotSize = stateSize;
    return true;
  }
}
