package io.dcloud.job;

import io.dcloud.serialization.CborSerializable;
import java.time.Instant;
import java.util.List;

/**
 * A job as its entity answers for it. {@code progress}: records done of all, records per second
 * since it started, the seconds left at that rate (null until a task is done). {@code assignments}:
 * which replica (on which node) was given how many tasks and did how many (C5). {@code
 * outputDataset}/{@code outputVersion}: null until it succeeded.
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
    Instant finishedAt)
    implements CborSerializable {

  public record Progress(long done, long total, double rate, Long etaSeconds) implements CborSerializable {}

  public record Assignment(String replica, String node, int tasks, int done) implements CborSerializable {}
}
