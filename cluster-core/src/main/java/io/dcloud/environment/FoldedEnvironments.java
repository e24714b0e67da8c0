package io.dcloud.environment;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What one {@link EnvironmentDirectory} has folded of each environment, readable from any thread.
 *
 * <p>Only the directory writes here, on its own thread; a gateway's route reads one environment
 * without a message. A question in the directory's mailbox waits behind every event and listing
 * queued before it: under overload, 90–280 ms (BENCHMARKS §10, "reads while a gateway sheds
 * creates"), when the read side is what answers because the entities are slow. Each entry is
 * immutable and replaced whole, so a reader sees an environment as it was after some event, never
 * half of one.
 */
public final class FoldedEnvironments {
  private final Map<String, EnvironmentDirectory.Folded> byId = new ConcurrentHashMap<>();

  /** The environment as the directory last folded it, with when; {@code Unknown} when it has no event of it. */
  public EnvironmentDirectory.GetReply get(String environmentId) {
    EnvironmentDirectory.Folded folded = byId.get(environmentId);
    return folded == null
        ? new EnvironmentDirectory.Unknown(environmentId)
        : new EnvironmentDirectory.Known(folded.state().view(), folded.asOf());
  }

  /**
   * The environments of {@code owner} (null: every owner's, but none without one) that existed at
   * some time from {@code from} until {@code to}: created before {@code to} and not deleted before
   * {@code from}. What a usage report of that time reads.
   */
  public List<EnvironmentState> existedBetween(String owner, Instant from, Instant to) {
    long fromMilli = from.toEpochMilli();
    long toMilli = to.toEpochMilli();
    return byId.values().stream()
        .map(EnvironmentDirectory.Folded::state)
        .filter(state -> state.owner() != null && (owner == null || owner.equals(state.owner())))
        .filter(state -> !state.steps().isEmpty() && state.createdAtMilli() < toMilli)
        .filter(state -> state.status() != EnvironmentStatus.DELETED
            || state.steps().get(state.steps().size() - 1).atMilli() >= fromMilli)
        .toList();
  }

  /** The directory's own map, which it alone writes. */
  Map<String, EnvironmentDirectory.Folded> entries() {
    return byId;
  }
}
