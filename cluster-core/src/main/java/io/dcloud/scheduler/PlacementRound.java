package io.dcloud.scheduler;

import io.dcloud.node.NodeStatus;
import io.dcloud.resources.Resources;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * One round of placement decisions (a batch of new requests, or a pass over the queue) against the
 * scheduler's state and the gossiped nodes. Reservations decided in the round are not persisted
 * yet, so the round counts them as taken: two requests never get the same room. Each node touched
 * holds its total (state plus round), so building a candidate costs no copying.
 */
final class PlacementRound {
  private final SchedulerState state;
  private final GossipedNodes nodes;
  private final SchedulerSettings settings;
  private final Map<String, Resources> reserved = new HashMap<>();
  private final Map<String, Set<String>> gpus = new HashMap<>();
  /** Environments of each group (by node, then group) the round placed. */
  private final Map<String, Map<String, Integer>> groups = new HashMap<>();

  PlacementRound(SchedulerState state, GossipedNodes nodes, SchedulerSettings settings) {
    this.state = state;
    this.nodes = nodes;
    this.settings = settings;
  }

  /** Decides one request; a fitting one is counted as taken for the rest of the round. */
  private PlacementDecision decide(PlacementRequest request) {
    PlacementDecision decision = Placement.decideAmong(request, candidatesFor(request), settings.policy(),
        settings.candidatesPerPlacement(), settings.datasetLocality());
    if (decision instanceof PlacementDecision.Fits fits) {
      take(fits.nodeId(), request.resources(), fits.gpuUuids(), request.group());
    }
    return decision;
  }

  /**
   * The decisions on up to {@code max} pending requests, taken off {@code pending} in arrival order:
   * reservations and queue entries to persist (as one event), and refusals (persisted by no one).
   * {@code answered} tells a request's environment what it already has, if anything, and says so.
   */
  Batch decideBatch(Iterator<PlacementRequest> pending, int max, Predicate<String> answered) {
    Batch batch = new Batch(new ArrayList<>(), new ArrayList<>(), new LinkedHashMap<>(), new LinkedHashMap<>());
    while (pending.hasNext() && batch.reserved().size() + batch.enqueued().size() < max) {
      PlacementRequest request = pending.next();
      pending.remove();
      String id = request.environmentId();
      if (answered.test(id)) {
        continue;
      }
      PlacementDecision decision = decide(request);
      if (decision instanceof PlacementDecision.Fits fits) {
        batch.reserved().add(new Scheduler.Reserved(
            id, fits.nodeId(), request.resources(), fits.gpuUuids(), fits.reason(), request.group()));
      } else if (decision instanceof PlacementDecision.NotNow notNow) {
        batch.enqueued().add(new Scheduler.Enqueued(request));
        batch.queued().put(id, notNow.reason());
      } else {
        batch.refused().put(id, ((PlacementDecision.Never) decision).reason());
      }
    }
    return batch;
  }

  /** {@code queued} and {@code refused}: the reason by environment id. */
  record Batch(
      List<Scheduler.Reserved> reserved, List<Scheduler.Enqueued> enqueued, Map<String, String> queued, Map<String, String> refused) {
    /** What to persist, in one event. */
    Scheduler.PlacementsDecided decided() {
      return new Scheduler.PlacementsDecided(reserved, enqueued);
    }
  }

  /**
   * Tries every queued request in arrival order against the current capacity, reserving as it
   * goes. Later requests may pass an earlier one that does not fit yet (backfill), so one large
   * request does not block small ones.
   */
  List<Scheduler.Reserved> fromQueue() {
    List<Scheduler.Reserved> placements = new ArrayList<>();
    for (PlacementRequest request : state.queue()) {
      if (decide(request) instanceof PlacementDecision.Fits fits) {
        placements.add(new Scheduler.Reserved(
            request.environmentId(), fits.nodeId(), request.resources(), fits.gpuUuids(), fits.reason(), request.group()));
      }
    }
    return placements;
  }

  /** Could any known node ever hold the request (ranking every node, reserving nothing)? */
  PlacementDecision feasibility(PlacementRequest request) {
    Map<String, Integer> domains = groupPeersByDomain(request.group());
    return Placement.decide(request, nodes.lazily(status -> candidate(status, request.group(), domains)),
        settings.policy(), settings.datasetLocality());
  }

  /**
   * Where the request would go now, and why, ranking every node as {@link #feasibility} does:
   * nothing is reserved (the round is thrown away) and nothing is queued.
   */
  PlacementPreview preview(PlacementRequest request) {
    PlacementDecision decision = feasibility(request);
    if (decision instanceof PlacementDecision.Fits fits) {
      NodeCandidate chosen = candidate(nodes.get(fits.nodeId()), request.group(), groupPeersByDomain(request.group()));
      // When data locality chose the node, that is the reason a user needs to hear.
      String why = fits.reason() != null
          ? fits.reason()
          : PlacementExplanation.whyFits(request, chosen, settings.policy(), fits.gpuUuids());
      return new PlacementPreview(PlacementPreview.Outcome.FITS, fits.nodeId(), fits.gpuUuids(), why);
    }
    if (decision instanceof PlacementDecision.NotNow notNow) {
      return new PlacementPreview(PlacementPreview.Outcome.QUEUED, null, List.of(), notNow.reason());
    }
    return new PlacementPreview(
        PlacementPreview.Outcome.NEVER, null, List.of(), ((PlacementDecision.Never) decision).reason());
  }

  private void take(String nodeId, Resources resources, List<String> gpuUuids, String group) {
    reserved.put(nodeId, reservedOn(nodeId).plus(resources));
    if (!gpuUuids.isEmpty()) {
      gpus.computeIfAbsent(nodeId, id -> new HashSet<>(state.gpusInUseOn(id))).addAll(gpuUuids);
    }
    if (group != null) {
      groups.computeIfAbsent(nodeId, id -> new HashMap<>()).merge(group, 1, Integer::sum);
    }
  }

  private int groupCountOn(String nodeId, String group) {
    if (group == null) {
      return 0;
    }
    Map<String, Integer> placed = groups.get(nodeId);
    return state.groupCountOn(nodeId, group) + (placed == null ? 0 : placed.getOrDefault(group, 0));
  }

  private Resources reservedOn(String nodeId) {
    Resources total = reserved.get(nodeId);
    return total == null ? state.reservedOn(nodeId) : total;
  }

  private Set<String> gpusInUseOn(String nodeId) {
    Set<String> total = gpus.get(nodeId);
    return total == null ? state.gpusInUseOn(nodeId) : total;
  }

  /** A pinned request sees only its node while that node is known; once it is gone, any node will do. */
  private List<NodeCandidate> candidatesFor(PlacementRequest request) {
    String pinned = request.pinnedNode();
    Map<String, Integer> domains = groupPeersByDomain(request.group());
    if (pinned == null || !nodes.knows(pinned)) {
      return nodes.lazily(status -> candidate(status, request.group(), domains));
    }
    return List.of(candidate(nodes.get(pinned), request.group(), domains));
  }

  /**
   * How many environments of {@code group} each spread domain (a value of the replica-spread
   * label; "" for nodes without it) holds: a walk over the nodes, for a service's replicas only.
   */
  private Map<String, Integer> groupPeersByDomain(String group) {
    if (group == null || settings.replicaSpreadLabel().isEmpty()) {
      return Map.of();
    }
    Map<String, Integer> counts = new HashMap<>();
    for (NodeStatus status : nodes.lazily(status -> status)) {
      int held = groupCountOn(status.nodeId(), group);
      if (held > 0) {
        counts.merge(domainOf(status), held, Integer::sum);
      }
    }
    return counts;
  }

  private String domainOf(NodeStatus status) {
    String value = status.labels() == null ? null : status.labels().get(settings.replicaSpreadLabel());
    return value == null ? "" : value;
  }

  private NodeCandidate candidate(NodeStatus status, String group, Map<String, Integer> domains) {
    String id = status.nodeId();
    boolean schedulable = state.schedulable(id) && nodes.available(status);
    int inDomain = domains.isEmpty() ? 0 : domains.getOrDefault(domainOf(status), 0);
    return new NodeCandidate(status, reservedOn(id), gpusInUseOn(id), schedulable, groupCountOn(id, group), inDomain);
  }
}
