package io.dcloud.gateway.node;

import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.node.NodeProtocol;
import java.time.Instant;
import java.util.List;

/**
 * One of a node's environment volumes as {@code GET /nodes/{id}/volumes} shows it: what the node
 * says of it, what became of its environment (this gateway's read side), and so whether an
 * operator may remove it.
 */
record VolumeJson(
    String name, String node, String target, Instant createdAt, Long usedBytes, boolean inUse, State state, boolean removable,
    String environmentId, Environment environment, String mountedBy) {

  /**
   * {@code usedBytes}: what its files take on the node's disk (what removing it frees), null when the
   * node's engine did not say. {@code environmentId}, {@code environment}: the environment that made it. {@code mountedBy}: the
   * environment that mounts it again as a kept volume, if one does (then it is ATTACHED).
   *
   * <p>ATTACHED: its environment exists and is (or may come back) on this node: its data is in use.
   * LEFT_BEHIND: its environment runs on another node now (moved by a drain or a node's loss) with a
   * volume of its own there; this one holds the data it had here. ORPHANED: its environment was
   * deleted (persistent volumes are kept on delete) or collected since.
   */
  enum State { ATTACHED, LEFT_BEHIND, ORPHANED }

  /** Its environment as far as this gateway knows; null once collected. */
  record Environment(String name, String owner, EnvironmentStatus status, String node) {}

  record Listing(String node, List<VolumeJson> volumes) {}

  /** Volumes from every node; {@code unreachable}: the nodes that could not be asked (theirs are missing). */
  record Everywhere(List<VolumeJson> volumes, List<String> unreachable) {}

  /** {@code mountedBy}: the environment that mounts it as a kept volume; null when none does. */
  static VolumeJson of(
      NodeProtocol.Volume volume, String nodeId, EnvironmentDirectory.GetReply environment, String mountedBy) {
    EnvironmentView view = environment instanceof EnvironmentDirectory.Known known ? known.view() : null;
    State state = mountedBy != null ? State.ATTACHED : stateOf(view, nodeId);
    return new VolumeJson(volume.name(), nodeId, volume.target(), volume.createdAt(), volume.usedBytes(), volume.inUse(), state,
        state != State.ATTACHED && !volume.inUse(), volume.environmentId(),
        view == null ? null : new Environment(view.name(), view.owner(), view.status(), view.node()), mountedBy);
  }

  /** {@code view} null: an environment nobody knows any more (collected after its deletion). */
  static State stateOf(EnvironmentView view, String nodeId) {
    if (view == null || view.status() == EnvironmentStatus.DELETED) {
      return State.ORPHANED;
    }
    return view.node() != null && !view.node().equals(nodeId) ? State.LEFT_BEHIND : State.ATTACHED;
  }
}
