package io.dcloud.node;

import java.util.List;
import java.util.stream.IntStream;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;

/**
 * The Distributed Data keys under which every worker gossips its {@link NodeStatus}: LWWMaps of one
 * entry per node id, each entry written only by its node (so last-writer-wins never loses anything).
 *
 * <p>The node map is split over {@link #PARTS} keys by node id. Distributed Data replicates and
 * merges a key's value whole, so with one map every status update cost work proportional to the
 * whole cluster, on every member: with 1,000 nodes that was a fifth of a two-core process. A part
 * holds about 1/32 of the nodes. The split is part of the wire protocol, not a tunable: every member
 * must split alike.
 */
public final class NodeGossip {
  public static final int PARTS = 32;

  /** 2^32 divided by the golden ratio. */
  private static final int FIBONACCI_MULTIPLIER = 0x9E3779B9;

  private static final List<Key<LWWMap<String, NodeStatus>>> KEYS =
      IntStream.range(0, PARTS).mapToObj(part -> (Key<LWWMap<String, NodeStatus>>) LWWMapKey.<String, NodeStatus>create("dcloud-nodes-" + part)).toList();

  private NodeGossip() {}

  /** The key holding {@code nodeId}'s status. */
  public static Key<LWWMap<String, NodeStatus>> keyFor(String nodeId) {
    // Fibonacci hashing: String.hashCode modulo a power of two depends on few bits, and sequential
    // names ("gpu-0001", "gpu-0002", ...) would crowd a few parts.
    int mixed = nodeId.hashCode() * FIBONACCI_MULTIPLIER;
    return KEYS.get((mixed >>> Integer.SIZE / 2) % PARTS);
  }

  /** Every part of the node map. */
  public static List<Key<LWWMap<String, NodeStatus>>> keys() {
    return KEYS;
  }

  /** One process incarnation: a restarted process on the same host and port is another member. */
  public static String memberId(UniqueAddress member) {
    return member.address() + "#" + member.longUid();
  }
}
