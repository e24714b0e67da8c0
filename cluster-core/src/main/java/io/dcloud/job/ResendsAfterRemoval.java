package io.dcloud.job;

/**
 * When a running job sends its tasks in flight again after the cluster removed a member: a task sent
 * through a replica's entity that lived there is lost without an answer, and a shard that lived on
 * the member may take seconds to get its new home (its coordinator's state written again), so a
 * message sent to it meanwhile may be lost as well. So at the job's 1st, 2nd, 4th and 8th look after
 * the removal — not at once: this node's shard regions may not have heard of it yet. An answer to an
 * earlier sending is then late, and ignored.
 */
final class ResendsAfterRemoval {
  /** The last look that sends them again. */
  private static final int LAST_LOOK = 8;

  /** Looks since the last removal (-1: none lately). */
  private int looks = -1;

  /** A member was removed: the looks count from now. */
  void memberRemoved() {
    looks = 0;
  }

  /** The job looks again: whether its tasks in flight are to be sent again now. */
  boolean look() {
    if (looks < 0) {
      return false;
    }
    looks++;
    boolean now = Integer.bitCount(looks) == 1;
    if (looks >= LAST_LOOK) {
      looks = -1;
    }
    return now;
  }

  /** How many looks since the removal, for the log. */
  int looks() {
    return looks < 0 ? LAST_LOOK : looks;
  }
}
