package io.dcloud.scheduler;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnapshotPolicyTest {
  /** Events of {@code decisions} decisions each on a state that grows by each decision; the state sizes snapshotted. */
  private static List<Long> snapshotsWhileGrowing(SnapshotPolicy policy, int events, int decisions) {
    List<Long> sizes = new ArrayList<>();
    long size = 0;
    for (long sequenceNr = 1; sequenceNr <= events; sequenceNr++) {
      size += decisions;
      if (policy.due(sequenceNr, decisions)) {
        policy.taken(sequenceNr, size);
        sizes.add(size);
      }
    }
    return sizes;
  }

  @Test
  void whileTheStateGrowsEachSnapshotWaitsForAsManyDecisionsAsTheLastOneHeld() {
    // Rounds of 100 decisions, snapshot-every 1,000 (events never reach it): snapshots at 1,000, then doubling.
    assertThat(snapshotsWhileGrowing(new SnapshotPolicy(1_000), 400, 100))
        .containsExactly(1_000L, 2_000L, 4_000L, 8_000L, 16_000L, 32_000L);
  }

  @Test
  void aSmallStateIsSnapshottedEverySnapshotEveryDecisions() {
    SnapshotPolicy policy = new SnapshotPolicy(1_000);
    List<Long> taken = new ArrayList<>();
    // A state of 10 entries (decisions that replace one another): the snapshot's size never matters.
    for (long sequenceNr = 1; sequenceNr <= 40; sequenceNr++) {
      if (policy.due(sequenceNr, 100)) {
        policy.taken(sequenceNr, 10);
        taken.add(sequenceNr);
      }
    }
    assertThat(taken).containsExactly(10L, 20L, 30L, 40L);
  }

  @Test
  void everySnapshotEveryEventsEvenWithFewDecisions() {
    // One decision an event, snapshot-every 5: every fifth event, although the decisions alone would wait for the state's size.
    assertThat(snapshotsWhileGrowing(new SnapshotPolicy(5), 20, 1)).containsExactly(5L, 10L, 15L, 20L);
  }

  @Test
  void aSnapshotNotTakenWhenDueIsStillDueAfterTheNextEvent() {
    SnapshotPolicy policy = new SnapshotPolicy(5);
    for (long sequenceNr = 1; sequenceNr <= 5; sequenceNr++) {
      policy.due(sequenceNr, 1);
    }
    // Due at 5 but not taken (one was being stored): due at 6, and after it is taken, not before 11.
    assertThat(policy.due(6, 1)).isTrue();
    policy.taken(6, 6);
    assertThat(policy.due(10, 1)).isFalse();
    assertThat(policy.due(11, 1)).isTrue();
  }

  @Test
  void afterRecoveryTheRecoveredStateCountsAsTheLastSnapshot() {
    SnapshotPolicy policy = new SnapshotPolicy(1_000);
    policy.recovered(50_000, 12_345);
    long sequenceNr = 12_345;
    int decided = 0;
    // Rounds of 100 decisions: due after 1,000 events (100,000 decisions) or 50,000 decisions, whichever comes first.
    while (!policy.due(++sequenceNr, 100)) {
      decided += 100;
    }
    assertThat(decided + 100).isEqualTo(50_000);
  }
}
