package io.dcloud.job;

import io.dcloud.job.JobEntity.Command;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.LongConsumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * What one job does outside its actor: its input read into tasks, a task sent to its replica, the
 * task's predictions stored, the output joined from them, and the blobs the job no longer needs deleted. Each stage is answered as the
 * message its behavior ({@link JobBehavior}) pipes to itself, a failure included: the behavior decides.
 */
final class JobIo {
  private final String id;
  private final ActorSystem<?> system;
  private final JobEntity.Wiring wiring;

  JobIo(String id, ActorSystem<?> system, JobEntity.Wiring wiring) {
    this.id = id;
    this.system = system;
    this.wiring = wiring;
  }

  /** Reads the input into its tasks' starts ({@code bytesRead}: the reading's progress, from its thread). */
  CompletionStage<JobEntity.InputRead> readInput(JobState state, LongConsumer bytesRead) {
    return InputTasks.find(system, wiring.blobs(), id, state, bytesRead)
        .exceptionally(failure -> new JobEntity.InputRead(null, null, why(failure)));
  }

  /** An input read for a job that ended meanwhile (cancelled, say): its copies are not needed. */
  void discard(JobEntity.InputRead read) {
    if (read.tasks() != null && read.tasks().spooled()) {
      wiring.blobs().delete(read.tasks().blobId());
    }
    if (read.saved() != null) {
      wiring.blobs().delete(StoredTaskStarts.blobId(id));
    }
  }

  /**
   * Sends a task's records to its replica; the loss of the replica's node answers it at once (told to
   * {@code self}) rather than at the task timeout.
   */
  CompletionStage<JobEntity.TaskAnswered> send(InputWindow input, int port, JobDispatch.Assignment a, ActorRef<Command> self) {
    Runnable stopWatching = wiring.nodes().whenUnreachable(a.node(), () -> self.tell(new JobEntity.TaskAnswered(
        a.task(), a.attempt(), a.replica(), null, 0, "its node " + a.node() + " is unreachable or gone")));
    CompletionStage<JobEntity.TaskAnswered> answered = PredictCalls.send(system, input, wiring.blobs(),
        wiring.environments().apply(a.replica()), port, a, wiring.settings().taskTimeout());
    answered.whenComplete((done, failure) -> stopWatching.run());
    return answered.exceptionally(failure -> new JobEntity.TaskAnswered(a.task(), a.attempt(), a.replica(), null, 0,
        "no answer within " + wiring.settings().taskTimeout() + " (dcloud.jobs.task-timeout): " + why(failure)));
  }

  /** Stores a task's predictions ({@code lines}, one per record) as the blob its {@code TaskDone} names. */
  CompletionStage<JobEntity.TaskStored> store(JobEntity.TaskAnswered answer, ByteString lines) {
    return Source.single(lines).runWith(wiring.blobs().write(taskBlobId(answer.task(), answer.attempt())), system)
        .handle((stored, failure) -> new JobEntity.TaskStored(answer.task(), answer.attempt(), answer.replica(), stored,
            failure == null ? null : "its predictions could not be stored: " + why(failure)));
  }

  String taskBlobId(int task, int attempt) {
    return "job-" + id + "-task-" + task + "-" + attempt;
  }

  /** Joins the tasks' predictions in input order into the output dataset's new version. */
  CompletionStage<JobEntity.OutputWritten> writeOutput(JobState state) {
    var bytes = Source.from(state.tasks())
        .flatMapConcat(t -> wiring.blobs().read(t.blobId(), t.size(), t.sha256()));
    return wiring.writer().store(state.spec().outputDataset(id), "job-output-" + id, state.owner(),
            JobEntity.OUTPUT_CONTENT_TYPE, bytes)
        .handle((version, failure) -> new JobEntity.OutputWritten(version == null ? 0 : version.version(),
            failure == null ? null : why(failure)));
  }

  /** Once the output holds them; a task blob that is not deleted only costs space. */
  void deleteTaskBlobs(JobState state) {
    state.tasks().forEach(t -> wiring.blobs().delete(t.blobId()));
  }

  /** What an ended job kept besides its tasks' predictions: its copies of a directory input, its saved task starts. */
  void deleteWorkingBlobs(JobState state) {
    if (state.spec().input().isDirectory()) {
      // The job's copies of its directory input, whether this incarnation made them or an earlier one.
      JobInput.spoolBlobIds(id).forEach(wiring.blobs()::delete);
    }
    if (state.taskStarts() != null) {
      wiring.blobs().delete(StoredTaskStarts.blobId(id));
    }
  }

  static String why(Throwable failure) {
    Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
    return cause.getMessage() == null ? cause.toString() : cause.getMessage();
  }
}
