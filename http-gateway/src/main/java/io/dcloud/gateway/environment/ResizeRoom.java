package io.dcloud.gateway.environment;

import io.dcloud.environment.EnvironmentView;
import io.dcloud.gateway.common.Problem;
import io.dcloud.resources.Quantities;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.NodeAvailability;
import io.dcloud.scheduler.NodeView;
import io.dcloud.scheduler.Scheduler;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Whether a running environment's node has room for it to grow, asked before it restarts to grow
 * (as Kubernetes calls a resize its node cannot take infeasible and leaves the pod running): one that
 * would then wait for room on its node stays running as it is, with the reason. What the scheduler
 * decides at the restart stands; this spares the user a stop that cannot end in a start.
 */
final class ResizeRoom {
  private ResizeRoom() {}

  /** Throws a 409 problem saying why when the environment's node cannot take {@code growth} now. */
  static void check(EnvironmentView environment, Resources growth, Scheduler.Nodes nodes) {
    NodeView node = nodes.nodes().stream().filter(view -> view.status().nodeId().equals(environment.node())).findFirst()
        .orElse(null);
    if (node == null || node.status().capacity() == null) {
      return; // Not known to the scheduler now: its restart says what becomes of it.
    }
    String where = "node " + environment.node();
    if (node.state() != NodeAvailability.UP) {
      throw refused(environment, where + " is " + node.state().name().toLowerCase(Locale.ROOT)
          + " and takes no new size now; it keeps running as it is: resize it once the node is up again");
    }
    Resources free = node.status().capacity().minus(node.reserved());
    List<String> lacking = new ArrayList<>();
    if (growth.milliCpus() > free.milliCpus()) {
      lacking.add(Quantities.describeCores(Math.max(0, free.milliCpus())) + " free, " + Quantities.describeCores(growth.milliCpus()) + " more asked");
    }
    if (growth.memoryBytes() > free.memoryBytes()) {
      lacking.add(Quantities.describeBytes(Math.max(0, free.memoryBytes())) + " of RAM free, "
          + Quantities.describeBytes(growth.memoryBytes()) + " more asked");
    }
    if (growth.gpus() > free.gpus()) {
      lacking.add(Math.max(0, free.gpus()) + " GPUs free, " + growth.gpus() + " more asked");
    }
    if (!lacking.isEmpty()) {
      throw refused(environment, where + " has no room for it to grow: " + String.join("; ", lacking)
          + "; it keeps running as it is");
    }
  }

  private static RuntimeException refused(EnvironmentView environment, String why) {
    return Problem.of(Problem.Type.CONFLICT, "environment " + environment.id() + " cannot be resized now: " + why).exception();
  }
}
