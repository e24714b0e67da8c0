package io.dcloud.job;

import io.dcloud.serialization.CborSerializable;
import java.time.Instant;
import java.util.List;

/**
 * A job as its entity answers for it. {@code progress}: records done of all, records per second
 * since it started, the seconds left at that rate (null until a task is done). {@code assignments}:
 * which replica (on which node) was given how many tasks and did how many (C5). {@code
 * outputDataset}/{@code outputVersion}: null until it succeeded. {@code reading}: how far it has
 * read its input, while it does (null otherwise, and in answers from before).
 */
public record JobView(
    String id,
    String service,
    String owner,
    JobStatus status,
    String dataset,
    int version,
    int batchSize,
    Progress progress,
    List<Assignment> assignments,
    String outputDataset,
    Integer outputVersion,
    String error,
    Instant createdAt,
    Instant finishedAt,
    Reading reading)
    implements CborSerializable {

  /** As the job's events make it, while it is not reading its input. */
  public JobView(String id, String service, String owner, JobStatus status, String dataset, int version, int batchSize,
      Progress progress, List<Assignment> assignments, String outputDataset, Integer outputVersion, String error,
      Instant createdAt, Instant finishedAt) {
    this(id, service, owner, status, dataset, version, batchSize, progress, assignments, outputDataset, outputVersion,
        error, createdAt, finishedAt, null);
  }

  /** This view while the job reads its input through (queued, or after a restart). */
  public JobView reading(Reading now) {
    return new JobView(id, service, owner, status, dataset, version, batchSize, progress, assignments, outputDataset,
        outputVersion, error, createdAt, finishedAt, now);
  }

  public record Progress(long done, long total, double rate, Long etaSeconds) implements CborSerializable {}

  /** How far the job has read its input through (to cut it into tasks): {@code bytes} of {@code totalBytes}. */
  public record Reading(long bytes, long totalBytes) implements CborSerializable {}

  public record Assignment(String replica, String node, int tasks, int done) implements CborSerializable {}
}
