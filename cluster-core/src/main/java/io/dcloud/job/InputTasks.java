package io.dcloud.job;

import io.dcloud.dataset.BlobStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.LongConsumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where a job's tasks start, however the job can know: loaded from the blob it kept ({@link
 * StoredTaskStarts}), else by reading its input through ({@link JobInput}) — and kept, when the job
 * is about to start, so that it need not read its input again when taken up again.
 */
final class InputTasks {
  private static final Logger log = LoggerFactory.getLogger(InputTasks.class);

  private InputTasks() {}

  /** The tasks of job {@code id} in {@code state}; {@code bytesRead}: how far a read through got. */
  static CompletionStage<JobEntity.InputRead> find(ActorSystem<?> system, BlobStore blobs, String id, JobState state,
      LongConsumer bytesRead) {
    if (state.taskStarts() == null) {
      return readThrough(system, blobs, id, state, state.status() == JobStatus.QUEUED, bytesRead);
    }
    return StoredTaskStarts.load(system, blobs, id, state.taskStarts())
        .thenApply(tasks -> new JobEntity.InputRead(tasks, null, null))
        .exceptionallyCompose(failure -> {
          log.warn("Job {}: its task starts could not be loaded ({}): reading its input through", id,
              JobIo.why(failure));
          return readThrough(system, blobs, id, state, false, bytesRead);
        });
  }

  /**
   * The input read through to find where its tasks start; those kept as a blob when {@code keep} (the
   * job starts: its {@link JobEntity.Started} names the blob). A job whose starts could not be kept
   * runs all the same, and reads its input through again when taken up again.
   */
  private static CompletionStage<JobEntity.InputRead> readThrough(ActorSystem<?> system, BlobStore blobs, String id,
      JobState state, boolean keep, LongConsumer bytesRead) {
    return JobInput.index(system, blobs, state.spec().input(), state.spec().batchSize(), id, bytesRead)
        .thenCompose(tasks -> !keep ? CompletableFuture.completedFuture(new JobEntity.InputRead(tasks, null, null))
            : StoredTaskStarts.save(system, blobs, id, tasks).handle((saved, failure) -> {
              if (failure != null) {
                log.warn("Job {}: its task starts could not be kept ({}): a restart reads its input again", id,
                    JobIo.why(failure));
              }
              return new JobEntity.InputRead(tasks, saved, null);
            }));
  }
}
