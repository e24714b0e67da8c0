package io.dcloud.scheduler;

import io.dcloud.node.NodeGossip;
import io.dcloud.node.NodeStatus;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/**
 * How the scheduler learns what the nodes gossip: it reads every part of the node map (see {@link
 * NodeGossip}) from its own member's replicator each {@code dcloud.scheduler.node-gossip-read-interval}
 * and acts on the parts that changed.
 *
 * <p>Read, not subscribed: for a subscribed key the replicator serializes the key's whole value and
 * hashes it at the first change of every notification period, to learn whether subscribers need
 * telling; with a thousand nodes gossiping, that digest was 8 % of a busy node's CPU (the profiles of
 * docs/BENCHMARKS.md §10). A local read costs one message and no serialization, and an unchanged
 * part is the very object read before. A read the scheduler had to drop (its stash full while the
 * journal is slow) is made again at the next tick, where a dropped change notification was lost
 * until the part changed again.
 */
final class NodeGossipReader {
  private final ActorRef<Replicator.Command> replicator;
  private final ActorRef<Replicator.GetResponse<LWWMap<String, NodeStatus>>> replies;
  /** Each part as last read; a part without nodes is absent. */
  private final Map<Key<LWWMap<String, NodeStatus>>, LWWMap<String, NodeStatus>> lastRead = new HashMap<>();

  NodeGossipReader(ActorRef<Replicator.Command> replicator,
      ActorRef<Replicator.GetResponse<LWWMap<String, NodeStatus>>> replies) {
    this.replicator = replicator;
    this.replies = replies;
  }

  /** Asks the local replicator for every part; the answers go to {@code replies}. */
  void readAll() {
    for (Key<LWWMap<String, NodeStatus>> part : NodeGossip.keys()) {
      replicator.tell(new Replicator.Get<>(part, Replicator.readLocal(), replies));
    }
  }

  /**
   * The nodes of the part answered for, when it changed since it was last read (empty once the part
   * holds none any more); null when it did not change.
   */
  Map<String, NodeStatus> changed(Replicator.GetResponse<LWWMap<String, NodeStatus>> response) {
    if (response instanceof Replicator.GetSuccess<LWWMap<String, NodeStatus>> success) {
      LWWMap<String, NodeStatus> part = success.dataValue();
      // The replicator keeps a value until a write or a merge replaces it: the same object is the same content.
      return lastRead.put(success.key(), part) == part ? null : Map.copyOf(part.getEntries());
    }
    // Not found (never written, or deleted): no nodes, news only if there were some.
    return lastRead.remove(response.key()) == null ? null : Map.of();
  }
}
