package io.dcloud.scheduler;

import static io.dcloud.scheduler.FeasibilityChecks.capacity;
import static io.dcloud.scheduler.FeasibilityChecks.firstRejection;
import static io.dcloud.scheduler.FeasibilityChecks.free;
import static io.dcloud.scheduler.FeasibilityChecks.freeGpus;
import static io.dcloud.scheduler.FeasibilityChecks.matchingGpus;

import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Resources;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.ToIntFunction;
import java.util.stream.Collectors;

/**
 * The placement policy, kept pure like Nomad's scheduler: a pipeline of feasibility checks removes
 * the nodes that cannot take the request now, then a ranking picks one of the rest. No I/O, no
 * clock, no randomness: the same inputs always give the same decision, so the singleton can replay
 * it and tests can pin it.
 *
 * <p>"Free" means capacity minus the scheduler's own reservations (authoritative, unlike gossiped
 * usage), so two placements in a row never overcommit a node.
 *
 * <p>The checks are {@link FeasibilityChecks}; when none passes anywhere, {@link NeverPlaceable}
 * tells a request that must wait from one that never fits.
 */
public final class Placement {

  /** How to choose among the nodes that fit. */
  public enum Policy {
    /** The seeds' "most available node": spread load, leave the most room on the chosen node. */
    SPREAD,
    /** Fill nodes up before using others, leaving whole nodes free for large requests. */
    BINPACK
  }

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
    PlacementAsk ask = PlacementAsk.of(request);
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
    Optional<String> never = NeverPlaceable.reason(sorted, ask);
    if (never.isPresent()) {
      return new PlacementDecision.Never(never.get());
    }
    return new PlacementDecision.NotNow("no node has room now: " + PlacementWording.describe(rejections));
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
    PlacementAsk ask = PlacementAsk.of(request);
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
   * The policy's choice among the nodes that fit, after two narrowings: to the nodes holding the
   * fewest replicas of the request's service (its group), so that losing a node loses as few of a
   * service's replicas as the cluster allows, whatever the policy (Kubernetes spreads a
   * Deployment's pods over nodes, Nomad a job's allocations, alike); then to those holding the most
   * of its dataset versions. Spreading comes first: a service whose replicas all sit on the node
   * that cached its model is down with that node. Each is the reason only when it narrowed.
   */
  private static PlacementDecision fits(
      List<Option> feasible, Policy policy, PlacementAsk ask, DatasetLocality locality) {
    List<Option> apartInDomains = fewest(feasible, NodeCandidate::groupPeersInDomain);
    List<Option> spread = fewest(apartInDomains, NodeCandidate::groupPeers);
    List<Option> candidates = locality.preferred(spread, o -> o.node.status());
    Option best = choose(candidates, policy == null ? Policy.SPREAD : policy);
    String reason = candidates.size() < spread.size() ? DatasetLocality.reason(locality.heldBy(best.node.status()))
        : apartInDomains.size() < feasible.size()
            ? "spreads its service's replicas: its zone holds " + best.node.groupPeersInDomain() + " of them"
        : spread.size() < apartInDomains.size()
            ? "spreads its service's replicas: holds " + best.node.groupPeers() + " of them"
        : null;
    return new PlacementDecision.Fits(best.node.status().nodeId(), allocateGpus(best.node, ask), reason);
  }

  /** The options whose {@code count} is the least (all of them when it is the same for all). */
  private static List<Option> fewest(List<Option> options, ToIntFunction<NodeCandidate> count) {
    int fewest = Integer.MAX_VALUE;
    int most = 0;
    for (Option option : options) {
      fewest = Math.min(fewest, count.applyAsInt(option.node));
      most = Math.max(most, count.applyAsInt(option.node));
    }
    if (fewest == most) {
      return options;
    }
    int least = fewest;
    return options.stream().filter(option -> count.applyAsInt(option.node) == least).toList();
  }

  // ---------------------------------------------------------------- ranking

  private record Option(NodeCandidate node, double score) {}

  /**
   * The share of the node left free after placing the request: the mean of the free CPU and memory
   * fractions, and of the free GPU fraction when GPUs are asked for (GPU-less requests should not
   * be steered by GPUs they do not use).
   */
  private static double score(NodeCandidate node, PlacementAsk ask) {
    Resources capacity = capacity(node.status());
    double cpu = fractionLeft(free(node, Resources::milliCpus) - ask.resources().milliCpus(), capacity.milliCpus());
    double memory =
        fractionLeft(free(node, Resources::memoryBytes) - ask.resources().memoryBytes(), capacity.memoryBytes());
    if (!ask.wantsGpus()) {
      return (cpu + memory) / 2;
    }
    double gpus =
        fractionLeft(freeGpus(node, ask).size() - ask.resources().gpus(), matchingGpus(node.status(), ask).size());
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
  private static List<String> allocateGpus(NodeCandidate node, PlacementAsk ask) {
    if (!ask.wantsGpus()) {
      return List.of();
    }
    return freeGpus(node, ask).stream().limit(ask.resources().gpus()).map(GpuDevice::uuid).toList();
  }
}
