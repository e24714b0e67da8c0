package io.dcloud.job;

import java.util.AbstractList;
import java.util.List;
import java.util.RandomAccess;
import org.pcollections.PVector;
import org.pcollections.TreePVector;

/**
 * A job's tasks, immutable: a task changed makes a new list that shares all the others (a
 * persistent vector: O(log n)) instead of copying them, since a job of a large input has hundreds
 * of thousands of tasks and each of its events changes one. The count of those done is kept along,
 * so whether all are done is known without looking at each.
 */
final class TaskList extends AbstractList<JobState.Task> implements RandomAccess {
  private static final TaskList EMPTY = new TaskList(TreePVector.empty(), 0);

  private final PVector<JobState.Task> tasks;
  private final int done;

  private TaskList(PVector<JobState.Task> tasks, int done) {
    this.tasks = tasks;
    this.done = done;
  }

  /** {@code tasks} as a task list (as it is when it is one already: a list read back from JSON is not). */
  static TaskList of(List<JobState.Task> tasks) {
    if (tasks instanceof TaskList list) {
      return list;
    }
    return new TaskList(TreePVector.from(tasks), (int) tasks.stream().filter(JobState.Task::done).count());
  }

  static TaskList empty() {
    return EMPTY;
  }

  /** This list with {@code task} in its place (its index). */
  TaskList with(JobState.Task task) {
    int index = task.index();
    int change = (task.done() ? 1 : 0) - (tasks.get(index).done() ? 1 : 0);
    return new TaskList(tasks.with(index, task), done + change);
  }

  /** How many tasks are done. */
  int done() {
    return done;
  }

  @Override
  public JobState.Task get(int index) {
    return tasks.get(index);
  }

  @Override
  public int size() {
    return tasks.size();
  }
}
