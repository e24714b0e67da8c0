package io.dcloud.node;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/** A cluster's word on its members for a test: every node reachable, and the removals the test tells of. */
public final class ScriptedRemovals implements NodeWatch {
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();

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
    listeners.add(removed);
    return () -> listeners.remove(removed);
  }

  /** The cluster removes the member at {@code address}. */
  public void remove(String address) {
    listeners.forEach(listener -> listener.accept(address));
  }
}
