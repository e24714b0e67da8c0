package io.dcloud.service;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.serialization.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BiConsumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One service, sharded by name and event sourced: it keeps {@code replicas} environments alive by
 * creating and deleting ordinary environments through their entities. This class is its protocol,
 * its events (their class names are in the journal: they never move) and its wiring; the behavior is
 * {@link ServiceBehavior}, the fold {@link ServiceState#apply}, the decisions {@link Reconciliation}.
 */
public final class ServiceEntity {
  private ServiceEntity() {}

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Service");

  // ---------------------------------------------------------------- protocol

  public sealed interface Command extends CborSerializable {}

  /** Who may create one (the roles) is the gateway's check; a name in use is a Conflict. */
  public record Create(ServiceDefinition definition, String owner, ActorRef<Reply> replyTo) implements Command {}

  public record Get(ActorRef<Reply> replyTo) implements Command {}

  /** The definition the service runs now, answered as {@link Defined} (to edit and apply again). */
  public record GetDefinition(ActorRef<Reply> replyTo) implements Command {}

  public record Scale(int replicas, String actor, ActorRef<Reply> replyTo) implements Command {}

  /**
   * A new version of the service ({@code definition}'s name and kind must be the service's): its
   * replicas are replaced one at a time, each old one retired only once a new one is ready, so the
   * service keeps answering while it rolls. Answered at once with the view of the new version.
   * {@code noRoomForSurge}: the owner's quota has no room for the surge's replica (the gateway
   * asked), so an update that rolls with a surge is refused ({@link SurgeRefused}); one that changes
   * nothing or rolls without a surge is not (null, from before: room). {@code restart}: a new version
   * even of the definition the service runs, so that every replica is replaced (as {@code kubectl
   * rollout restart}); false in Updates sent before there were restarts.
   */
  public record Update(
      ServiceDefinition definition, String actor, ActorRef<Reply> replyTo, Boolean noRoomForSurge, boolean restart)
      implements Command {
    /** With room for the surge (or not asked). */
    public Update(ServiceDefinition definition, String actor, ActorRef<Reply> replyTo) {
      this(definition, actor, replyTo, null, false);
    }

    public Update(ServiceDefinition definition, String actor, ActorRef<Reply> replyTo, Boolean noRoomForSurge) {
      this(definition, actor, replyTo, noRoomForSurge, false);
    }
  }

  /** Change a model's dynamic batching live (null: none); no new version, no replica replaced. */
  public record SetBatching(ServiceDefinition.Batching batching, String actor, ActorRef<Reply> replyTo)
      implements Command {}

  /**
   * Sets the bounds within which the service scales itself (null: off, its replica count stays as
   * it is); no new version. A {@link Scale} is refused while it is on.
   */
  public record SetAutoscaling(ServiceDefinition.Autoscaling autoscaling, String actor, ActorRef<Reply> replyTo)
      implements Command {}

  /**
   * A gateway had {@code ongoingRequests} calls to the service in progress on average over the
   * {@code over} before it sent this (sent only when there were some, and only while the service
   * autoscales); no reply.
   */
  public record ReportLoad(double ongoingRequests, Duration over) implements Command {}

  /** Deletes its replicas, then the service; answered at once with the view that says {@code deleting}. */
  public record Delete(String actor, ActorRef<Reply> replyTo) implements Command {}

  /**
   * The entity's periodic look at its replicas, from the incarnation that scheduled it; it travels
   * through the shard so a service is never passivated while it keeps replicas. One from another
   * incarnation (or the index's wake-up after a restart) only starts the entity.
   */
  public record Reconcile(long incarnation) implements Command {}

  /** A replica environment's answer, through the entity's adapter (never crosses the network). */
  public record ReplicaAnswer(
      // The field is typed by an interface: the wire form must say which reply it holds.
      @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, property = "@reply") EnvironmentEntity.Reply reply)
      implements Command {}

  public sealed interface Reply extends CborSerializable {}

  public record Ok(ServiceView view) implements Reply {}

  public record NotFound(String name) implements Reply {}

  public record Conflict(String reason) implements Reply {}

  /** The service's current definition (its version's), its owner and its replica count now (scaled since, maybe). */
  public record Defined(ServiceDefinition definition, String owner, int version, int replicas) implements Reply {}

  /** The update would roll with a surge the owner's quota has no room for: nothing changed. */
  public record SurgeRefused(int version) implements Reply {}

  // ---------------------------------------------------------------- events

  public sealed interface Event extends CborSerializable {
    Instant at();
  }

  /** {@code uid} tells this service from an earlier one of the same name: its replicas' ids derive from it. */
  public record Created(ServiceDefinition definition, String owner, String uid, Instant at) implements Event {}

  public record Scaled(int replicas, String actor, Instant at) implements Event {}

  /** Recorded before the environment is created, so a retried creation after a crash makes the same one. */
  public record ReplicaAdded(String environmentId, int ordinal, Instant at) implements Event {}

  /** No longer counted: it is being deleted ({@code reason}: scaled down, FAILED, LOST, service deleted). */
  public record ReplicaRetiring(String environmentId, String reason, Instant at) implements Event {}

  /** Its environment is deleted (or was never created). */
  public record ReplicaGone(String environmentId, Instant at) implements Event {}

  /**
   * A new version: {@code definition} replaces the service's (its replicas count becomes the desired
   * one); replicas of earlier versions are replaced as {@link Reconciliation#adjust} rolls.
   */
  public record Updated(ServiceDefinition definition, int version, String actor, Instant at) implements Event {}

  /** A model's dynamic batching changed (null: none); the version and the replicas stay. */
  public record BatchingChanged(ServiceDefinition.Batching batching, String actor, Instant at) implements Event {}

  /** How later rolls go changed ({@code surge} 0 or 1); the version and the replicas stay. */
  public record SurgeChanged(int surge, String actor, Instant at) implements Event {}

  /** The bounds within which it scales itself changed (null: off); the version and the replicas stay. */
  public record AutoscalingChanged(ServiceDefinition.Autoscaling autoscaling, String actor, Instant at) implements Event {}

  public record DeleteRequested(String actor, Instant at) implements Event {}

  /** Every replica is gone: the name is free again. */
  public record Deleted(Instant at) implements Event {}

  // ---------------------------------------------------------------- wiring

  /** Tunables from {@code dcloud.services} (see reference.conf). */
  public record Settings(Duration reconcileInterval, BackoffSupervisorStrategy journalBackoff, Duration autoscalingLookBack) {
    /** {@code root} is the whole configuration. */
    public static Settings fromConfig(com.typesafe.config.Config root) {
      return new Settings(root.getDuration("dcloud.services.reconcile-interval"), JournalBackoff.forManyFromConfig(root),
          root.getDuration("dcloud.services.autoscaling.look-back"));
    }
  }

  /**
   * What every service entity of a process shares. {@code environments} delivers to environment
   * entities by id and {@code tickVia} to service entities by name: through sharding, or probes in a test.
   */
  public record Wiring(
      BiConsumer<String, EnvironmentEntity.Command> environments,
      BiConsumer<String, Command> tickVia,
      ActorRef<ServiceIndex.Command> index,
      Settings settings,
      Clock clock) {}

  public static void init(ActorSystem<?> system, ActorRef<ServiceIndex.Command> index, Settings settings) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Wiring wiring = new Wiring(
        (id, command) -> sharding.entityRefFor(EnvironmentEntity.TYPE_KEY, id).tell(command),
        (name, tick) -> sharding.entityRefFor(TYPE_KEY, name).tell(tick),
        index, settings, Clock.systemUTC());
    sharding.init(Entity.of(TYPE_KEY, entityContext -> create(entityContext.getEntityId(), wiring)));
  }

  /**
   * How a replica's environment tells its service at once that its status or readiness changed
   * (see {@code EnvironmentSharding.Wiring}): as the answer to a look, through sharding.
   */
  public static BiConsumer<String, EnvironmentView> replicaChanges(ActorSystem<?> system) {
    ClusterSharding sharding = ClusterSharding.get(system);
    return (name, view) -> sharding.entityRefFor(TYPE_KEY, name).tell(new ReplicaAnswer(new EnvironmentEntity.Ok(view)));
  }

  /** Wakes a service's entity (after a restart, see {@link ServiceIndex}). */
  public static void wake(ActorSystem<?> system, String name) {
    ClusterSharding.get(system).entityRefFor(TYPE_KEY, name).tell(new Reconcile(0));
  }

  public static Behavior<Command> create(String name, Wiring wiring) {
    return Behaviors.setup(context -> new ServiceBehavior(name, context, wiring));
  }
}
