package io.dcloud.environment;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.testing.OneNodeCluster;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.internal.PoisonPill$;
import org.apache.pekko.actor.typed.internal.PoisonPillInterceptor;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.sharding.ClusterSharding;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.testkit.javadsl.TestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ShardWarmUpTest {
  private static ActorTestKit testKit;

  @BeforeAll
  static void start() {
    testKit = OneNodeCluster.start("ShardWarmUpTest");
  }

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void oneWarmUpIdPerShardNoneOfThemAnEnvironmentsId() {
    String[] ids = ShardWarmUp.idsByShard(1000);
    HashCodeMessageExtractor<Object> sharding = new HashCodeMessageExtractor<>(1000);
    for (int shard = 0; shard < ids.length; shard++) {
      assertThat(sharding.shardId(ids[shard])).isEqualTo(Integer.toString(shard));
      assertThat(ShardWarmUp.isWarmUpId(ids[shard])).isTrue();
    }
    assertThat(new HashSet<>(List.of(ids))).hasSize(1000);
    assertThat(ShardWarmUp.isWarmUpId(UUID.randomUUID().toString())).isFalse();
  }

  @Test
  void everyEnvironmentShardIsStartedAndNoWarmUpEntityStaysInMemory() {
    EnvironmentSharding.init(testKit.system(), testKit.<io.dcloud.scheduler.Scheduler.Command>createTestProbe().ref(),
        testKit.<org.apache.pekko.actor.typed.pubsub.Topic.Command<EnvironmentUpdate>>createTestProbe().ref(),
        testKit.<org.apache.pekko.actor.typed.pubsub.Topic.Command<EnvironmentEntity.Persisted>>createTestProbe().ref(),
        EnvironmentSharding.Settings.fromConfig(testKit.system().settings().config()), (service, view) -> { });
    ShardWarmUp.Settings shipped = ShardWarmUp.Settings.fromConfig(testKit.system().settings().config());
    assertThat(shipped.enabled()).isTrue();
    testKit.spawn(ShardWarmUp.create(
        new ShardWarmUp.Settings(true, Duration.ZERO, 8, Duration.ofSeconds(10), 2, shipped.numberOfShards())));

    org.apache.pekko.actor.ActorRef region =
        ClusterSharding.get(Adapter.toClassic(testKit.system())).shardRegion(EnvironmentEntity.TYPE_KEY.name());
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(60), Duration.ofMillis(200), () -> {
      ShardRegion.CurrentShardRegionState state = (ShardRegion.CurrentShardRegionState) Patterns
          .ask(region, ShardRegion.getShardRegionStateInstance(), Duration.ofSeconds(5)).toCompletableFuture().get();
      Set<String> shards = new HashSet<>();
      state.getShards().forEach(shard -> {
        shards.add(shard.shardId());
        assertThat(shard.getEntityIds()).as("live entities in shard %s", shard.shardId()).isEmpty();
      });
      assertThat(shards).hasSize(shipped.numberOfShards());
      return null;
    });
  }

  @Test
  void noMoreThanInFlightShardsAreAskedAtOnce() {
    TestKit region = new TestKit(Adapter.toClassic(testKit.system()));
    testKit.spawn(ShardWarmUp.create(new ShardWarmUp.Settings(true, Duration.ZERO, 2, Duration.ofSeconds(10), 2, 5),
        region.getRef()));
    String[] ids = ShardWarmUp.idsByShard(5);

    ShardRegion.StartEntity first = region.expectMsgClass(ShardRegion.StartEntity.class);
    org.apache.pekko.actor.ActorRef firstAsker = region.getLastSender();
    ShardRegion.StartEntity second = region.expectMsgClass(ShardRegion.StartEntity.class);
    assertThat(List.of(first.entityId(), second.entityId())).containsExactly(ids[0], ids[1]);
    region.expectNoMessage(Duration.ofMillis(300));

    firstAsker.tell(new ShardRegion.StartEntityAck(first.entityId(), "0"), region.getRef());
    assertThat(region.expectMsgClass(ShardRegion.StartEntity.class).entityId()).isEqualTo(ids[2]);
  }

  @Test
  void aShardNotAcknowledgedInTimeIsAskedAgainAfterTheOthersAsOftenAsRetriesSays() {
    TestKit region = new TestKit(Adapter.toClassic(testKit.system()));
    testKit.spawn(ShardWarmUp.create(new ShardWarmUp.Settings(true, Duration.ZERO, 1, Duration.ofMillis(200), 1, 2),
        region.getRef()));
    String[] ids = ShardWarmUp.idsByShard(2);

    assertThat(region.expectMsgClass(ShardRegion.StartEntity.class).entityId()).isEqualTo(ids[0]);
    // Not answered: after its ack timeout the warm-up moves on to the next shard, then asks again.
    acknowledgeNext(region, ids[1], "1");
    acknowledgeNext(region, ids[0], "0");
    region.expectNoMessage(Duration.ofMillis(500));
  }

  @Test
  void aShardIsAskedNoMoreThanOnceAndRetriesTimes() {
    TestKit region = new TestKit(Adapter.toClassic(testKit.system()));
    testKit.spawn(ShardWarmUp.create(new ShardWarmUp.Settings(true, Duration.ZERO, 1, Duration.ofMillis(100), 2, 1),
        region.getRef()));
    String[] ids = ShardWarmUp.idsByShard(1);

    for (int ask = 0; ask < 3; ask++) {
      assertThat(region.expectMsgClass(ShardRegion.StartEntity.class).entityId()).isEqualTo(ids[0]);
    }
    region.expectNoMessage(Duration.ofMillis(500));
  }

  private static void acknowledgeNext(TestKit region, String id, String shard) {
    assertThat(region.expectMsgClass(ShardRegion.StartEntity.class).entityId()).isEqualTo(id);
    region.getLastSender().tell(new ShardRegion.StartEntityAck(id, shard), region.getRef());
  }

  @Test
  void disabledItAsksNothingAndStopsWhenItsSingletonManagerStopsIt() {
    TestKit region = new TestKit(Adapter.toClassic(testKit.system()));
    // Wrapped as a typed cluster singleton is: its manager stops it with the PoisonPill signal, which
    // this interceptor turns into a stop unless the behavior handles it.
    ActorRef<ShardWarmUp.Command> warmUp = testKit.spawn(Behaviors.intercept(PoisonPillInterceptor::new, ShardWarmUp.create(
        new ShardWarmUp.Settings(false, Duration.ZERO, 2, Duration.ofSeconds(10), 2, 5), region.getRef())));
    region.expectNoMessage(Duration.ofMillis(300));

    // What the manager sends on hand-over and shutdown: a warm-up that ignored it held every shutdown
    // of its node for the 10 s of the cluster-exiting phase.
    Adapter.toClassic(warmUp).tell(PoisonPill$.MODULE$, org.apache.pekko.actor.ActorRef.noSender());
    testKit.createTestProbe().expectTerminated(warmUp, Duration.ofSeconds(5));
  }
}
