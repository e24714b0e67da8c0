package io.dcloud.scheduler;

import io.dcloud.node.NodeStatus;
import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Quantities;
import io.dcloud.resources.Resources;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.LongFunction;
import java.util.function.ToLongFunction;
import java.util.stream.Collectors;

/**
 * The placement policy, kept pure like Nomad's scheduler: a pipeline of feasibility checks removes
 * the nodes that cannot take the request now, then a ranking picks one of the rest. No I/O, no
 * clock, no randomness: the same inputs always give the same decision, so the singleton can replay
 * it and tests can pin it.
 *
 * <p>"Free" means capacity minus the scheduler's own reservations (authoritative, unlike gossiped
 * usage), so two placements in a row never overcommit a node.
 */
public final class Placement {

  /** How to choose among the nodes that fit. */
  public enum Policy {
    /** The seeds' "most available node": spread load, leave the most room on the chosen node. */
    SPREAD,
    /** Fill nodes up before using others, leaving whole nodes free for large requests. */
    BINPACK
  }

  /** A "why not now" reason names at most this many nodes, so a big cluster gives a short message. */
  private static final int MAX_NODES_NAMED = 3;

  private static final Comparator<NodeCandidate> BY_NODE_ID = Comparator.comparing(c -> c.status().nodeId());

  private Placement() {}

  /**
   * Chooses a node for {@code request}: {@code Fits} with the node and its allocated GPU UUIDs,
   * {@code NotNow} when some node could hold it once capacity frees (or comes back), {@code Never}
   * when no known node could ever hold it.
   */
  public static PlacementDecision decide(
      PlacementRequest request, Collection<NodeCandidate> nodes, Policy policy) {
    return decide(request, nodes, policy, true);
  }

  /**
   * {@code datasetLocality}: among the nodes that fit, prefer those whose cache holds more of the
   * request's dataset versions (see {@link DatasetLocality}), before the policy's ranking; the
   * decision's reason then says so.
   */
  public static PlacementDecision decide(
      PlacementRequest request, Collection<NodeCandidate> nodes, Policy policy, boolean datasetLocality) {
    if (nodes.isEmpty()) {
      return new PlacementDecision.NotNow("no worker node is up yet");
    }
    Ask ask = Ask.of(request);
    List<NodeCandidate> sorted = nodes.stream().sorted(BY_NODE_ID).toList();

    List<Option> feasible = new ArrayList<>();
    Map<String, List<String>> rejections = new LinkedHashMap<>();
    for (NodeCandidate node : sorted) {
      Optional<String> rejection = firstRejection(node, ask);
      if (rejection.isPresent()) {
        rejections.computeIfAbsent(rejection.get(), r -> new ArrayList<>()).add(node.status().nodeId());
      } else {
        feasible.add(new Option(node, score(node, ask)));
      }
    }
    if (!feasible.isEmpty()) {
      return fits(feasible, policy, ask, datasetLocality ? DatasetLocality.of(request, sorted) : DatasetLocality.NONE);
    }
    Optional<String> never = neverReason(sorted, ask);
    if (never.isPresent()) {
      return new PlacementDecision.Never(never.get());
    }
    return new PlacementDecision.NotNow("no node has room now: " + describe(rejections));
  }

  /**
   * Like {@link #decide}, for large clusters: looks at the nodes in a fixed rotation that starts
   * at a position derived from the environment id, and ranks only the first {@code limit} nodes
   * that fit (Nomad's scheduler does the same with its "limit" of scored nodes), so a placement
   * costs {@code limit} checks however many nodes there are, and requests spread over the cluster.
   * Deterministic like {@code decide}. {@code sortedNodes} must be sorted by node id (the rotation
   * is over that order) and is read through {@code get}, so it may build candidates lazily. When
   * no node fits, the whole cluster is analysed as {@code decide} does, for the reason.
   */
  public static PlacementDecision decideAmong(
      PlacementRequest request, List<NodeCandidate> sortedNodes, Policy policy, int limit) {
    return decideAmong(request, sortedNodes, policy, limit, true);
  }

  /**
   * {@code datasetLocality} as for {@link #decide}: the nodes holding a version of a dataset the
   * request names are ranked too, wherever they are in the rotation. Finding them looks at every
   * node's gossiped list, so only requests that name datasets pay for it.
   */
  public static PlacementDecision decideAmong(
      PlacementRequest request, List<NodeCandidate> sortedNodes, Policy policy, int limit, boolean datasetLocality) {
    int n = sortedNodes.size();
    if (n == 0 || limit <= 0 || n <= limit) {
      return decide(request, sortedNodes, policy, datasetLocality);
    }
    Ask ask = Ask.of(request);
    int start = Math.floorMod(request.environmentId() == null ? 0 : request.environmentId().hashCode(), n);
    List<Option> feasible = new ArrayList<>(limit);
    for (int i = 0; i < n && feasible.size() < limit; i++) {
      NodeCandidate node = sortedNodes.get((start + i) % n);
      if (firstRejection(node, ask).isEmpty()) {
        feasible.add(new Option(node, score(node, ask)));
      }
    }
    DatasetLocality locality = DatasetLocality.NONE;
    if (datasetLocality && DatasetLocality.namesDatasets(request)) {
      List<NodeCandidate> holders =
          sortedNodes.stream().filter(node -> DatasetLocality.holdsAnyOf(request, node.status())).toList();
      locality = DatasetLocality.of(request, holders);
      Set<String> ranked = feasible.stream().map(o -> o.node.status().nodeId()).collect(Collectors.toSet());
      holders.stream()
          .filter(node -> !ranked.contains(node.status().nodeId()) && firstRejection(node, ask).isEmpty())
          .forEach(node -> feasible.add(new Option(node, score(node, ask))));
    }
    if (feasible.isEmpty()) {
      return decide(request, sortedNodes, policy, datasetLocality);
    }
    return fits(feasible, policy, ask, locality);
  }

  /**
   * The policy's choice among the nodes that fit, after data locality narrowed them to those
   * holding the most of the request's dataset versions. Locality is the reason only when it
   * narrowed: when every node holds as much, the policy decided.
   */
  private static PlacementDecision fits(List<Option> feasible, Policy policy, Ask ask, DatasetLocality locality) {
    List<Option> candidates = locality.preferred(feasible, o -> o.node.status());
    Option best = choose(candidates, policy == null ? Policy.SPREAD : policy);
    boolean narrowed = candidates.size() < feasible.size();
    String reason = narrowed ? DatasetLocality.reason(locality.heldBy(best.node.status())) : null;
    return new PlacementDecision.Fits(best.node.status().nodeId(), allocateGpus(best.node, ask), reason);
  }

  // ---------------------------------------------------------------- the request

  /** The request with its nulls resolved, and the GPU model folded to lower case once. */
  private record Ask(Resources resources, String gpuModel, Map<String, String> constraints) {
    static Ask of(PlacementRequest request) {
      Resources r = request.resources() == null ? Resources.NONE : request.resources();
      String model = r.gpuModel() == null || r.gpuModel().isBlank() ? null : r.gpuModel().toLowerCase(Locale.ROOT);
      Map<String, String> constraints = request.constraints() == null ? Map.of() : request.constraints();
      return new Ask(r, model, constraints);
    }

    boolean wantsGpus() {
      return resources.gpus() > 0;
    }
  }

  // ---------------------------------------------------------------- feasibility

  /** One filter of the pipeline: the reason the node cannot take the request now, or empty. */
  private interface FeasibilityCheck {
    Optional<String> reject(NodeCandidate node, Ask ask);
  }

  /** Cheapest and most decisive first: the first failing check is the reason reported for a node. */
  private static final List<FeasibilityCheck> PIPELINE =
      List.of(
          Placement::checkSchedulable,
          Placement::checkRuntime,
          Placement::checkConstraints,
          Placement::checkGpus,
          dimension("cpu", Resources::milliCpus, Quantities::describeCores),
          dimension("memory", Resources::memoryBytes, Quantities::describeBytes),
          dimension("storage", Resources::storageBytes, Quantities::describeBytes));

  private static Optional<String> firstRejection(NodeCandidate node, Ask ask) {
    for (FeasibilityCheck check : PIPELINE) {
      Optional<String> reason = check.reject(node, ask);
      if (reason.isPresent()) {
        return reason;
      }
    }
    return Optional.empty();
  }

  private static Optional<String> checkSchedulable(NodeCandidate node, Ask ask) {
    return node.schedulable() ? Optional.empty() : Optional.of("not schedulable (cordoned or draining)");
  }

  private static Optional<String> checkRuntime(NodeCandidate node, Ask ask) {
    return node.status().runtimeAvailable() ? Optional.empty() : Optional.of("container runtime unavailable");
  }

  private static Optional<String> checkConstraints(NodeCandidate node, Ask ask) {
    return hasLabels(node.status(), ask.constraints)
        ? Optional.empty()
        : Optional.of("labels do not match " + labels(ask.constraints));
  }

  private static Optional<String> checkGpus(NodeCandidate node, Ask ask) {
    if (!ask.wantsGpus() || freeGpus(node, ask).size() >= ask.resources.gpus()) {
      return Optional.empty();
    }
    return Optional.of("not enough free " + gpuNoun(ask) + " (asks for " + sayGpus(ask.resources.gpus()) + ")");
  }

  private static FeasibilityCheck dimension(
      String name, ToLongFunction<Resources> amount, LongFunction<String> say) {
    return (node, ask) -> {
      long asked = amount.applyAsLong(ask.resources);
      return free(node, amount) >= asked
          ? Optional.empty()
          : Optional.of("not enough free " + name + " (asks for " + say.apply(asked) + ")");
    };
  }

  private static long free(NodeCandidate node, ToLongFunction<Resources> amount) {
    return amount.applyAsLong(capacity(node.status())) - amount.applyAsLong(reserved(node));
  }

  /** The node's usable devices matching the requested model that no environment holds, by index. */
  private static List<GpuDevice> freeGpus(NodeCandidate node, Ask ask) {
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
  private static List<GpuDevice> matchingGpus(NodeStatus status, Ask ask) {
    if (status.gpus() == null || status.gpus().isEmpty()) {
      return List.of();
    }
    return status.gpus().stream()
        .filter(gpu -> gpu.uuid() != null)
        .filter(gpu -> ask.gpuModel == null
            || (gpu.name() != null && gpu.name().toLowerCase(Locale.ROOT).contains(ask.gpuModel)))
        .sorted(Comparator.comparingInt(GpuDevice::index))
        .toList();
  }

  private static boolean hasLabels(NodeStatus status, Map<String, String> constraints) {
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

  // ---------------------------------------------------------------- ranking

  private record Option(NodeCandidate node, double score) {}

  /**
   * The share of the node left free after placing the request: the mean of the free CPU and memory
   * fractions, and of the free GPU fraction when GPUs are asked for (GPU-less requests should not
   * be steered by GPUs they do not use).
   */
  private static double score(NodeCandidate node, Ask ask) {
    Resources capacity = capacity(node.status());
    double cpu = fractionLeft(free(node, Resources::milliCpus) - ask.resources.milliCpus(), capacity.milliCpus());
    double memory =
        fractionLeft(free(node, Resources::memoryBytes) - ask.resources.memoryBytes(), capacity.memoryBytes());
    if (!ask.wantsGpus()) {
      return (cpu + memory) / 2;
    }
    double gpus =
        fractionLeft(freeGpus(node, ask).size() - ask.resources.gpus(), matchingGpus(node.status(), ask).size());
    return (cpu + memory + gpus) / 3;
  }

  private static double fractionLeft(long left, long capacity) {
    return capacity <= 0 ? 0 : (double) left / capacity;
  }

  /** SPREAD takes the highest score, BINPACK the lowest; equal scores go to the smallest node id. */
  private static Option choose(List<Option> feasible, Policy policy) {
    Comparator<Option> byScore = Comparator.comparingDouble(Option::score);
    if (policy == Policy.SPREAD) {
      byScore = byScore.reversed();
    }
    return feasible.stream()
        .min(byScore.thenComparing(o -> o.node.status().nodeId()))
        .orElseThrow();
  }

  /** The lowest-index free devices matching the model, returned by UUID. */
  private static List<String> allocateGpus(NodeCandidate node, Ask ask) {
    if (!ask.wantsGpus()) {
      return List.of();
    }
    return freeGpus(node, ask).stream().limit(ask.resources.gpus()).map(GpuDevice::uuid).toList();
  }

  // ---------------------------------------------------------------- never

  /** One dimension as the "never" analysis sees it: a node's total and how to say it. */
  private record Dimension(String name, ToLongFunction<NodeStatus> total, ToLongFunction<Ask> asked,
      LongFunction<String> say) {}

  /**
   * Why no known node could ever hold the request — looking at totals, ignoring reservations,
   * schedulability and runtime health, which all change — or empty when some node could.
   */
  private static Optional<String> neverReason(List<NodeCandidate> nodes, Ask ask) {
    List<NodeStatus> labelled =
        nodes.stream().map(NodeCandidate::status).filter(s -> hasLabels(s, ask.constraints)).toList();
    if (labelled.isEmpty()) {
      return Optional.of("no node has the labels " + labels(ask.constraints));
    }
    if (ask.wantsGpus() && ask.gpuModel != null
        && labelled.stream().allMatch(s -> matchingGpus(s, ask).isEmpty())) {
      return Optional.of("no node has a GPU whose name contains \"" + ask.resources.gpuModel() + "\"");
    }
    List<Dimension> dimensions =
        List.of(
            new Dimension("GPUs", s -> matchingGpus(s, ask).size(), a -> a.resources.gpus(), Placement::sayGpus),
            new Dimension("cpu", s -> capacity(s).milliCpus(), a -> a.resources.milliCpus(),
                Quantities::describeCores),
            new Dimension("memory", s -> capacity(s).memoryBytes(), a -> a.resources.memoryBytes(),
                b -> Quantities.describeBytes(b) + " memory"),
            new Dimension("storage", s -> capacity(s).storageBytes(), a -> a.resources.storageBytes(),
                b -> Quantities.describeBytes(b) + " storage"));
    for (Dimension dimension : dimensions) {
      long asked = dimension.asked.applyAsLong(ask);
      NodeStatus largest =
          labelled.stream()
              .max(Comparator.comparingLong(dimension.total).thenComparing(NodeStatus::nodeId,
                  Comparator.reverseOrder()))
              .orElseThrow();
      if (asked > dimension.total.applyAsLong(largest)) {
        String which = ask.constraints.isEmpty() ? "" : " with labels " + labels(ask.constraints);
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

  private static String summary(NodeStatus node, Ask ask, Dimension dimension) {
    Resources capacity = capacity(node);
    String text = sayGpus(matchingGpus(node, ask).size()) + ", " + Quantities.describeCores(capacity.milliCpus())
        + ", " + Quantities.describeBytes(capacity.memoryBytes()) + " memory";
    if (dimension == null || dimension.name.equals("storage")) {
      text += ", " + Quantities.describeBytes(capacity.storageBytes()) + " storage";
    }
    return text;
  }

  private static String summaryOfAsk(Ask ask) {
    Resources r = ask.resources;
    return sayGpus(r.gpus()) + ", " + Quantities.describeCores(r.milliCpus()) + ", "
        + Quantities.describeBytes(r.memoryBytes()) + " memory, " + Quantities.describeBytes(r.storageBytes())
        + " storage";
  }

  // ---------------------------------------------------------------- wording and nulls

  private static String describe(Map<String, List<String>> rejections) {
    return rejections.entrySet().stream()
        .map(e -> e.getKey() + " on " + nodeList(e.getValue()))
        .collect(Collectors.joining("; "));
  }

  private static String nodeList(List<String> nodeIds) {
    String named = String.join(", ", nodeIds.subList(0, Math.min(nodeIds.size(), MAX_NODES_NAMED)));
    int more = nodeIds.size() - MAX_NODES_NAMED;
    return more > 0 ? named + " and " + more + " more" : named;
  }

  private static String sayGpus(long count) {
    return count + (count == 1 ? " GPU" : " GPUs");
  }

  private static String gpuNoun(Ask ask) {
    return ask.gpuModel == null ? "GPUs" : "GPUs matching \"" + ask.resources.gpuModel() + "\"";
  }

  private static String labels(Map<String, String> constraints) {
    return constraints.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
        .collect(Collectors.joining(", "));
  }

  private static Resources capacity(NodeStatus status) {
    return status.capacity() == null ? Resources.NONE : status.capacity();
  }

  private static Resources reserved(NodeCandidate node) {
    return node.reserved() == null ? Resources.NONE : node.reserved();
  }
}
