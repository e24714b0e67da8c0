package io.dcloud.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A job sends its tasks in flight again at its 1st, 2nd, 4th and 8th look after a member's removal, and not otherwise. */
class ResendsAfterRemovalTest {
  private static List<Integer> resendingLooks(ResendsAfterRemoval resends, int looks) {
    List<Integer> resending = new ArrayList<>();
    for (int look = 1; look <= looks; look++) {
      if (resends.look()) {
        resending.add(look);
      }
    }
    return resending;
  }

  @Test
  void atTheFirstSecondFourthAndEighthLookAfterARemovalOnly() {
    ResendsAfterRemoval resends = new ResendsAfterRemoval();
    assertThat(resendingLooks(resends, 3)).as("no removal yet").isEmpty();
    resends.memberRemoved();
    assertThat(resendingLooks(resends, 20)).containsExactly(1, 2, 4, 8);
    resends.memberRemoved();
    assertThat(resends.look()).as("another removal starts over").isTrue();
    assertThat(resends.looks()).isEqualTo(1);
  }
}
