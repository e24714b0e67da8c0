package io.dcloud.identity;

import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/**
 * Keeps this node's copy of {@link Revocations} in {@code into}, which the gateway reads on every
 * request without asking an actor.
 */
public final class RevocationView {
  private RevocationView() {}

  private record Changed(Replicator.SubscribeResponse<LWWMap<String, Long>> response) {}

  public static Behavior<Object> create(AtomicReference<Revocations.Snapshot> into) {
    return DistributedData.<Object, LWWMap<String, Long>>withReplicatorMessageAdapter(replicator -> {
          replicator.subscribe(Revocations.KEY, Changed::new);
          return Behaviors.receive(Object.class)
              .onMessage(Changed.class, changed -> {
                if (changed.response() instanceof Replicator.Changed<LWWMap<String, Long>> current) {
                  into.set(new Revocations.Snapshot(Map.copyOf(current.get(Revocations.KEY).getEntries())));
                }
                return Behaviors.same();
              })
              .build();
        });
  }
}
