package io.dcloud.node;

import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * When a user last reached into each environment on this node (an interactive command, a file
 * transfer): traffic the container's own CPU and network use may not show, so an idle-culling
 * policy can tell a quiet shell from an abandoned environment. Thread-safe: sessions mark it from
 * their stream threads.
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

  /** When it was last used through a shell or a file transfer; empty if never since this node started. */
  public Optional<Instant> lastActivity(String environmentId) {
    return Optional.ofNullable(lastActivity.get(environmentId));
  }
}
