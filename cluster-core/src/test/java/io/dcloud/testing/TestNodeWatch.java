package io.dcloud.testing;

import io.dcloud.node.NodeWatch;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/** A {@link NodeWatch} whose losses the test decides: it loses a node or removes a member by calling these. */
public final class TestNodeWatch implements NodeWatch {
  private final Set<String> unreachable = ConcurrentHashMap.newKeySet();
  private final Map<String, Set<Runnable>> onLoss = new ConcurrentHashMap<>();
  private final Set<Consumer<String>> removalListeners = ConcurrentHashMap.newKeySet();

  @Override
  public boolean reachable(String nodeId) {
    return !unreachable.contains(nodeId);
  }

  @Override
  public Runnable whenUnreachable(String nodeId, Runnable lost) {
    Set<Runnable> waiting = onLoss.computeIfAbsent(nodeId, n -> ConcurrentHashMap.newKeySet());
    waiting.add(lost);
    return () -> waiting.remove(lost);
  }

  @Override
  public Runnable whenMembersRemoved(Consumer<String> removed) {
    removalListeners.add(removed);
    return () -> removalListeners.remove(removed);
  }

  /** What NodeReachability does when the failure detector gives up on a node: each watch runs once, and is dropped. */
  public void lose(String nodeId) {
    unreachable.add(nodeId);
    Set<Runnable> waiting = onLoss.remove(nodeId);
    if (waiting != null) {
      waiting.forEach(Runnable::run);
    }
  }

  /** The cluster removes the member at {@code address}. */
  public void removeMember(String address) {
    removalListeners.forEach(listener -> listener.accept(address));
  }

  /** The watches waiting on {@code nodeId}'s loss. */
  public int watching(String nodeId) {
    return onLoss.getOrDefault(nodeId, Set.of()).size();
  }

  /** Those listening for removals. */
  public int listeningForRemovals() {
    return removalListeners.size();
  }
}
