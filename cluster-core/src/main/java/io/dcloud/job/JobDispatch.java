package io.dcloud.job;

import io.dcloud.service.ServiceView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * Which ready replica gets which task, and what is in flight. In memory only: after a restart
 * nothing is in flight, so every task not done is sent again. Each replica holds at most {@code
 * perReplica} tasks at once; a task goes to the replica holding fewest (ties: the one given fewest
 * tasks by this job so far, so the work spreads), and a retried task waits for a replica it has not
 * failed on while one is ready.
 *
 * <p>Each look goes only as far as the replicas have room: every task before {@code nextFresh} is
 * done, in flight, or {@code returned} (failed, or waiting for a replica it has not failed on), so
 * a job of many tasks is not scanned whole each time one of them settles.
 */
final class JobDispatch {
  /** A task sent (or being stored) as its {@code attempt}-th assignment. */
  record InFlight(String replica, int attempt) {}

  record Assignment(int task, String replica, String node, int attempt) {}

  private final int perReplica;
  private final Map<Integer, InFlight> inFlight = new HashMap<>();
  /** Tasks before {@link #nextFresh} that are neither done nor in flight, in input order. */
  private final TreeSet<Integer> returned = new TreeSet<>();
  /** The first task this incarnation has not looked at yet. */
  private int nextFresh;

  JobDispatch(int perReplica) {
    this.perReplica = perReplica;
  }

  /** The next assignments: pending tasks in input order, while a ready replica has room. */
  List<Assignment> assign(JobState state, List<ServiceView.Replica> ready) {
    List<Assignment> assignments = new ArrayList<>();
    if (state.status() != JobStatus.RUNNING || ready.isEmpty()) {
      return assignments;
    }
    Map<String, Integer> holding = new HashMap<>();
    ready.forEach(r -> holding.put(r.id(), 0));
    inFlight.values().forEach(f -> holding.computeIfPresent(f.replica(), (id, n) -> n + 1));
    Map<String, Integer> given = new HashMap<>();
    state.replicas().forEach(w -> given.put(w.replica(), w.tasks()));
    // The returned tasks all come before the fresh ones: input order either way.
    for (Iterator<Integer> waiting = returned.iterator(); waiting.hasNext() && room(holding); ) {
      JobState.Task task = state.tasks().get(waiting.next());
      if (task.done()) {
        waiting.remove();
        continue;
      }
      ServiceView.Replica chosen = choose(task, ready, holding, given);
      if (chosen != null) {
        waiting.remove();
        assignments.add(assigned(task, chosen, holding, given));
      }
    }
    while (nextFresh < state.tasks().size() && room(holding)) {
      JobState.Task task = state.tasks().get(nextFresh++);
      if (task.done() || inFlight.containsKey(task.index())) {
        continue;
      }
      ServiceView.Replica chosen = choose(task, ready, holding, given);
      if (chosen == null) {
        returned.add(task.index());
      } else {
        assignments.add(assigned(task, chosen, holding, given));
      }
    }
    return assignments;
  }

  private boolean room(Map<String, Integer> holding) {
    return holding.values().stream().anyMatch(n -> n < perReplica);
  }

  /** The replica for {@code task}: a retry waits for a replica it has not failed on, as long as one is ready. */
  private ServiceView.Replica choose(JobState.Task task, List<ServiceView.Replica> ready, Map<String, Integer> holding,
      Map<String, Integer> given) {
    List<ServiceView.Replica> untried = ready.stream().filter(r -> !task.failedOn().contains(r.id())).toList();
    return (untried.isEmpty() ? ready : untried).stream()
        .filter(r -> holding.get(r.id()) < perReplica)
        .min(Comparator.<ServiceView.Replica>comparingInt(r -> holding.get(r.id()))
            .thenComparingInt(r -> given.getOrDefault(r.id(), 0)))
        .orElse(null);
  }

  private static Assignment assigned(JobState.Task task, ServiceView.Replica chosen, Map<String, Integer> holding,
      Map<String, Integer> given) {
    holding.merge(chosen.id(), 1, Integer::sum);
    given.merge(chosen.id(), 1, Integer::sum);
    return new Assignment(task.index(), chosen.id(), chosen.node(), task.assignments() + 1);
  }

  void sent(Assignment assignment) {
    inFlight.put(assignment.task(), new InFlight(assignment.replica(), assignment.attempt()));
  }

  /** Whether {@code attempt} of {@code task} is the one in flight (an answer to an older one is late: ignored). */
  boolean isCurrent(int task, int attempt) {
    InFlight current = inFlight.get(task);
    return current != null && current.attempt() == attempt;
  }

  /** The task is done. */
  void settled(int task) {
    inFlight.remove(task);
  }

  /** The task failed: it is pending again. */
  void failed(int task) {
    if (inFlight.remove(task) != null) {
      returned.add(task);
    }
  }

  /**
   * Every task in flight is pending again, to be sent anew (an answer to the earlier sending is
   * late then: ignored); how many.
   */
  int returnInFlight() {
    int count = inFlight.size();
    returned.addAll(inFlight.keySet());
    inFlight.clear();
    return count;
  }

  void clear() {
    inFlight.clear();
    returned.clear();
    nextFresh = 0;
  }

  int size() {
    return inFlight.size();
  }
}
