package io.dcloud.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotPolicyTest {
  /** Events of {@code decisions} decisions each on a state that grows by each decision; the state sizes snapshotted. */
  private static List<Long> snapshotsWhileGrowing(SnapshotPolicy policy, int events, int decisions, int snapshotEvery) {
    List<Long> sizes = new ArrayList<>();
    long size = 0;
    for (long sequenceNr = 1; sequenceNr <= events; sequenceNr++) {
      size += decisions;
      // At a multiple of snapshot-every the retention criteria snapshot, and Pekko does not ask.
      if (sequenceNr % snapshotEvery != 0 && policy.snapshotAfter(sequenceNr, decisions, size)) {
        sizes.add(size);
      }
    }
    return sizes;
  }

  @Test
  void whileTheStateGrowsEachSnapshotWaitsForAsManyDecisionsAsTheLastOneHeld() {
    // Rounds of 100 decisions, snapshot-every 1,000 (events never reach it): snapshots at 1,000, then doubling.
    assertThat(snapshotsWhileGrowing(new SnapshotPolicy(1_000), 400, 100, 1_000))
        .containsExactly(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 32_000L);
  }

  @Test
  void aSmallStateIsSnapshottedEverySnapshotEveryDecisions() {
    SnapshotPolicy policy = new SnapshotPolicy(1_000);
    List<Long> taken = new ArrayList<>();
    // A state of 10 entries (decisions that replace one another): the snapshot's size never matters.
    for (long sequenceNr = 1; sequenceNr <= 40; sequenceNr++) {
      if (policy.snapshotAfter(sequenceNr, 100, 10)) {
        taken.add(sequenceNr);
      }
    }
    assertThat(taken).containsExactly(10L, 20L, 30L, 40L);
  }

  @Test
  void aRetentionSnapshotRestartsTheCountAndSetsTheSize() {
    // One decision an event, snapshot-every 5: the retention criteria snapshot every fifth event and the decisions never reach 5 in between.
    assertThat(snapshotsWhileGrowing(new SnapshotPolicy(5), 40, 1, 5)).isEmpty();
  }

  @Test
  void afterRecoveryTheRecoveredStateCountsAsTheLastSnapshot() {
    SnapshotPolicy policy = new SnapshotPolicy(1_000);
    policy.recovered(50_000, 12_345);
    long size = 50_000;
    long sequenceNr = 12_345;
    int decided = 0;
    while (!policy.snapshotAfter(++sequenceNr, 100, size += 100)) {
      decided += 100;
    }
    assertThat(decided + 100).isEqualTo(50_000);
  }
}
