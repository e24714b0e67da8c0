package io.dcloud.node;

import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/** When each environment of this node was last used through DCloud (a proxied request, say). */
public final class ContainerActivity {
  private final ConcurrentHashMap<String, Instant> last = new ConcurrentHashMap<>();

  public void activity(String environmentId) {
    last.put(environmentId, Instant.now());
  }

  public Optional<Instant> lastActivity(String environmentId) {
    return Optional.ofNullable(last.get(environmentId));
  }
}
