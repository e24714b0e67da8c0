package io.dcloud.identity;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Refuses sign-ins after a burst of failures, per username and per client address (each counted on
 * its own, so guessing one user's password from many addresses and many users' from one both stop):
 * at most {@code maxFailures} failures in any {@code window}. Kept per gateway, in memory.
 */
public final class LoginThrottle {
  private final int maxFailures;
  private final Duration window;
  private final ConcurrentHashMap<String, Deque<Instant>> failures = new ConcurrentHashMap<>();

  public LoginThrottle(int maxFailures, Duration window) {
    this.maxFailures = maxFailures;
    this.window = window;
  }

  /** How long until this user from this address may try again; zero when they may now. */
  public Duration waitBefore(String username, String address, Instant now) {
    Duration user = waitFor("user:" + username, now);
    Duration client = waitFor("address:" + address, now);
    return user.compareTo(client) >= 0 ? user : client;
  }

  public void failed(String username, String address, Instant now) {
    record("user:" + username, now);
    record("address:" + address, now);
  }

  public void succeeded(String username) {
    failures.remove("user:" + username);
  }

  private Duration waitFor(String key, Instant now) {
    Deque<Instant> recent = failures.get(key);
    if (recent == null) {
      return Duration.ZERO;
    }
    synchronized (recent) {
      prune(recent, now);
      if (recent.isEmpty()) {
        failures.remove(key, recent);
      }
      if (recent.size() < maxFailures) {
        return Duration.ZERO;
      }
      return Duration.between(now, recent.peekFirst().plus(window));
    }
  }

  private void record(String key, Instant now) {
    Deque<Instant> recent = failures.computeIfAbsent(key, k -> new ArrayDeque<>());
    synchronized (recent) {
      prune(recent, now);
      recent.addLast(now);
    }
  }

  private void prune(Deque<Instant> recent, Instant now) {
    while (!recent.isEmpty() && !recent.peekFirst().plus(window).isAfter(now)) {
      recent.removeFirst();
    }
  }
}
