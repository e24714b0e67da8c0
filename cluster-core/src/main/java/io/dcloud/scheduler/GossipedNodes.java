package io.dcloud.scheduler;

import io.dcloud.node.NodeStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;

/**
 * The scheduler's view of the workers: what they gossip (Distributed Data, one map in parts, see
 * {@code NodeGossip}), which cluster members are unreachable, and which nodes it declared lost.
 * Not persisted: gossip refills it within seconds of a failover. Used only on the scheduler's
 * thread.
 */
final class GossipedNodes {
  private final NodeMembership membership;
  /** Nodes lost since this scheduler started, with their last status: listed as DOWN until they return. */
  private final Map<String, NodeStatus> down = new LinkedHashMap<>();
  /** Sorted by node id: placement ranks them in that order. */
  private final SortedMap<String, NodeStatus> nodes = new TreeMap<>();
  /** The last content of each part of the gossiped node map, whose union is {@link #nodes}. */
  private final Map<Key<LWWMap<String, NodeStatus>>, Map<String, NodeStatus>> parts = new HashMap<>();
  /** {@link #nodes}' values, for placement to walk by index. */
  private List<NodeStatus> sorted = List.of();

  GossipedNodes(NodeMembership membership) {
    this.membership = membership;
  }

  /** One part of the gossiped map changed; {@code content} is that part's whole content. */
  void partChanged(Key<LWWMap<String, NodeStatus>> part, Map<String, NodeStatus> content, Duration staleAfter) {
    Map<String, NodeStatus> before = parts.put(part, content);
    if (before != null) {
      nodes.keySet().removeAll(before.keySet());
    }
    nodes.putAll(content);
    sorted = List.copyOf(nodes.values());
    if (!down.isEmpty()) {
      List<String> lost = lost(staleAfter);
      down.keySet().removeIf(nodeId -> nodes.containsKey(nodeId) && !lost.contains(nodeId));
    }
  }

  /** Applies a membership change; answers the member removed from the cluster, or null. */
  List<String> membershipChanged(ClusterEvent.ClusterDomainEvent event) {
    String removed = membership.apply(event);
    if (removed == null) {
      return List.of();
    }
    return nodes.values().stream().filter(s -> removed.equals(s.member())).map(NodeStatus::nodeId).toList();
  }

  /** Nodes whose process is gone: removed from the cluster, or silent for {@code staleAfter}. */
  List<String> lost(Duration staleAfter) {
    Instant now = Instant.now();
    return nodes.values().stream()
        .filter(status -> membership.lost(status, now, staleAfter))
        .map(NodeStatus::nodeId)
        .toList();
  }

  /** The node is lost: no longer a candidate, listed as DOWN until it gossips again. */
  void markDown(String nodeId) {
    NodeStatus last = nodes.remove(nodeId);
    if (last != null) {
      down.put(nodeId, last);
      sorted = List.copyOf(nodes.values());
    }
  }

  boolean knows(String nodeId) {
    return nodes.containsKey(nodeId);
  }

  NodeStatus get(String nodeId) {
    return nodes.get(nodeId);
  }

  /** Down, unreachable and departed nodes take nothing new, whatever operators said. */
  boolean available(NodeStatus status) {
    return !membership.unreachable(status) && !membership.left(status) && !down.containsKey(status.nodeId());
  }

  /**
   * Every node, sorted by id, as a view that builds each candidate only when placement looks at
   * it (a thousand nodes, of which placement ranks a few dozen).
   */
  <T> List<T> lazily(java.util.function.Function<NodeStatus, T> candidate) {
    List<NodeStatus> snapshot = sorted;
    return new AbstractList<>() {
      @Override
      public T get(int index) {
        return candidate.apply(snapshot.get(index));
      }

      @Override
      public int size() {
        return snapshot.size();
      }
    };
  }

  /** Every known node with what the scheduler holds on it, the down ones included, sorted by id. */
  Scheduler.Nodes view(SchedulerState state) {
    return new Scheduler.Nodes(withDown().stream().map(status -> view(state, status)).toList());
  }

  NodeView view(SchedulerState state, NodeStatus status) {
    String id = status.nodeId();
    return new NodeView(status, stateOf(status, state), state.reservedOn(id), List.copyOf(state.gpusInUseOn(id)),
        state.environmentCountOn(id));
  }

  /** Every known node, the down ones included, sorted by id. */
  private List<NodeStatus> withDown() {
    Map<String, NodeStatus> all = new LinkedHashMap<>(down);
    all.putAll(nodes);
    List<NodeStatus> listed = new ArrayList<>(all.values());
    listed.sort(Comparator.comparing(NodeStatus::nodeId));
    return listed;
  }

  private NodeAvailability stateOf(NodeStatus status, SchedulerState state) {
    String id = status.nodeId();
    if (down.containsKey(id) && !nodes.containsKey(id)) {
      return NodeAvailability.DOWN;
    }
    if (membership.unreachable(status)) {
      return NodeAvailability.UNREACHABLE;
    }
    if (state.draining().contains(id)) {
      return NodeAvailability.DRAINING;
    }
    return state.cordoned(id) ? NodeAvailability.CORDONED : NodeAvailability.UP;
  }
}
