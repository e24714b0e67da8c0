package io.dcloud.scheduler;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.dcloud.serialization.CborSerializable;
import java.util.List;

/**
 * What the scheduler tells an environment about its place. The scheduler owns this protocol and
 * knows nothing of who receives it: it is given a {@link Route} (sharding to the environment
 * entities in a cluster, a probe in a test), so the scheduler never depends on the entity.
 *
 * <p>Answers carry no environment id: the route delivers each to its environment. Each subtype is
 * written with a stable name, never its class, so it can move without breaking the wire.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "kind")
@JsonSubTypes({
  @JsonSubTypes.Type(value = PlacementAnswer.Granted.class, name = "granted"),
  @JsonSubTypes.Type(value = PlacementAnswer.Waiting.class, name = "waiting"),
  @JsonSubTypes.Type(value = PlacementAnswer.Refused.class, name = "refused"),
  @JsonSubTypes.Type(value = PlacementAnswer.NodeGone.class, name = "node-gone"),
  @JsonSubTypes.Type(value = PlacementAnswer.MoveOff.class, name = "move-off")
})
public sealed interface PlacementAnswer extends CborSerializable {

  /** Delivers an answer to the environment of the given id. */
  @FunctionalInterface
  interface Route {
    void tell(String environmentId, PlacementAnswer answer);
  }

  /**
   * A place was reserved on {@code nodeId} (with these GPUs); the reservation is already durable.
   * {@code reason}: why that node, for the environment's history, when more than the policy decided
   * (data locality: "holds dataset images/cifar/train v3 in its cache"); null otherwise, and in
   * answers repeated to an environment that already has its place.
   */
  record Granted(String nodeId, List<String> gpuUuids, String reason) implements PlacementAnswer {
    public Granted(String nodeId, List<String> gpuUuids) {
      this(nodeId, gpuUuids, null);
    }
  }

  /** No room now; waiting at {@code position} (1 = next). */
  record Waiting(int position, String reason) implements PlacementAnswer {}

  /** No node could ever hold this environment. */
  record Refused(String reason) implements PlacementAnswer {}

  /**
   * The node holding the environment's place left the cluster (crashed, downed): the place is gone.
   * Repeated until the environment confirms with {@link Scheduler.ConfirmLoss}.
   */
  record NodeGone(String nodeId) implements PlacementAnswer {}

  /** The node is draining: remove the container there and ask for a new place. */
  record MoveOff(String nodeId) implements PlacementAnswer {}
}
