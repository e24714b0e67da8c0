package io.dcloud.service;

import io.dcloud.environment.EnvironmentView;
import io.dcloud.spec.PublishedPort;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * What each replica's environment last said to its service's entity, by id, and the service's view
 * made of it. Kept in memory only: every replica is asked again at the next look, after a restart
 * too.
 */
final class ReplicaSightings {
  private final Map<String, EnvironmentView> lastSeen = new HashMap<>();

  void saw(EnvironmentView view) {
    lastSeen.put(view.id(), view);
  }

  void forget(String id) {
    lastSeen.remove(id);
  }

  void clear() {
    lastSeen.clear();
  }

  /** The replicas last seen ready (after a restart none, until they answer). */
  Set<String> ready() {
    return lastSeen.values().stream().filter(view -> Boolean.TRUE.equals(view.ready())).map(EnvironmentView::id)
        .collect(Collectors.toSet());
  }

  /** How many of {@code replicas} were last seen ready. */
  int readyOf(List<ServiceState.Replica> replicas) {
    return (int) replicas.stream().map(r -> lastSeen.get(r.id()))
        .filter(view -> view != null && Boolean.TRUE.equals(view.ready())).count();
  }

  /** The service {@code name} as its entity answers for it; {@code load}: what its autoscaling last saw. */
  ServiceView view(String name, ServiceState state, ServiceView.Load load) {
    ServiceDefinition d = state.definition();
    List<ServiceView.Replica> replicas = state.live().stream().map(r -> {
      EnvironmentView seen = lastSeen.get(r.id());
      return seen == null
          ? new ServiceView.Replica(r.id(), null, null, null, r.runs())
          : new ServiceView.Replica(r.id(), seen.node(), seen.status().name(), seen.ready(), r.runs(),
              PublishedPort.tcp(seen.ports(), d.port()).orElse(null), seen.reason());
    }).toList();
    return new ServiceView(name, d.kind(), state.owner(), state.version(), state.desired(), d.port(), d.readiness(),
        replicas, state.deleting(), d.batching(), d.bindings(), d.spec().resources(), d.rollingSurge(),
        state.replicas().size(), d.spread(), d.autoscaling(), d.autoscaling() == null ? null : load);
  }
}
