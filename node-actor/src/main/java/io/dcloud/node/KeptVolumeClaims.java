package io.dcloud.node;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * The kept volumes of this node promised to environments being created (see
 * {@link NodeProtocol.ClaimVolume}). The node is where two creates naming one volume meet whatever
 * gateway each came through; a promise expires, as the environment's own record keeps the volume
 * from then on, and a create that failed gives its promise back.
 */
final class KeptVolumeClaims {
  private record Claim(String environmentId, long expiresAtNanos) {}

  private final Map<String, Claim> claims = new HashMap<>();
  private final long ttlNanos;
  private final LongSupplier nanoTime;

  KeptVolumeClaims(Duration ttl, LongSupplier nanoTime) {
    this.ttlNanos = ttl.toNanos();
    this.nanoTime = nanoTime;
  }

  /** The environment {@code volume} is promised to now: {@code environmentId} unless another's promise holds. */
  String claim(String volume, String environmentId) {
    long now = nanoTime.getAsLong();
    claims.values().removeIf(claim -> now - claim.expiresAtNanos() >= 0);
    Claim held = claims.get(volume);
    if (held != null && !held.environmentId().equals(environmentId)) {
      return held.environmentId();
    }
    claims.put(volume, new Claim(environmentId, now + ttlNanos));
    return environmentId;
  }

  /** Gives {@code environmentId}'s promise of {@code volume} back; another's is kept. */
  void release(String volume, String environmentId) {
    Claim held = claims.get(volume);
    if (held != null && held.environmentId().equals(environmentId)) {
      claims.remove(volume);
    }
  }
}
