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

  /** {@code decided} (for {@code state}), followed by what {@link #adjust} does after them; empty when none is decided. */
  static List<Event> after(ServiceState state, List<Event> decided, Set<String> ready, Instant at) {
    if (decided.isEmpty()) {
      return List.of();
    }
    List<Event> events = new ArrayList<>(decided);
    ServiceState changed = state;
    for (Event event : decided) {
      changed = changed.apply(event);
    }
    events.addAll(adjust(changed, ready, at));
    return events;
  }

  /**
   * The events that bring the live replicas to what is desired, all of the current version (none
   * while it is deleted: all go). {@code ready}: the ids of the replicas last seen ready.
   *
   * <p>While replicas of an earlier version remain it rolls, one replica at a time, never holding
   * more environments than the desired count and the definition's surge (those being deleted
   * included, so a quota that had room for them is never exceeded). With a surge of one, a replica of
   * the current version is added beyond the desired count and an outdated one is retired only when a
   * ready current one stands in for it, so the ready count never drops while it rolls. With none, an
   * outdated replica is retired first and its replacement added once it is gone: one replica fewer
   * serves at a time, for a quota or a cluster without room for one more (every GPU taken).
   */
  static List<Event> adjust(ServiceState state, Set<String> ready, Instant at) {
    List<Event> events = new ArrayList<>();
    if (state.deleting()) {
      state.live().forEach(r -> events.add(new ServiceEntity.ReplicaRetiring(r.id(), "service deleted", at)));
      if (state.replicas().isEmpty()) {
        events.add(new ServiceEntity.Deleted(at));
      }
      return events;
    }
    List<ServiceState.Replica> current = state.current();
    List<ServiceState.Replica> outdated = new ArrayList<>(state.outdated());
    long currentReady = current.stream().filter(r -> ready.contains(r.id())).count();
    // Those that serve nothing go first, then the newest.
    outdated.sort(Comparator.comparing((ServiceState.Replica r) -> ready.contains(r.id()))
        .thenComparing(Comparator.comparingInt(ServiceState.Replica::ordinal).reversed()));
    while (!outdated.isEmpty() && currentReady + outdated.size() > state.desired()) {
      retire(outdated.remove(0), replacedBy(state), at, events);
    }
    int surge = state.definition().rollingSurge();
    boolean rolling = !outdated.isEmpty();
    int excess = current.size() + outdated.size() - state.desired() - (rolling ? surge : 0);
    // Scaled down while it rolls: the outdated go before the current ones.
    while (excess > 0 && !outdated.isEmpty()) {
      retire(outdated.remove(0), "scaled down", at, events);
      excess--;
    }
    // The newest go first: the oldest have had the longest to become ready.
    current.stream().sorted(Comparator.comparingInt(ServiceState.Replica::ordinal).reversed())
        .limit(Math.max(0, excess))
        .forEach(r -> retire(r, "scaled down", at, events));
    int toAdd = Math.max(0, state.desired() - current.size() - outdated.size());
    if (rolling) {
      // Those being deleted still hold their room (a quota counts them) until they are gone.
      toAdd = Math.min(toAdd, Math.max(0, state.desired() + surge - state.replicas().size()));
    }
    boolean oneUnderWay = current.size() > currentReady;
    boolean noneBeingDeleted = state.replicas().size() == state.live().size() && events.isEmpty();
    if (!outdated.isEmpty() && toAdd == 0 && !oneUnderWay && current.size() < state.desired() && noneBeingDeleted) {
      if (surge > 0) {
        toAdd = 1;
      } else {
        retire(outdated.remove(0), replacedBy(state), at, events);
      }
    }
    for (int ordinal = state.nextOrdinal(); ordinal < state.nextOrdinal() + toAdd; ordinal++) {
      events.add(new ServiceEntity.ReplicaAdded(state.replicaId(ordinal), ordinal, at));
    }
    return events;
  }

  private static String replacedBy(ServiceState state) {
    return "replaced by version " + state.version();
  }

  private static void retire(ServiceState.Replica replica, String reason, Instant at, List<Event> events) {
    events.add(new ServiceEntity.ReplicaRetiring(replica.id(), reason, at));
  }

  /** What a replica's view changes: an ended live one is retired and replaced; a retired one deleted is gone. */
  static List<Event> onView(ServiceState state, EnvironmentView view, Set<String> ready, Instant at) {
    ServiceState.Replica replica = state.replica(view.id());
    if (replica == null) {
      return List.of();
    }
    if (replica.retiring()) {
      return view.status() == EnvironmentStatus.DELETED ? gone(state, view.id(), ready, at) : List.of();
    }
    if (!ENDED.contains(view.status())) {
      // A replica that became ready (or stopped being so) may move a roll on.
      return adjust(state, ready, at);
    }
    List<Event> events = new ArrayList<>();
    ServiceEntity.ReplicaRetiring retiring = new ServiceEntity.ReplicaRetiring(view.id(), "replica " + view.status(), at);
    events.add(retiring);
    events.addAll(adjust(state.apply(retiring), ready, at));
    return events;
  }

  /** A retired replica's environment is gone: the last one of a deleted service ends it. */
  static List<Event> gone(ServiceState state, String environmentId, Set<String> ready, Instant at) {
    ServiceEntity.ReplicaGone gone = new ServiceEntity.ReplicaGone(environmentId, at);
    List<Event> events = new ArrayList<>(List.of(gone));
    events.addAll(adjust(state.apply(gone), ready, at));
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
        s.secretEnv(), s.idleTimeout(), new ServiceBinding(definition.name(), definition.port(), readiness,
            definition.spreadRequired() ? Boolean.TRUE : null));
  }
}
