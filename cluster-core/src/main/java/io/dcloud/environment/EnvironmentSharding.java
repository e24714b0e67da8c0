package io.dcloud.environment;

import io.dcloud.environment.EnvironmentEntity.Command;
import io.dcloud.environment.EnvironmentEntity.Create;
import io.dcloud.environment.EnvironmentEntity.FromScheduler;
import io.dcloud.environment.EnvironmentEntity.Passivate;
import io.dcloud.environment.EnvironmentEntity.Persisted;
import io.dcloud.environment.EnvironmentEntity.Wake;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.node.NodeLocator;
import io.dcloud.scheduler.PlacementAnswer;
import io.dcloud.scheduler.Scheduler;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BiConsumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * How environment entities ({@link EnvironmentEntity}) start and what they share: their tunables,
 * the wiring every entity of a process holds once, and sharding's init, wake and routes to them.
 */
public final class EnvironmentSharding {
  private EnvironmentSharding() {}

  /** Tunables from {@code dcloud.environment} (see reference.conf). */
  public record Settings(
      Duration retryInterval, int historyLimit, BackoffSupervisorStrategy journalBackoff, RestartBackoff restartBackoff,
      Duration resizeTimeout) {
    /** {@code root} is the whole configuration. */
    public static Settings fromConfig(com.typesafe.config.Config root) {
      com.typesafe.config.Config config = root.getConfig("dcloud.environment");
      return new Settings(
          config.getDuration("retry-interval"), config.getInt("history-limit"),
          JournalBackoff.forManyFromConfig(root), RestartBackoff.fromConfig(config.getConfig("restart-backoff")),
          config.getDuration("resize-timeout"));
    }
  }

  /**
   * How long an exited container waits before its restart policy starts it again: {@code initial}
   * the first time, doubling with each restart in a row up to {@code max}; a container that ran
   * {@code resetAfter} before it exited starts the count over (Kubernetes' crash-loop back-off).
   */
  public record RestartBackoff(Duration initial, Duration max, Duration resetAfter) {
    static RestartBackoff fromConfig(com.typesafe.config.Config config) {
      return new RestartBackoff(config.getDuration("initial"), config.getDuration("max"), config.getDuration("reset-after"));
    }

    /** The wait before the {@code restart}th restart in a row (the first is 1). */
    public Duration delay(int restart) {
      Duration delay = initial;
      for (int i = 1; i < restart && delay.compareTo(max) < 0; i++) {
        delay = delay.multipliedBy(2);
      }
      return delay.compareTo(max) > 0 ? max : delay;
    }
  }

  /**
   * What every entity of a process shares, held once rather than field by field in each of
   * (possibly) a hundred thousand live entities. {@code nodes} delivers to node actors by id;
   * {@code retryVia} delivers the entity's retry ticks (to the entity of the given id): through
   * its shard when sharded (see {@link EnvironmentEntity.RetryTick}), directly in a test.
   * {@code replicaChanged} tells a service (by name) the view of its replica as soon as the
   * replica's status or readiness changed, so the service need not wait for its next look to send
   * calls to a replica ready, or to replace one gone.
   */
  public record Wiring(
      ActorRef<Scheduler.Command> scheduler,
      ActorRef<NodeLocator.Command> nodes,
      ActorRef<Topic.Command<EnvironmentUpdate>> updates,
      ActorRef<Topic.Command<Persisted>> events,
      Settings settings,
      Clock clock,
      BiConsumer<String, Command> retryVia,
      BiConsumer<String, EnvironmentView> replicaChanged) {}

  /** The journal's id of an environment's events. */
  public static String persistenceId(String environmentId) {
    return PersistenceId.of(EnvironmentEntity.TYPE_KEY.name(), environmentId).id();
  }

  /** {@code replicaChanged}: see {@link Wiring}. */
  public static void init(
      ActorSystem<?> system,
      ActorRef<Scheduler.Command> scheduler,
      ActorRef<Topic.Command<EnvironmentUpdate>> updates,
      ActorRef<Topic.Command<Persisted>> events,
      Settings settings,
      BiConsumer<String, EnvironmentView> replicaChanged) {
    ClusterSharding sharding = ClusterSharding.get(system);
    ActorRef<NodeLocator.Command> nodes = system.systemActorOf(NodeLocator.create(), "node-locator", Props.empty());
    Wiring wiring = new Wiring(
        scheduler, nodes, updates, events, settings, Clock.systemUTC(),
        (environmentId, tick) -> sharding.entityRefFor(EnvironmentEntity.TYPE_KEY, environmentId).tell(tick),
        replicaChanged);
    sharding.init(Entity.of(EnvironmentEntity.TYPE_KEY, entityContext -> ShardWarmUp.isWarmUpId(entityContext.getEntityId())
            // Only starts its shard (see ShardWarmUp): no journal read, nothing kept.
            ? Behaviors.<Command>stopped()
            : createOnFirstMessage(entityContext.getEntityId(), wiring))
        .withStopMessage(new Passivate()));
  }

  /** Starts the entity of environment {@code environmentId} wherever its shard now lives (see {@link EnvironmentEntity.Wake}). */
  public static void wake(ActorSystem<?> system, String environmentId) {
    ClusterSharding.get(system).entityRefFor(EnvironmentEntity.TYPE_KEY, environmentId).tell(new Wake());
  }

  /** Where the scheduler's answers go: to each environment's entity, through sharding. */
  public static PlacementAnswer.Route answersVia(ActorSystem<?> system) {
    ClusterSharding sharding = ClusterSharding.get(system);
    return (environmentId, answer) -> sharding.entityRefFor(EnvironmentEntity.TYPE_KEY, environmentId).tell(new FromScheduler(answer));
  }

  public static Behavior<Command> create(String environmentId, Wiring wiring) {
    return Behaviors.setup(context -> new EnvironmentBehavior(environmentId, context, wiring, false));
  }

  /**
   * The entity as sharding starts it: a Create under a new id as its first message starts it
   * without reading the journal (see {@link EnvironmentEntity.Create#newId()}); any other first message, with the
   * journal's recovery. Only the first message is held here, until the entity has started.
   */
  public static Behavior<Command> createOnFirstMessage(String environmentId, Wiring wiring) {
    return Behaviors.withStash(1, firstMessage -> Behaviors.receiveMessage(first -> {
      firstMessage.stash(first);
      boolean newId = first instanceof Create create && create.newId();
      return firstMessage.unstashAll(
          Behaviors.setup(context -> new EnvironmentBehavior(environmentId, context, wiring, newId)));
    }));
  }
}
