package io.dcloud.identity;

import io.dcloud.serialization.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.LWWMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/**
 * What ends tokens before they expire, replicated to every node by Distributed Data, so a gateway
 * checks a token against its own copy (a map lookup) and never asks anyone per request. One
 * replicated map: {@code token:<id>} → when that token would have expired (entries past it are
 * pruned), {@code user:<name>} → the instant before which that user's tokens no longer count.
 *
 * <p>The registry singleton is the only writer, and it rewrites the whole map from its journal
 * after every recovery, so a cluster that restarts entirely (Distributed Data is in memory) still
 * refuses every token revoked before.
 */
public final class Revocations {
  public static final Key<LWWMap<String, Long>> KEY = LWWMapKey.create("dcloud-revocations");
  private static final String TOKEN = "token:";
  private static final String USER = "user:";
  /** A majority confirms a revocation; if it cannot in time, gossip still spreads it within seconds. */
  private static final Duration WRITE_TIMEOUT = Duration.ofSeconds(3);

  private Revocations() {}

  /** A gateway's view of the map, as epoch milliseconds. */
  public record Snapshot(Map<String, Long> entries) implements CborSerializable {
    public static final Snapshot NONE = new Snapshot(Map.of());

    /** Whether a token with this id, of this user, issued at {@code issuedAt}, has been revoked. */
    public boolean revokes(String tokenId, String username, Instant issuedAt) {
      if (entries.containsKey(TOKEN + tokenId)) {
        return true;
      }
      Long notBefore = entries.get(USER + username);
      return notBefore != null && issuedAt.toEpochMilli() < notBefore;
    }
  }

  /** Makes the replicated map say exactly what {@code users} says (expired tokens dropped). */
  static void publish(ActorSystem<?> system, Users users, Instant now) {
    SelfUniqueAddress self = DistributedData.get(system).selfUniqueAddress();
    ActorRef<Replicator.Command> replicator = DistributedData.get(system).replicator();
    replicator.tell(new Replicator.Update<>(
        KEY, LWWMap.empty(), new Replicator.WriteMajority(WRITE_TIMEOUT), system.ignoreRef(), current -> {
          LWWMap<String, Long> next = current;
          for (String key : current.getEntries().keySet()) {
            next = next.remove(self, key);
          }
          for (var entry : users.revokedTokens().entrySet()) {
            if (entry.getValue().isAfter(now)) {
              next = next.put(self, TOKEN + entry.getKey(), entry.getValue().toEpochMilli());
            }
          }
          for (var entry : users.notBefore().entrySet()) {
            next = next.put(self, USER + entry.getKey(), entry.getValue().toEpochMilli());
          }
          return next;
        }));
  }
}
