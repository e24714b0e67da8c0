package io.dcloud.service;

import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.service.ServiceEntity.Event;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.ServiceBinding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;

/**
 * What a service records to reach what was asked: pure decisions over its state, so the behavior
 * only persists them and then tells the environments ({@link ServiceBehavior#tellEnvironments}).
 */
final class Reconciliation {
  private Reconciliation() {}

  /** A replica that ends so is replaced: the environment itself will not run again on its own. */
  static final Set<EnvironmentStatus> ENDED = Set.of(EnvironmentStatus.FAILED, EnvironmentStatus.LOST, EnvironmentStatus.DELETED);

  /** The events that bring the number of live replicas to what is desired (none while it is deleted: all go). */
  static List<Event> adjust(ServiceState state, Instant at) {
    List<Event> events = new ArrayList<>();
    List<ServiceState.Replica> live = state.live();
    if (state.deleting()) {
      live.forEach(r -> events.add(new ServiceEntity.ReplicaRetiring(r.id(), "service deleted", at)));
      if (state.replicas().isEmpty()) {
        events.add(new ServiceEntity.Deleted(at));
      }
      return events;
    }
    for (int ordinal = state.nextOrdinal(); ordinal < state.nextOrdinal() + state.desired() - live.size(); ordinal++) {
      events.add(new ServiceEntity.ReplicaAdded(state.replicaId(ordinal), ordinal, at));
    }
    // The newest go first: the oldest have had the longest to become ready.
    live.stream().sorted(Comparator.comparingInt(ServiceState.Replica::ordinal).reversed())
        .limit(Math.max(0, live.size() - state.desired()))
        .forEach(r -> events.add(new ServiceEntity.ReplicaRetiring(r.id(), "scaled down", at)));
    return events;
  }

  /** What a replica's view changes: an ended live one is retired and replaced; a retired one deleted is gone. */
  static List<Event> onView(ServiceState state, EnvironmentView view, Instant at) {
    ServiceState.Replica replica = state.replica(view.id());
    if (replica == null) {
      return List.of();
    }
    if (replica.retiring()) {
      return view.status() == EnvironmentStatus.DELETED ? gone(state, view.id(), at) : List.of();
    }
    if (!ENDED.contains(view.status())) {
      return List.of();
    }
    List<Event> events = new ArrayList<>();
    ServiceEntity.ReplicaRetiring retiring = new ServiceEntity.ReplicaRetiring(view.id(), "replica " + view.status(), at);
    events.add(retiring);
    events.addAll(adjust(state.apply(retiring), at));
    return events;
  }

  /** A retired replica's environment is gone: the last one of a deleted service ends it. */
  static List<Event> gone(ServiceState state, String environmentId, Instant at) {
    ServiceEntity.ReplicaGone gone = new ServiceEntity.ReplicaGone(environmentId, at);
    List<Event> events = new ArrayList<>(List.of(gone));
    events.addAll(adjust(state.apply(gone), at));
    return events;
  }

  /**
   * The spec of replica {@code ordinal}: the service's, named after the service and the ordinal, and
   * bound to the service (its node probes readiness, its view names the service).
   */
  static EnvironmentSpec replicaSpec(ServiceDefinition definition, int ordinal) {
    EnvironmentSpec s = definition.spec();
    String readiness = definition.readiness() == null ? null : definition.readiness().path();
    return new EnvironmentSpec(definition.name() + "-" + ordinal, s.version(), s.os(), s.osRelease(), s.languages(),
        s.resources(), s.datasets(), s.ports(), s.storage(), s.command(), s.env(), s.constraints(), s.restartPolicy(),
        s.secretEnv(), s.idleTimeout(), new ServiceBinding(definition.name(), definition.port(), readiness));
  }
}
