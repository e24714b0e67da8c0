package io.dcloud.node;

import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When each environment on this node last had a user's traffic (exec, files, proxy): idle culling
 * stops one that had none for its idle-timeout. Called from any thread.
 */
public final class ContainerActivity {
  private final ConcurrentHashMap<String, Instant> last = new ConcurrentHashMap<>();

  /** The environment {@code id} has traffic now. */
  public void activity(String id) {
    last.put(id, Instant.now());
  }

  /** When the environment {@code id} last had traffic; null when never (on this node, since it started). */
  public Instant lastActivity(String id) {
    return last.get(id);
  }
}
