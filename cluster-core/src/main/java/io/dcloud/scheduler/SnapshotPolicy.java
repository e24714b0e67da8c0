package io.dcloud.scheduler;

/**
 * When the scheduler's next snapshot is due: after {@code snapshot-every} events, or once the
 * decisions persisted since the last snapshot reach {@code snapshot-every} or the size of that
 * snapshot, whichever is larger.
 *
 * <p>A round of decisions is one event, so counting events alone would let a burst's recovery replay
 * up to max-placements-per-batch times more decisions. But a snapshot writes every reservation, so
 * taking one every {@code snapshot-every} decisions made its cost grow with the state while the
 * work between two stayed the same: at 5,000 placements/s and 100,000 reservations, an 8 MB
 * snapshot every two seconds. Waiting for as many decisions as the last snapshot held keeps the
 * snapshots' cost proportional to the decisions made (their sizes at least double between two while
 * the state grows) and a recovery's replay no longer than the snapshot it starts from.
 *
 * <p>Mutable; used on the scheduler's thread only (by {@link BackgroundSnapshots}).
 */
final class SnapshotPolicy {
  private final int snapshotEvery;
  private long decisionsSinceSnapshot;
  private long lastSnapshotSize;
  private long lastSnapshotSequenceNr;

  SnapshotPolicy(int snapshotEvery) {
    this.snapshotEvery = snapshotEvery;
  }

  /**
   * After recovery: the recovered state counts as a snapshot just taken (a crash before the next one
   * replays what this recovery replayed as well).
   */
  void recovered(long stateSize, long sequenceNr) {
    decisionsSinceSnapshot = 0;
    lastSnapshotSize = stateSize;
    lastSnapshotSequenceNr = sequenceNr;
  }

  /** Counts the event at {@code sequenceNr}, which persisted {@code decisions} decisions; whether a snapshot is due after it. */
  boolean due(long sequenceNr, int decisions) {
    decisionsSinceSnapshot += decisions;
    return sequenceNr - lastSnapshotSequenceNr >= snapshotEvery
        || decisionsSinceSnapshot >= Math.max(snapshotEvery, lastSnapshotSize);
  }

  /** A snapshot of {@code stateSize} entries is taken after the event at {@code sequenceNr}: the counts start again. */
  void taken(long sequenceNr, long stateSize) {
    decisionsSinceSnapshot = 0;
    lastSnapshotSize = stateSize;
    lastSnapshotSequenceNr = sequenceNr;
  }
}
