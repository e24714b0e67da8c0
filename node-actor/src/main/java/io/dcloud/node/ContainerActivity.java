package io.dcloud.node;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When a user last reached into each environment on this node (a command, a file transfer, a
 * proxied request): traffic the container's own CPU may not show, so idle culling ({@link
 * IdleCulling}) can tell a quiet shell or a notebook being read from an abandoned environment.
 * Thread-safe: sessions and the proxy mark it from their stream threads.
 */
public final class ContainerActivity {
  private final ConcurrentHashMap<String, Instant> lastActivity = new ConcurrentHashMap<>();
  private final Clock clock;

  public ContainerActivity() {
    this(Clock.systemUTC());
  }

  ContainerActivity(Clock clock) {
    this.clock = clock;
  }

  /** Marks environment {@code environmentId} as used now. */
  public void activity(String environmentId) {
    lastActivity.put(environmentId, clock.instant());
  }

  /** When it was last used through DCloud; empty if never since this node started. */
  public Optional<Instant> lastActivity(String environmentId) {
    return Optional.ofNullable(lastActivity.get(environmentId));
  }
}
