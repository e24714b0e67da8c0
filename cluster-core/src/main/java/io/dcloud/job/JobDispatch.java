package io.dcloud.job;

import io.dcloud.service.ServiceView;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which ready replica gets which task, and what is in flight. In memory only: after a restart
 * nothing is in flight, so every task not done is sent again. Each replica holds at most {@code
 * perReplica} tasks at once; a task goes to the replica holding fewest (ties: the one given fewest
 * tasks by this job so far, so the work spreads), and a retried task waits for a replica it has not
 * failed on while one is ready.
 */
final class JobDispatch {
  /** A task sent (or being stored) as its {@code attempt}-th assignment. */
  record InFlight(String replica, int attempt) {}

  record Assignment(int task, String replica, String node, int attempt) {}

  private final int perReplica;
  private final Map<Integer, InFlight> inFlight = new HashMap<>();

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
    for (JobState.Task task : state.tasks()) {
      if (task.done() || inFlight.containsKey(task.index())) {
        continue;
      }
      // A retry waits for a replica it has not failed on, as long as one is ready.
      List<ServiceView.Replica> untried = ready.stream().filter(r -> !task.failedOn().contains(r.id())).toList();
      ServiceView.Replica chosen = (untried.isEmpty() ? ready : untried).stream()
          .filter(r -> holding.get(r.id()) < perReplica)
          .min(Comparator.<ServiceView.Replica>comparingInt(r -> holding.get(r.id()))
              .thenComparingInt(r -> given.getOrDefault(r.id(), 0)))
          .orElse(null);
      if (chosen == null) {
        continue;
      }
      holding.merge(chosen.id(), 1, Integer::sum);
      given.merge(chosen.id(), 1, Integer::sum);
      assignments.add(new Assignment(task.index(), chosen.id(), chosen.node(), task.assignments() + 1));
    }
    return assignments;
  }

  void sent(Assignment assignment) {
    inFlight.put(assignment.task(), new InFlight(assignment.replica(), assignment.attempt()));
  }

  /** Whether {@code attempt} of {@code task} is the one in flight (an answer to an older one is late: ignored). */
  boolean isCurrent(int task, int attempt) {
    InFlight current = inFlight.get(task);
    return current != null && current.attempt() == attempt;
  }

  void settled(int task) {
    inFlight.remove(task);
  }

  void clear() {
    inFlight.clear();
  }

  int size() {
    return inFlight.size();
  }
}
