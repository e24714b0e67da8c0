package io.dcloud.bench;

import com.typesafe.config.Config;
import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.FoldedEnvironments;
import io.dcloud.environment.EnvironmentEntity;
import java.time.Duration;
import java.lang.management.ManagementFactory;
import java.util.concurrent.locks.LockSupport;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/** Used heap after a full collection, in bytes, at three moments of the run, and what a read side adds. */
final class HeapUse {
  long baseline;
  long live;
  int liveEntities;
  long passivated;
  /** The heap a second read side (EnvironmentDirectory, as a gateway's) took, and how many environments it holds. */
  long readSide;
  int readSideEnvironments;

  static void weigh(ActorSystem<?> system, HeapUse memory, PlacementOptions options) {
    memory.liveEntities = liveEntities(system);
    memory.live = usedHeapAfterGc();
    System.out.printf("bench: %d live entities; waiting for them to passivate (idle %s)%n", memory.liveEntities, options.idle());
    long deadline = System.nanoTime() + options.idle().multipliedBy(3).toNanos();
    while (liveEntities(system) > 0 && System.nanoTime() < deadline) {
      LockSupport.parkNanos(PlacementRun.POLL.toNanos() * 4);
    }
    memory.passivated = usedHeapAfterGc();
  }

  /**
   * Starts a second read side like the one this process already runs (the control role's), waits
   * until it has read every environment from the journal, and weighs what it holds: the heap a
   * gateway's directory costs per environment. Everything else is at rest (entities passivated).
   */
  static void weighReadSide(ActorSystem<?> system, HeapUse memory, int environments, Duration timeout) {
    Config config = system.settings().config();
    ActorRef<Topic.Command<EnvironmentEntity.Persisted>> events = system.systemActorOf(
        Topic.create(EnvironmentEntity.Persisted.class, EnvironmentEntity.EVENTS_TOPIC), "bench-read-side-events",
        Props.empty());
    long before = usedHeapAfterGc();
    ActorRef<EnvironmentDirectory.Command> directory = system.systemActorOf(
        EnvironmentDirectory.create(config.getString("dcloud.read-side.journal-plugin"), events,
            config.getDuration("dcloud.read-side.refresh-interval"), config.getDuration("dcloud.read-side.full-refresh-interval"),
            new FoldedEnvironments()),
        "bench-read-side", Props.empty());
    System.out.printf("bench: a second read side reads %d environments from the journal%n", environments);
    long deadline = System.nanoTime() + timeout.toNanos();
    int known = 0;
    while (known < environments && System.nanoTime() < deadline) {
      LockSupport.parkNanos(PlacementRun.POLL.toNanos() * 2);
      known = PlacementRun.<EnvironmentDirectory.Command, EnvironmentDirectory.Listing>ask(system, directory,
          replyTo -> new EnvironmentDirectory.ListEnvironments(null, null, replyTo)).environments().size();
    }
    memory.readSideEnvironments = known;
    memory.readSide = usedHeapAfterGc() - before;
  }

  private static int liveEntities(ActorSystem<?> system) {
    ShardRegion.CurrentShardRegionState state = PlacementRun.ask(system, ClusterSharding.get(system).shardState(),
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
