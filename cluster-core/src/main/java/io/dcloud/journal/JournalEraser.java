package io.dcloud.journal;

import java.util.concurrent.CompletionStage;

/**
 * Erases every event and snapshot of one persistence id, for an entity whose id is never used
 * again (a deleted environment or a finished job past its retention). Once it completes, a
 * recovery of that id finds nothing and the journal no longer lists the id.
 */
@FunctionalInterface
public interface JournalEraser {
  CompletionStage<Void> erase(String persistenceId);
}
