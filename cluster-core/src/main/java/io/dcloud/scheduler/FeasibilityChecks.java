package io.dcloud.scheduler;

import static io.dcloud.scheduler.PlacementWording.gpuNoun;
import static io.dcloud.scheduler.PlacementWording.labels;
import static io.dcloud.scheduler.PlacementWording.sayGpus;

import io.dcloud.node.NodeStatus;
import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Quantities;
import io.dcloud.resources.Resources;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;

/**
 * The feasibility half of {@link Placement}: the pipeline of checks that removes the nodes that
 * cannot take a request now, and what they read of a node (its free resources, its free GPUs of
 * the requested model, its labels), which the ranking and the "never" analysis read too.
 */
final class FeasibilityChecks {

  /** One filter of the pipeline: the reason the node cannot take the request now, or empty. */
  private interface FeasibilityCheck {
    Optional<String> reject(NodeCandidate node, PlacementAsk ask);
  }

  /** Cheapest and most decisive first: the first failing check is the reason reported for a node. */
  private static final List<FeasibilityCheck> PIPELINE =
      List.of(
          FeasibilityChecks::checkSchedulable,
          FeasibilityChecks::checkRuntime,
          FeasibilityChecks::checkSpread,
          FeasibilityChecks::checkConstraints,
          FeasibilityChecks::checkGpus,
          dimension("cpu", Resources::milliCpus, Quantities::describeCores),
          dimension("memory", Resources::memoryBytes, Quantities::describeBytes),
          dimension("storage", Resources::storageBytes, Quantities::describeBytes));

  private FeasibilityChecks() {}

  static Optional<String> firstRejection(NodeCandidate node, PlacementAsk ask) {
    for (FeasibilityCheck check : PIPELINE) {
      Optional<String> reason = check.reject(node, ask);
      if (reason.isPresent()) {
        return reason;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> checkSchedulable(NodeCandidate node, PlacementAsk ask) {
    return node.schedulable() ? Optional.empty() : Optional.of("not schedulable (cordoned or draining)");
  }

  private static Optional<String> checkRuntime(NodeCandidate node, PlacementAsk ask) {
    return node.status().runtimeAvailable() ? Optional.empty() : Optional.of("container runtime unavailable");
  }

  private static Optional<String> checkSpread(NodeCandidate node, PlacementAsk ask) {
    return !ask.spreadRequired() || node.groupPeers() == 0
        ? Optional.empty()
        : Optional.of("runs a replica of its service already (spread: required)");
  }

  private static Optional<String> checkConstraints(NodeCandidate node, PlacementAsk ask) {
    return hasLabels(node.status(), ask.constraints())
        ? Optional.empty()
        : Optional.of("labels do not match " + labels(ask.constraints()));
  }

  private static Optional<String> checkGpus(NodeCandidate node, PlacementAsk ask) {
    if (!ask.wantsGpus() || freeGpus(node, ask).size() >= ask.resources().gpus()) {
      return Optional.empty();
    }
    return Optional.of("not enough free " + gpuNoun(ask) + " (asks for " + sayGpus(ask.resources().gpus()) + ")");
  }

  private static FeasibilityCheck dimension(
      String name, ToLongFunction<Resources> amount, LongFunction<String> say) {
    return (node, ask) -> {
      long asked = amount.applyAsLong(ask.resources());
      return free(node, amount) >= asked
          ? Optional.empty()
          : Optional.of("not enough free " + name + " (asks for " + say.apply(asked) + ")");
    };
  }

  static long free(NodeCandidate node, ToLongFunction<Resources> amount) {
    return amount.applyAsLong(capacity(node.status())) - amount.applyAsLong(reserved(node));
  }

  /** The node's usable devices matching the requested model that no environment holds, by index. */
  static List<GpuDevice> freeGpus(NodeCandidate node, PlacementAsk ask) {
    List<GpuDevice> matching = matchingGpus(node.status(), ask);
    Set<String> inUse = node.gpusInUse();
    if (matching.isEmpty() || inUse == null || inUse.isEmpty()) {
      return matching;
    }
    // A loop, not a stream: this runs for every node a GPU request is checked against.
    List<GpuDevice> free = new ArrayList<>(matching.size());
    for (GpuDevice gpu : matching) {
      if (!inUse.contains(gpu.uuid())) {
        free.add(gpu);
      }
    }
    return free;
  }

  /**
   * Devices of the node that can be allocated (they have a UUID: allocation is by UUID) and whose
   * name contains the requested model, lowest index first.
   */
  static List<GpuDevice> matchingGpus(NodeStatus status, PlacementAsk ask) {
    if (status.gpus() == null || status.gpus().isEmpty()) {
      return List.of();
    }
    return status.gpus().stream()
        .filter(gpu -> gpu.uuid() != null)
        .filter(gpu -> ask.gpuModel() == null
            || (gpu.name() != null && gpu.name().toLowerCase(Locale.ROOT).contains(ask.gpuModel())))
        .sorted(Comparator.comparingInt(GpuDevice::index))
        .toList();
  }

  static boolean hasLabels(NodeStatus status, Map<String, String> constraints) {
    if (constraints.isEmpty()) {
      return true;
    }
    Map<String, String> labels = status.labels() == null ? Map.of() : status.labels();
    // A loop, not a stream: this runs for every node each request is checked against, and building
    // the stream cost more than the comparisons (a tenth of the scheduler's CPU in its benchmark).
    for (Map.Entry<String, String> constraint : constraints.entrySet()) {
      if (!constraint.getValue().equals(labels.get(constraint.getKey()))) {
        return false;
      }
    }
    return true;
  }

  static Resources capacity(NodeStatus status) {
    return status.capacity() == null ? Resources.NONE : status.capacity();
  }

  private static Resources reserved(NodeCandidate node) {
    return node.reserved() == null ? Resources.NONE : node.reserved();
  }
}
