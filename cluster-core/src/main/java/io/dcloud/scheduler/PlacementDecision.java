package io.dcloud.scheduler;

import java.util.List;

/** The outcome of {@link Placement#decide}. */
public sealed interface PlacementDecision {

  /**
   * Place on {@code nodeId}; {@code gpuUuids} are the devices allocated (empty when no GPU asked).
   * {@code reason}: why that node, when something beyond the policy's ranking decided (data
   * locality); null otherwise.
   */
  record Fits(String nodeId, List<String> gpuUuids, String reason) implements PlacementDecision {
    public Fits(String nodeId, List<String> gpuUuids) {
      this(nodeId, gpuUuids, null);
    }
  }

  /** No node has room now, but some node could hold it once capacity frees: queue it. */
  record NotNow(String reason) implements PlacementDecision {}

  /** No node could ever hold it (e.g. more GPUs than the largest node has): refuse at once. */
  record Never(String reason) implements PlacementDecision {}
}
