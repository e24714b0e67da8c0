package io.dcloud.scheduler;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dcloud.resources.Resources;
import io.dcloud.serialization.CborSerializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reservations by environment id (indexed by node), the queue in arrival order, the nodes an
 * operator took out, and the environments told of their node's loss that have not confirmed it
 * yet (node by environment): the scheduler repeats the news until they do, since a message to an
 * entity whose shard was on the lost node can itself be lost.
 *
 * <p>Mutable, for a scheduler that holds a hundred thousand reservations: only the event handler
 * changes it, and snapshots are taken as an immutable {@link SchedulerSnapshot} copy on the actor's
 * thread ({@link BackgroundSnapshots}). Snapshots written before {@link SchedulerSnapshot}
 * existed hold this class itself (as {@code Scheduler$State}); {@link #fromEarlierSnapshot} reads them.
 */
public final class SchedulerState implements CborSerializable {
  /** What the scheduler holds on one node, kept up to date event by event so placement never sums. */
  private static final class NodeLoad {
    private Resources reserved = Resources.NONE;
    private final Set<String> gpus = new HashSet<>();
    private final Set<String> environments = new LinkedHashSet<>();
    /** How many environments of each group (a service's replicas) the node holds. */
    private final Map<String, Integer> groups = new HashMap<>(0);

    void add(String environmentId, Scheduler.Reservation reservation) {
      reserved = reserved.plus(reservation.resources());
      gpus.addAll(reservation.gpuUuids());
      environments.add(environmentId);
      if (reservation.group() != null) {
        groups.merge(reservation.group(), 1, Integer::sum);
      }
    }

    void remove(String environmentId, Scheduler.Reservation reservation) {
      reserved = reserved.minus(reservation.resources());
      reservation.gpuUuids().forEach(gpus::remove);
      environments.remove(environmentId);
      if (reservation.group() != null) {
        groups.computeIfPresent(reservation.group(), (group, count) -> count == 1 ? null : count - 1);
      }
    }
  }

  private final Map<String, Scheduler.Reservation> reservations = new HashMap<>();
  private final Map<String, NodeLoad> loads = new HashMap<>();
  private final Map<String, PlacementRequest> queue = new LinkedHashMap<>();
  private final Set<String> cordoned = new HashSet<>();
  private final Set<String> draining = new HashSet<>();
  private final Map<String, String> unconfirmedLosses = new LinkedHashMap<>();

  SchedulerState reserve(Scheduler.Reserved e) {
    release(e.environmentId());
    Scheduler.Reservation reservation = new Scheduler.Reservation(e.nodeId(), e.resources(), e.gpuUuids(), e.group());
    reservations.put(e.environmentId(), reservation);
    loads.computeIfAbsent(e.nodeId(), id -> new NodeLoad()).add(e.environmentId(), reservation);
    return this;
  }

  SchedulerState decided(Scheduler.PlacementsDecided e) {
    e.reserved().forEach(this::reserve);
    e.enqueued().forEach(queued -> enqueue(queued.request()));
    return this;
  }

  SchedulerState enqueue(PlacementRequest request) {
    queue.put(request.environmentId(), request);
    return this;
  }

  SchedulerState release(String environmentId) {
    Scheduler.Reservation reservation = reservations.remove(environmentId);
    if (reservation != null) {
      loads.get(reservation.nodeId()).remove(environmentId, reservation);
    }
    queue.remove(environmentId);
    return this;
  }

  SchedulerState cordon(String nodeId) {
    cordoned.add(nodeId);
    return this;
  }

  SchedulerState drain(String nodeId) {
    draining.add(nodeId);
    return this;
  }

  SchedulerState uncordon(String nodeId) {
    cordoned.remove(nodeId);
    draining.remove(nodeId);
    return this;
  }

  SchedulerState lose(String nodeId) {
    NodeLoad load = loads.remove(nodeId);
    if (load != null) {
      load.environments.forEach(id -> {
        reservations.remove(id);
        unconfirmedLosses.put(id, nodeId);
      });
    }
    return this;
  }

  SchedulerState lossConfirmed(String environmentId) {
    unconfirmedLosses.remove(environmentId);
    return this;
  }

  Scheduler.Reservation reservation(String environmentId) {
    return reservations.get(environmentId);
  }

  int reservationCount() {
    return reservations.size();
  }

  /** Reservations and queued requests: what a snapshot holds. */
  long size() {
    return reservations.size() + queue.size();
  }

  Collection<PlacementRequest> queue() {
    return queue.values();
  }

  Set<String> draining() {
    return draining;
  }

  Map<String, String> unconfirmedLosses() {
    return unconfirmedLosses;
  }

  boolean schedulable(String nodeId) {
    return !cordoned.contains(nodeId) && !draining.contains(nodeId);
  }

  boolean cordoned(String nodeId) {
    return cordoned.contains(nodeId);
  }

  int queuePosition(String environmentId) {
    if (!queue.containsKey(environmentId)) {
      return 0;
    }
    int position = 1;
    for (String queued : queue.keySet()) {
      if (queued.equals(environmentId)) {
        break;
      }
      position++;
    }
    return position;
  }

  Resources reservedOn(String nodeId) {
    NodeLoad load = loads.get(nodeId);
    return load == null ? Resources.NONE : load.reserved;
  }

  Set<String> gpusInUseOn(String nodeId) {
    NodeLoad load = loads.get(nodeId);
    return load == null ? Set.of() : Collections.unmodifiableSet(load.gpus);
  }

  List<String> environmentsOn(String nodeId) {
    NodeLoad load = loads.get(nodeId);
    return load == null ? List.of() : List.copyOf(load.environments);
  }

  /** How many environments of {@code group} the node holds. */
  int groupCountOn(String nodeId, String group) {
    NodeLoad load = loads.get(nodeId);
    return load == null ? 0 : load.groups.getOrDefault(group, 0);
  }

  int environmentCountOn(String nodeId) {
    NodeLoad load = loads.get(nodeId);
    return load == null ? 0 : load.environments.size();
  }

  SchedulerSnapshot snapshot() {
    List<SchedulerSnapshot.Entry> entries = new ArrayList<>(reservations.size());
    reservations.forEach((id, r) -> entries.add(SchedulerSnapshot.Entry.of(id, r)));
    return new SchedulerSnapshot(entries, List.copyOf(queue.values()), Set.copyOf(cordoned), Set.copyOf(draining),
        Map.copyOf(unconfirmedLosses));
  }

  /**
   * Reads a snapshot written before snapshots became {@link SchedulerSnapshot}s, when the state itself was
   * stored (an immutable record with these fields), so an upgraded scheduler recovers its
   * reservations instead of failing. Never used to write.
   */
  @JsonCreator
  static SchedulerState fromEarlierSnapshot(
      @JsonProperty("reservations") Map<String, Scheduler.Reservation> reservations,
      @JsonProperty("queue") List<PlacementRequest> queue,
      @JsonProperty("cordoned") Set<String> cordoned,
      @JsonProperty("draining") Set<String> draining,
      @JsonProperty("unconfirmedLosses") Map<String, String> unconfirmedLosses) {
    SchedulerState state = new SchedulerState();
    orEmpty(reservations).forEach((id, r) ->
        state.reserve(new Scheduler.Reserved(id, r.nodeId(), r.resources(), r.gpuUuids(), null, r.group())));
    orEmpty(queue).forEach(state::enqueue);
    state.cordoned.addAll(orEmpty(cordoned));
    state.draining.addAll(orEmpty(draining));
    state.unconfirmedLosses.putAll(orEmpty(unconfirmedLosses));
    return state;
  }

  private static <K, V> Map<K, V> orEmpty(Map<K, V> map) {
    return map == null ? Map.of() : map;
  }

  private static <T> Collection<T> orEmpty(Collection<T> items) {
    return items == null ? List.of() : items;
  }

  static SchedulerState of(SchedulerSnapshot snapshot) {
    SchedulerState state = new SchedulerState();
    snapshot.reservations().forEach(entry -> state.reserve(entry.reserved()));
    snapshot.queue().forEach(state::enqueue);
    state.cordoned.addAll(snapshot.cordoned());
    state.draining.addAll(snapshot.draining());
    state.unconfirmedLosses.putAll(snapshot.unconfirmedLosses());
    return state;
  }
}
