package io.dcloud.node;

import java.util.function.Consumer;

/**
 * What a caller of nodes' actors knows of their loss, so that it need not wait for a call to time
 * out on a machine that is gone: {@link NodeReachability} in a node, a test's stand-in elsewhere.
 */
public interface NodeWatch {
  /** False while the node is known unreachable, or since it left the cluster. */
  boolean reachable(String nodeId);

  /** Runs {@code lost} if the node becomes unreachable (at once if it is) before the returned cancel runs. */
  Runnable whenUnreachable(String nodeId, Runnable lost);

  /**
   * Calls {@code removed} with the address of each member the cluster removes from now on (a crashed
   * one once downed, or one that left), until the returned cancel runs. A message to a sharded
   * entity that lived there is lost without an answer; once the member is removed its shards live
   * elsewhere, so a message sent again reaches the entity.
   */
  Runnable whenMembersRemoved(Consumer<String> removed);

  /** Every node reachable, none ever lost. */
  NodeWatch NONE = new NodeWatch() {
    @Override
    public boolean reachable(String nodeId) {
      return true;
    }

    @Override
    public Runnable whenUnreachable(String nodeId, Runnable lost) {
      return () -> { };
    }

    @Override
    public Runnable whenMembersRemoved(Consumer<String> removed) {
      return () -> { };
    }
  };
}
