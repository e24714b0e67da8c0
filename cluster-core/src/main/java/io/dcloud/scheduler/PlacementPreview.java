package io.dcloud.scheduler;

import io.dcloud.serialization.CborSerializable;
import java.util.List;

/**
 * Where the scheduler would place a request now, asked without reserving or queueing anything (a
 * dry run of a create). {@code nodeId} is null and {@code gpuUuids} empty unless it fits;
 * {@code reason} says in words why that node, or why it would wait or could never be placed.
 */
public record PlacementPreview(Outcome outcome, String nodeId, List<String> gpuUuids, String reason)
    implements CborSerializable {

  /** The answer a real create would get now. */
  public enum Outcome {
    /** A node has room now: a create would be placed there at once. */
    FITS,
    /** No node has room now, but one could hold it once capacity frees: a create would wait in the queue. */
    QUEUED,
    /** No known node could ever hold it: a create would be refused. */
    NEVER
  }
}
