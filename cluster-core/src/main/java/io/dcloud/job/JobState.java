package io.dcloud.job;

import io.dcloud.dataset.BlobStore;
import io.dcloud.serialization.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * A job as its events made it ({@code spec == null}: none). {@code tasks}: one per {@code
 * batchSize} records once the input is read (empty before); {@code replicas}: every replica that
 * was given a task, in the order it first was; {@code taskStarts}: where the tasks start, kept as a
 * blob ({@link StoredTaskStarts}; null when not).
 */
public record JobState(
    String id,
    JobSpec spec,
    String owner,
    JobStatus status,
    int records,
    List<Task> tasks,
    List<ReplicaWork> replicas,
    String outputDataset,
    Integer outputVersion,
    String error,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    BlobStore.StoredBlob taskStarts)
    implements CborSerializable {

  /**
   * Task {@code index} covers records {@code index * batchSize} up to the next task's first.
   * {@code assignments}: how often it was sent; {@code failedOn}: the replicas it failed on (a retry
   * goes elsewhere when it can); {@code blobId}, {@code size}, {@code sha256}: its predictions, once done.
   */
  public record Task(int index, int assignments, List<String> failedOn, String replica, String blobId, long size,
      String sha256) implements CborSerializable {
    public boolean done() {
      return blobId != null;
    }
  }

  public record ReplicaWork(String replica, String node, int tasks, int done) implements CborSerializable {}

  /** The tasks as a {@link TaskList}, which each event's change shares instead of copying. */
  public JobState {
    tasks = TaskList.of(tasks == null ? List.of() : tasks);
  }

  public static JobState none(String id) {
    return new JobState(id, null, null, null, 0, List.of(), List.of(), null, null, null, null, null, null, null);
  }

  public boolean exists() {
    return spec != null;
  }

  /** The first record of task {@code index} and one past its last. */
  public int from(int index) {
    return index * spec.batchSize();
  }

  public int to(int index) {
    return Math.min(records, (index + 1) * spec.batchSize());
  }

  public boolean allDone() {
    return status == JobStatus.RUNNING && taskList().done() == tasks.size();
  }

  /** The tasks of a running job not done yet (none before it starts). */
  public int tasksLeft() {
    return status == JobStatus.RUNNING ? tasks.size() - taskList().done() : 0;
  }

  /** Every done task holds batch-size records but the last, which may hold fewer. */
  public long recordsDone() {
    int count = tasks.size();
    if (count == 0) {
      return 0;
    }
    long done = (long) taskList().done() * spec.batchSize();
    return tasks.get(count - 1).done() ? done - (spec.batchSize() - (to(count - 1) - from(count - 1))) : done;
  }

  private TaskList taskList() {
    return (TaskList) tasks;
  }

  public JobState apply(JobEntity.Event event) {
    if (event instanceof JobEntity.Submitted e) {
      return new JobState(id, e.spec(), e.owner(), JobStatus.QUEUED, 0, List.of(), List.of(), null, null, null, e.at(),
          null, null, null);
    } else if (event instanceof JobEntity.Started e) {
      List<Task> fresh = IntStream.range(0, e.tasks()).mapToObj(i -> new Task(i, 0, List.of(), null, null, 0, null)).toList();
      return new JobState(id, spec, owner, JobStatus.RUNNING, e.records(), fresh, replicas, null, null, null, createdAt,
          e.at(), null, e.taskStarts());
    } else if (event instanceof JobEntity.TaskAssigned e) {
      Task t = tasks.get(e.task());
      return withTask(new Task(t.index(), t.assignments() + 1, t.failedOn(), e.replica(), null, 0, null),
          work(e.replica(), e.node(), 1, 0));
    } else if (event instanceof JobEntity.TaskFailed e) {
      Task t = tasks.get(e.task());
      List<String> failed = new ArrayList<>(t.failedOn());
      failed.add(e.replica());
      return withTask(new Task(t.index(), t.assignments(), List.copyOf(failed), null, null, 0, null), replicas);
    } else if (event instanceof JobEntity.TaskDone e) {
      Task t = tasks.get(e.task());
      return withTask(new Task(t.index(), t.assignments(), t.failedOn(), e.replica(), e.blobId(), e.size(), e.sha256()),
          work(e.replica(), null, 0, 1));
    } else if (event instanceof JobEntity.Succeeded e) {
      return ended(JobStatus.SUCCEEDED, e.outputDataset(), e.outputVersion(), null, e.at());
    } else if (event instanceof JobEntity.Failed e) {
      return ended(JobStatus.FAILED, null, null, e.error(), e.at());
    } else if (event instanceof JobEntity.Cancelled e) {
      return ended(JobStatus.CANCELLED, null, null, "cancelled by " + e.actor(), e.at());
    }
    return this;
  }

  private JobState withTask(Task task, List<ReplicaWork> work) {
    return new JobState(id, spec, owner, status, records, taskList().with(task), work, outputDataset, outputVersion, error,
        createdAt, startedAt, finishedAt, taskStarts);
  }

  /** The replicas' counts with {@code tasks} more given to and {@code done} more done by {@code replica}. */
  private List<ReplicaWork> work(String replica, String node, int moreTasks, int moreDone) {
    List<ReplicaWork> changed = new ArrayList<>(replicas);
    for (int i = 0; i < changed.size(); i++) {
      ReplicaWork w = changed.get(i);
      if (w.replica().equals(replica)) {
        changed.set(i, new ReplicaWork(replica, node == null ? w.node() : node, w.tasks() + moreTasks, w.done() + moreDone));
        return List.copyOf(changed);
      }
    }
    changed.add(new ReplicaWork(replica, node, moreTasks, moreDone));
    return List.copyOf(changed);
  }

  private JobState ended(JobStatus end, String dataset, Integer version, String why, Instant at) {
    return new JobState(id, spec, owner, end, records, tasks, replicas, dataset, version, why, createdAt, startedAt, at,
        taskStarts);
  }

  /** What the entity answers; {@code now} for the rate of a job still running. */
  public JobView view(Instant now) {
    long done = recordsDone();
    double rate = 0;
    Long eta = null;
    if (startedAt != null && done > 0) {
      Instant until = finishedAt == null ? now : finishedAt;
      double seconds = Math.max(0.001, Duration.between(startedAt, until).toMillis() / 1000.0);
      rate = done / seconds;
      eta = status.finished() ? 0L : (long) Math.ceil((records - done) / rate);
    }
    return new JobView(id, spec.service(), owner, status, spec.dataset(), spec.input().version(), spec.batchSize(),
        new JobView.Progress(done, records, rate, eta),
        replicas.stream().map(w -> new JobView.Assignment(w.replica(), w.node(), w.tasks(), w.done())).toList(),
        outputDataset, outputVersion, error, createdAt, finishedAt);
  }
}
