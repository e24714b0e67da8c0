package io.dcloud.scheduler;

import static io.dcloud.scheduler.FeasibilityChecks.capacity;
import static io.dcloud.scheduler.FeasibilityChecks.hasLabels;
import static io.dcloud.scheduler.FeasibilityChecks.matchingGpus;
import static io.dcloud.scheduler.PlacementWording.MAX_NODES_NAMED;
import static io.dcloud.scheduler.PlacementWording.labels;
import static io.dcloud.scheduler.PlacementWording.sayGpus;

import io.dcloud.node.NodeStatus;
import io.dcloud.resources.Quantities;
import io.dcloud.resources.Resources;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * The "never" analysis of {@link Placement}: when no node fits now, whether any known node could
 * ever hold the request, and if none could, a reason that names what is too large and the largest
 * node there is, so the user knows to change the request rather than wait.
 */
final class NeverPlaceable {

  /** One dimension as the "never" analysis sees it: a node's total and how to say it. */
  private record Dimension(String name, ToLongFunction<NodeStatus> total, ToLongFunction<PlacementAsk> asked,
      LongFunction<String> say) {}

  private NeverPlaceable() {}

  /**
   * Why no known node could ever hold the request — looking at totals, ignoring reservations,
   * schedulability and runtime health, which all change — or empty when some node could.
   */
  static Optional<String> reason(List<NodeCandidate> nodes, PlacementAsk ask) {
    List<NodeStatus> labelled =
        nodes.stream().map(NodeCandidate::status).filter(s -> hasLabels(s, ask.constraints())).toList();
    if (labelled.isEmpty()) {
      return Optional.of("no node has the labels " + labels(ask.constraints()));
    }
    if (ask.wantsGpus() && ask.gpuModel() != null
        && labelled.stream().allMatch(s -> matchingGpus(s, ask).isEmpty())) {
      return Optional.of("no node has a GPU whose name contains \"" + ask.resources().gpuModel() + "\"");
    }
    List<Dimension> dimensions =
        List.of(
            new Dimension("GPUs", s -> matchingGpus(s, ask).size(), a -> a.resources().gpus(),
                PlacementWording::sayGpus),
            new Dimension("cpu", s -> capacity(s).milliCpus(), a -> a.resources().milliCpus(),
                Quantities::describeCores),
            new Dimension("memory", s -> capacity(s).memoryBytes(), a -> a.resources().memoryBytes(),
                b -> Quantities.describeBytes(b) + " memory"),
            new Dimension("storage", s -> capacity(s).storageBytes(), a -> a.resources().storageBytes(),
                b -> Quantities.describeBytes(b) + " storage"));
    for (Dimension dimension : dimensions) {
      long asked = dimension.asked.applyAsLong(ask);
      NodeStatus largest =
          labelled.stream()
              .max(Comparator.comparingLong(dimension.total).thenComparing(NodeStatus::nodeId,
                  Comparator.reverseOrder()))
              .orElseThrow();
      if (asked > dimension.total.applyAsLong(largest)) {
        String which = ask.constraints().isEmpty() ? "" : " with labels " + labels(ask.constraints());
        return Optional.of("asks for " + dimension.say.apply(asked) + " but the largest node" + which + " ("
            + largest.nodeId() + ") has " + summary(largest, ask, dimension));
      }
    }
    // Every dimension fits some node, but maybe not all on the same one.
    boolean someNodeHoldsAll =
        labelled.stream().anyMatch(s -> dimensions.stream()
            .allMatch(d -> d.asked.applyAsLong(ask) <= d.total.applyAsLong(s)));
    if (someNodeHoldsAll) {
      return Optional.empty();
    }
    return Optional.of("no node is large enough for all of it at once: asks for " + summaryOfAsk(ask)
        + "; " + labelled.stream().limit(MAX_NODES_NAMED)
            .map(s -> s.nodeId() + " has " + summary(s, ask, null))
            .collect(Collectors.joining("; ")));
  }

  private static String summary(NodeStatus node, PlacementAsk ask, Dimension dimension) {
    Resources capacity = capacity(node);
    String text = sayGpus(matchingGpus(node, ask).size()) + ", " + Quantities.describeCores(capacity.milliCpus())
        + ", " + Quantities.describeBytes(capacity.memoryBytes()) + " memory";
    if (dimension == null || dimension.name.equals("storage")) {
      text += ", " + Quantities.describeBytes(capacity.storageBytes()) + " storage";
    }
    return text;
  }

  private static String summaryOfAsk(PlacementAsk ask) {
    Resources r = ask.resources();
    return sayGpus(r.gpus()) + ", " + Quantities.describeCores(r.milliCpus()) + ", "
        + Quantities.describeBytes(r.memoryBytes()) + " memory, " + Quantities.describeBytes(r.storageBytes())
        + " storage";
  }
}
