package io.dcloud.scheduler;

import io.dcloud.resources.Quantities;
import io.dcloud.resources.Resources;
import java.util.List;

/**
 * Says in words why {@link Placement} chose a node, for people deciding whether to submit (the dry
 * run of a create): the policy's criterion and what the node keeps free once the request is on it.
 * The decision itself stays in {@code Placement}; this only describes it.
 */
final class PlacementExplanation {
  private PlacementExplanation() {}

  /** {@code chosen} is the node as placement saw it, before the request was counted on it. */
  static String whyFits(PlacementRequest request, NodeCandidate chosen, Placement.Policy policy, List<String> gpuUuids) {
    Resources asked = request.resources() == null ? Resources.NONE : request.resources();
    Resources capacity = chosen.status().capacity() == null ? Resources.NONE : chosen.status().capacity();
    Resources reserved = chosen.reserved() == null ? Resources.NONE : chosen.reserved();
    String criterion = policy == Placement.Policy.BINPACK
        ? "the fullest node that fits (binpack)"
        : "most free cpu and memory (spread)";
    String keeps = Quantities.describeCores(capacity.milliCpus() - reserved.milliCpus() - asked.milliCpus()) + " and "
        + Quantities.describeBytes(capacity.memoryBytes() - reserved.memoryBytes() - asked.memoryBytes());
    String gpus = gpuUuids.isEmpty() ? "" : "; allocated GPUs " + String.join(", ", gpuUuids);
    return criterion + ": " + chosen.status().nodeId() + " keeps " + keeps + " free after this" + gpus;
  }
}
