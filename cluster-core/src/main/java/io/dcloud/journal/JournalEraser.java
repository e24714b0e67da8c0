package io.dcloud.journal;

import java.util.concurrent.CompletionStage;

/**
 * Erases every event of one persistence id from the journal, for an entity whose id is never used
 * again (a deleted environment past its retention). Once it completes, a recovery of that id
 * finds nothing and the journal no longer lists the id.
 */
@FunctionalInterface
public interface JournalEraser {
  /** {@code highestSequenceNr}: the id's last event, which tells how far its events reach. */
  CompletionStage<Void> erase(String persistenceId, long highestSequenceNr);
}
