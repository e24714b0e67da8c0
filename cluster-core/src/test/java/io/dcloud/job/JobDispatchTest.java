package io.dcloud.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.dataset.DatasetVersion;
import io.dcloud.service.ServiceView;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The fold of a job's events and the choice of its tasks' replicas, without an actor: tasks go in
 * input order as far as the replicas have room, a failed one goes first and elsewhere, and a job
 * of a large input (hundreds of thousands of tasks) is folded and dispatched one task at a time
 * without copying or scanning them all at each step.
 */
class JobDispatchTest {
  private static final Instant AT = Instant.parse("2026-12-06T08:00:00Z");
  private static final ServiceView.Replica A = new ServiceView.Replica("a", "n1", "RUNNING", true, 1);
  private static final ServiceView.Replica B = new ServiceView.Replica("b", "n2", "RUNNING", true, 1);

  private static JobState started(int records, int batchSize) {
    DatasetVersion input = new DatasetVersion(1, "blob", 1, "sha", "application/x-ndjson", "alice", AT);
    JobState submitted = JobState.none("j1").apply(new JobEntity.Submitted(
        new JobSpec("iris", "tables/iris/inputs", input, batchSize), "alice", AT));
    return submitted.apply(new JobEntity.Started(records, (records + batchSize - 1) / batchSize, AT, null));
  }

  /** The assignments made, recorded and sent, as the entity does. */
  private static List<JobDispatch.Assignment> assign(JobDispatch dispatch, JobState[] state, List<ServiceView.Replica> ready) {
    List<JobDispatch.Assignment> assignments = dispatch.assign(state[0], ready);
    for (JobDispatch.Assignment a : assignments) {
      state[0] = state[0].apply(new JobEntity.TaskAssigned(a.task(), a.replica(), a.node(), a.attempt(), AT));
      dispatch.sent(a);
    }
    return assignments;
  }

  private static JobState done(JobState state, JobDispatch dispatch, int task) {
    dispatch.settled(task);
    return state.apply(new JobEntity.TaskDone(task, state.tasks().get(task).replica(), "blob-" + task, 10, "sha", AT));
  }

  @Test
  void tasksGoInInputOrderAsFarAsTheReplicasHaveRoomAndAFailedOneFirstToAnotherReplica() {
    JobDispatch dispatch = new JobDispatch(2);
    JobState[] state = {started(100, 10)};

    assertThat(assign(dispatch, state, List.of(A, B))).extracting(JobDispatch.Assignment::task).containsExactly(0, 1, 2, 3);
    assertThat(assign(dispatch, state, List.of(A, B))).as("no room").isEmpty();

    String failedOn = state[0].tasks().get(1).replica();
    dispatch.failed(1);
    state[0] = state[0].apply(new JobEntity.TaskFailed(1, failedOn, "HTTP 500", AT));
    List<JobDispatch.Assignment> meanwhile = assign(dispatch, state, List.of(A, B));
    assertThat(meanwhile).as("the failed task waits for the other replica, full now").extracting(JobDispatch.Assignment::task)
        .containsExactly(4);
    assertThat(meanwhile.get(0).replica()).isEqualTo(failedOn);

    state[0] = done(state[0], dispatch, 0);
    List<JobDispatch.Assignment> retried = assign(dispatch, state, List.of(A, B));
    assertThat(retried).as("before the fresh ones").extracting(JobDispatch.Assignment::task).containsExactly(1);
    assertThat(retried.get(0).replica()).isNotEqualTo(failedOn);
    assertThat(retried.get(0).attempt()).isEqualTo(2);
  }

  @Test
  void afterARestartEveryTaskNotDoneIsSentAgainInOrder() {
    JobDispatch before = new JobDispatch(1);
    JobState[] state = {started(50, 10)};
    assign(before, state, List.of(A, B));
    state[0] = done(state[0], before, 1);

    JobDispatch after = new JobDispatch(1);
    assertThat(assign(after, state, List.of(A, B))).extracting(JobDispatch.Assignment::task).containsExactly(0, 2);
  }

  @Test
  void aLastTaskOfFewerRecordsCountsItsOwn() {
    JobDispatch dispatch = new JobDispatch(10);
    JobState[] state = {started(25, 10)};
    assign(dispatch, state, List.of(A));

    state[0] = done(state[0], dispatch, 2);
    assertThat(state[0].recordsDone()).isEqualTo(5);
    state[0] = done(state[0], dispatch, 0);
    state[0] = done(state[0], dispatch, 1);
    assertThat(state[0].recordsDone()).isEqualTo(25);
    assertThat(state[0].allDone()).isTrue();
  }

  @Test
  void aJobOfHundredsOfThousandsOfTasksIsFoldedAndDispatchedTaskByTask() {
    int tasks = 300_000;
    JobDispatch dispatch = new JobDispatch(2);
    JobState[] state = {started(tasks * 4 - 1, 4)};

    while (!state[0].allDone()) {
      for (JobDispatch.Assignment a : assign(dispatch, state, List.of(A, B))) {
        state[0] = done(state[0], dispatch, a.task());
      }
    }

    assertThat(state[0].recordsDone()).isEqualTo(tasks * 4 - 1);
    assertThat(state[0].tasks()).hasSize(tasks).allSatisfy(task -> assertThat(task.assignments()).isEqualTo(1));
    assertThat(state[0].replicas()).extracting(JobState.ReplicaWork::done).containsExactly(tasks / 2, tasks / 2);
  }
}
