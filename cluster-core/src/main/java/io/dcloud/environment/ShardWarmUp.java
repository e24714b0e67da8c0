package io.dcloud.environment;

import com.typesafe.config.Config;
import io.dcloud.ask.Asks;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.ClusterSharding;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.HashCodeMessageExtractor;
import org.apache.pekko.pattern.Patterns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Allocates every environment shard soon after the cluster forms, before creates need them.
 *
 * <p>Why: a shard's first message makes the shard coordinator allocate it, which writes the
 * coordinator's whole state to the other members and waits for them, one allocation at a time for
 * the whole cluster: about 10 ms on idle machines, 60–80 ms with both cores of a machine busy
 * (about ten new shards a second). Environment ids are random, so each of a fresh cluster's first
 * thousand or so creates lands in a shard not yet allocated, and under load they queued behind each
 * other for seconds, past the gateway's ask timeout (docs/BENCHMARKS.md §10, overload).
 *
 * <p>How: one warm-up id per shard, from Pekko's own hashing of entity ids, each sent as a
 * {@link ShardRegion.StartEntity} and answered once its shard has started. The entity factory gives
 * warm-up ids a behavior that stops at once ({@link #isWarmUpId}): a warm-up reads nothing from the
 * journal and leaves nothing in memory. A few at a time ({@code in-flight}), each after the last was
 * acknowledged, so a create that needs a new shard meanwhile waits behind at most that many. A shard
 * not acknowledged in time (its allocation's write to the other members timed out while a node was
 * still starting, say) is asked again after the others, up to {@code retries} times. Runs as
 * a cluster singleton; a new incarnation (another oldest node) goes over the shards again, which for
 * allocated shards costs a lookup each.
 */
public final class ShardWarmUp {
  private static final Logger log = LoggerFactory.getLogger(ShardWarmUp.class);
  private static final String ID_PREFIX = "shard-warm-up-";

  private ShardWarmUp() {}

  /** True for the ids this warm-up sends: never an environment's (those are UUIDs). */
  public static boolean isWarmUpId(String entityId) {
    return entityId.startsWith(ID_PREFIX);
  }

  /** From {@code dcloud.environment.shard-warm-up} and {@code pekko.cluster.sharding.number-of-shards}. */
  public record Settings(boolean enabled, Duration delay, int inFlight, Duration ackTimeout, int retries, int numberOfShards) {
    public static Settings fromConfig(Config root) {
      Config config = root.getConfig("dcloud.environment.shard-warm-up");
      return new Settings(config.getBoolean("enabled"), config.getDuration("delay"), Math.max(1, config.getInt("in-flight")),
          config.getDuration("ack-timeout"), Math.max(0, config.getInt("retries")),
          root.getInt("pekko.cluster.sharding.number-of-shards"));
    }
  }

  public sealed interface Command {}

  private enum Begin implements Command, NoSerializationVerificationNeeded { INSTANCE }

  private record Acknowledged(int shard, Throwable failure)
      implements Command, NoSerializationVerificationNeeded {}

  /** One id for each shard, indexed by shard number: the first of {@code shard-warm-up-0, -1, ...} that hashes to it. */
  static String[] idsByShard(int numberOfShards) {
    HashCodeMessageExtractor<Object> sharding = new HashCodeMessageExtractor<>(numberOfShards);
    String[] ids = new String[numberOfShards];
    int found = 0;
    for (long k = 0; found < numberOfShards; k++) {
      String id = ID_PREFIX + k;
      int shard = Integer.parseInt(sharding.shardId(id));
      if (ids[shard] == null) {
        ids[shard] = id;
        found++;
      }
    }
    return ids;
  }

  /** Through this node's region of {@link EnvironmentEntity#TYPE_KEY} (started before this). */
  public static Behavior<Command> create(Settings settings) {
    return Behaviors.setup(context -> create(settings,
        ClusterSharding.get(Adapter.toClassic(context.getSystem())).shardRegion(EnvironmentEntity.TYPE_KEY.name())));
  }

  /** Through {@code region}, a classic shard region (or a stand-in for it in a test). */
  static Behavior<Command> create(Settings settings, org.apache.pekko.actor.ActorRef region) {
    if (!settings.enabled()) {
      // Not Behaviors.ignore(): that ignores the PoisonPill signal its singleton manager stops it
      // with, and every shutdown of the node then waited out the cluster-exiting phase (10 s).
      return Behaviors.empty();
    }
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startSingleTimer(Begin.INSTANCE, settings.delay());
      return Behaviors.receive(Command.class)
          .onMessageEquals(Begin.INSTANCE, () -> new Pass(context, settings, region).begin())
          .build();
    }));
  }

  /** One pass over every shard, and then over those not acknowledged, as often as {@code retries} says. */
  private static final class Pass {
    private final ActorContext<Command> context;
    private final Settings settings;
    private final org.apache.pekko.actor.ActorRef region;
    private final Counter warmed = Counter.builder("dcloud.environment.shards.warmed")
        .description("Environment shards this process's warm-up saw started (allocated ahead of their first create)")
        .register(Metrics.globalRegistry);
    private String[] ids;
    /** Shards to ask, in order: every shard, then those to ask again. */
    private final Deque<Integer> pending = new ArrayDeque<>();
    private int[] asked;
    private int outstanding;
    private int retried;
    private int failed;
    private Throwable firstFailure;
    private long began;

    Pass(ActorContext<Command> context, Settings settings, org.apache.pekko.actor.ActorRef region) {
      this.context = context;
      this.settings = settings;
      this.region = region;
    }

    Behavior<Command> begin() {
      ids = idsByShard(settings.numberOfShards());
      asked = new int[ids.length];
      for (int shard = 0; shard < ids.length; shard++) {
        pending.add(shard);
      }
      began = System.nanoTime();
      log.info("Allocating all {} environment shards ahead of their first creates, {} at a time",
          ids.length, settings.inFlight());
      sendWhileRoom();
      return Behaviors.receive(Command.class).onMessage(Acknowledged.class, this::onAcknowledged).build();
    }

    private void sendWhileRoom() {
      while (outstanding < settings.inFlight() && !pending.isEmpty()) {
        send(pending.poll());
      }
    }

    private void send(int shard) {
      asked[shard]++;
      outstanding++;
      Asks.pipeToSelf(context, Patterns.ask(region, new ShardRegion.StartEntity(ids[shard]), settings.ackTimeout()),
          (ack, failure) -> new Acknowledged(shard, failure));
    }

    private Behavior<Command> onAcknowledged(Acknowledged acknowledged) {
      outstanding--;
      int shard = acknowledged.shard();
      if (acknowledged.failure() == null) {
        warmed.increment();
      } else if (asked[shard] <= settings.retries()) {
        retried++;
        pending.add(shard);
        log.debug("Environment shard {} not acknowledged ({}); asking again after the others", shard,
            acknowledged.failure().toString());
      } else {
        failed++;
        if (firstFailure == null) {
          firstFailure = acknowledged.failure();
        }
        log.debug("Environment shard {} not acknowledged: {}", shard, acknowledged.failure().toString());
      }
      sendWhileRoom();
      if (outstanding > 0) {
        return Behaviors.same();
      }
      Duration took = Duration.ofNanos(System.nanoTime() - began);
      if (failed == 0) {
        log.info("All {} environment shards allocated in {} ms ({} asked again)", ids.length, took.toMillis(), retried);
      } else {
        log.warn("{} of {} environment shards were not acknowledged, each asked {} times ({} ms in all; the first: {}); "
            + "each is allocated at its first create instead", failed, ids.length, settings.retries() + 1, took.toMillis(),
            firstFailure.toString());
      }
      return Behaviors.empty();
    }
  }
}
