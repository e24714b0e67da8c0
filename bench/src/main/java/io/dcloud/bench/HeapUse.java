package io.dcloud.bench;

import io.dcloud.environment.EnvironmentEntity;
import java.lang.management.ManagementFactory;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** Used heap after a full collection, in bytes, at three moments of the run. */
final class HeapUse {
  long baseline;
  long live;
  int liveEntities;
  long passivated;

  static void weigh(ActorSystem<?> system, HeapUse memory, PlacementBenchmark.Options options) {
    memory.liveEntities = liveEntities(system);
    memory.live = usedHeapAfterGc();
    System.out.printf("bench: %d live entities; waiting for them to passivate (idle %s)%n", memory.liveEntities, options.idle());
    long deadline = System.nanoTime() + options.idle().multipliedBy(3).toNanos();
    while (liveEntities(system) > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(PlacementBenchmark.POLL.toNanos() * 4);
    }
    memory.passivated = usedHeapAfterGc();
  }

  private static int liveEntities(ActorSystem<?> system) {
    ShardRegion.CurrentShardRegionState state = PlacementBenchmark.ask(system, ClusterSharding.get(system).shardState(),
        replyTo -> new GetShardRegionState(EnvironmentEntity.TYPE_KEY, replyTo));
    return state.getShards().stream().mapToInt(shard -> shard.getEntityIds().size()).sum();
  }

  static long usedHeapAfterGc() {
    for (int i = 0; i < 3; i++) {
      System.gc();
    }
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }
}
