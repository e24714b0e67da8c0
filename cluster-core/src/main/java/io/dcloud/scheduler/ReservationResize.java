package io.dcloud.scheduler;

import io.dcloud.node.NodeStatus;
import io.dcloud.resources.Quantities;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.Scheduler.ResizeAnswer;
import io.dcloud.scheduler.Scheduler.ResizeOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A running environment's new size weighed on the node it holds a place on. The node's room is
 * what the scheduler has not reserved there, its own reservation included, so a growth is checked
 * against the same books every placement reads and nothing else can take the room before the
 * change is written (as Kubernetes' kubelet admits an in-place resize against its node's
 * allocatable, and calls one it cannot fit infeasible, leaving the pod as it was).
 *
 * <p>CPU and RAM change in place: the reservation takes the new size at once and the container's
 * limits follow. GPUs are devices given to a container when it is created, so a change of their
 * number is a restart, placed anew at its new size; here only checked for room, since the GPUs it
 * gets are chosen then.
 */
final class ReservationResize {

  /** {@code reserved}: the reservation to write for an {@link ResizeOutcome#IN_PLACE}; null otherwise. */
  record Decision(ResizeAnswer answer, Scheduler.Reserved reserved) {}

  /** Registered once per outcome, on the node the singleton runs on. */
  private static final Map<ResizeOutcome, Counter> COUNTS = new EnumMap<>(ResizeOutcome.class);

  static {
    for (ResizeOutcome outcome : ResizeOutcome.values()) {
      COUNTS.put(outcome, Counter.builder("dcloud.scheduler.resizes").description("Running environments' resizes weighed, by outcome")
          .tag("outcome", outcome.name().toLowerCase(Locale.ROOT)).register(Metrics.globalRegistry));
    }
  }

  private ReservationResize() {}

  static void count(ResizeOutcome outcome) {
    COUNTS.get(outcome).increment();
  }

  static Decision decide(SchedulerState state, GossipedNodes nodes, String environmentId, Resources next) {
    Scheduler.Reservation held = state.reservation(environmentId);
    if (held == null) {
      return answer(ResizeOutcome.NOT_HELD, "environment " + environmentId + " holds no place on a node now");
    }
    String where = "node " + held.nodeId();
    NodeStatus status = nodes.get(held.nodeId());
    if (status == null || status.capacity() == null) {
      return refused(where + " is not known to the scheduler now");
    }
    boolean gpusChange = next.gpus() != held.resources().gpus();
    NodeAvailability availability = nodes.view(state, status).state();
    // A node that cannot be reached cannot change a container; a restart needs a node that takes environments.
    if (availability == NodeAvailability.UNREACHABLE || availability == NodeAvailability.DOWN
        || gpusChange && availability != NodeAvailability.UP) {
      return refused(where + " is " + availability.name().toLowerCase(Locale.ROOT) + " and takes no new size now");
    }
    Resources free = status.capacity().minus(state.reservedOn(held.nodeId()));
    List<String> lacking = lacking(free, growth(held.resources(), next));
    if (!lacking.isEmpty()) {
      return refused(where + " has no room for it to grow: " + String.join("; ", lacking));
    }
    if (gpusChange) {
      return answer(ResizeOutcome.RESTART, null);
    }
    return new Decision(new ResizeAnswer(ResizeOutcome.IN_PLACE, null),
        new Scheduler.Reserved(environmentId, held.nodeId(), next, held.gpuUuids(), null, held.group()));
  }

  /** What {@code next} asks beyond {@code held}, dimension by dimension (a shrink asks nothing). */
  private static Resources growth(Resources held, Resources next) {
    return new Resources(Math.max(0, next.milliCpus() - held.milliCpus()), Math.max(0, next.memoryBytes() - held.memoryBytes()),
        Math.max(0, next.gpus() - held.gpus()), 0, null);
  }

  private static List<String> lacking(Resources free, Resources growth) {
    List<String> lacking = new ArrayList<>();
    if (growth.milliCpus() > free.milliCpus()) {
      lacking.add(Quantities.describeCores(Math.max(0, free.milliCpus())) + " free, "
          + Quantities.describeCores(growth.milliCpus()) + " more asked");
    }
    if (growth.memoryBytes() > free.memoryBytes()) {
      lacking.add(Quantities.describeBytes(Math.max(0, free.memoryBytes())) + " of RAM free, "
          + Quantities.describeBytes(growth.memoryBytes()) + " more asked");
    }
    if (growth.gpus() > free.gpus()) {
      lacking.add(Math.max(0, free.gpus()) + " GPUs free, " + growth.gpus() + " more asked");
    }
    return lacking;
  }

  private static Decision refused(String reason) {
    return answer(ResizeOutcome.REFUSED, reason);
  }

  private static Decision answer(ResizeOutcome outcome, String reason) {
    return new Decision(new ResizeAnswer(outcome, reason), null);
  }
}
