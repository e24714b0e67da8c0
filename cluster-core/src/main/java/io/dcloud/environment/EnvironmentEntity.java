package io.dcloud.environment;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.dcloud.contracts.ImageRecipe;
import io.dcloud.journal.NewEntityJournal;
import io.dcloud.node.NodeProtocol;
import io.dcloud.node.FilesProtocol;
import io.dcloud.node.ProxyWire;
import io.dcloud.node.NodeProtocol.ContainerReport;
import io.dcloud.node.ShellProtocol;
import io.dcloud.scheduler.PlacementAnswer;
import io.dcloud.scheduler.Scheduler;
import io.dcloud.resources.Resources;
import io.dcloud.serialization.CborSerializable;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.PublishedPort;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.stream.SourceRef;

/**
 * One environment, sharded by id and event sourced: the single source of truth for what was asked
 * and what became of it. This class is its protocol, its events (their class names are in the
 * journal: they never move); how it starts and what every entity shares is {@link EnvironmentSharding}, the behavior {@link EnvironmentBehavior}, what each
 * message means in each status {@link Transitions}, the fold of events into state {@link
 * EnvironmentState#apply}, and what the entity then tells the scheduler and its node {@link
 * Convergence}.
 */
public final class EnvironmentEntity {
  private EnvironmentEntity() {}

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Environment");

  // ---------------------------------------------------------------- protocol

  public sealed interface Command extends CborSerializable {}

  /** A user's command (Create, Get, Stop, Start, Delete, Share): answered with a {@link Reply}. */
  public sealed interface UserCommand extends Command {
    ActorRef<Reply> replyTo();
  }

  /**
   * {@code owner}: the user it is created for (null only from callers without users, e.g. benchmarks).
   * {@code notAfter}: when the requester stops waiting for the answer (null: it waits as long as it
   * takes, and in Creates written before there were deadlines). A Create that reaches an environment
   * that does not exist yet after that is refused with {@link TooLate}: its requester was already
   * told it failed, and an environment made then would appear behind their back, holding resources
   * and quota. {@code newId}: its sender made the id up for this create (a random UUID), so no
   * environment can have it, and an entity this create starts skips reading the journal (see
   * {@link NewEntityJournal}); never for an id that may have been used before (an Idempotency-Key's,
   * a service replica's, a create sent again). False in Creates written before there was this field.
   * {@code address} (here and in the other users' commands): where the request came from, as the
   * gateway saw it, for the audit log; null for DCloud's own and in commands sent before it was.
   */
  public record Create(
      EnvironmentSpec spec, ImageRecipe recipe, ActorRef<Reply> replyTo, String owner, Instant notAfter, boolean newId,
      String address)
      implements UserCommand {
    public Create(EnvironmentSpec spec, ImageRecipe recipe, ActorRef<Reply> replyTo) {
      this(spec, recipe, replyTo, null, null, false, null);
    }

    public Create(EnvironmentSpec spec, ImageRecipe recipe, ActorRef<Reply> replyTo, String owner, Instant notAfter) {
      this(spec, recipe, replyTo, owner, notAfter, false, null);
    }

    public Create(
        EnvironmentSpec spec, ImageRecipe recipe, ActorRef<Reply> replyTo, String owner, Instant notAfter, boolean newId) {
      this(spec, recipe, replyTo, owner, notAfter, newId, null);
    }
  }

  public record Get(ActorRef<Reply> replyTo) implements UserCommand {}

  /**
   * {@code actor}: who asks (recorded in the event and the history); null for DCloud itself.
   * {@code reason}: why DCloud stops it on its own ("stopped after 30m idle"), for its history; such a
   * stop applies only to a RUNNING environment (one restarted meanwhile is left alone). Null for users' stops.
   */
  public record Stop(ActorRef<Reply> replyTo, String actor, String reason, String address) implements UserCommand {
    public Stop(ActorRef<Reply> replyTo) {
      this(replyTo, null, null, null);
    }

    public Stop(ActorRef<Reply> replyTo, String actor, String reason) {
      this(replyTo, actor, reason, null);
    }

    /** A user's stop, from {@code address}. */
    public static Stop by(ActorRef<Reply> replyTo, String actor, String address) {
      return new Stop(replyTo, actor, null, address);
    }
  }

  public record Start(ActorRef<Reply> replyTo, String actor, String address) implements UserCommand {
    public Start(ActorRef<Reply> replyTo) {
      this(replyTo, null, null);
    }
  }

  /**
   * Stop, then start again once stopped, as {@code docker restart}: the entity carries it through,
   * whoever asked having gone. One that is not running is started; one waiting for a place is left to it.
   */
  public record Restart(ActorRef<Reply> replyTo, String actor, String address) implements UserCommand {}

  /**
   * Asks for other resources (the gateway read them, {@link EnvironmentResize}): from the next start
   * of a stopped one. A running one's are weighed by the scheduler on its node first ({@link
   * ResizeWeighing}): its container's limits then change as it runs, or it restarts when its GPUs
   * change, or nothing changes ({@link Conflict}). Refused while it is on its way. (An earlier
   * gateway's {@code inPlace}, from its own ask of the scheduler, is ignored: the entity asks.)
   */
  public record Resize(Resources resources, ActorRef<Reply> replyTo, String actor, String address) implements UserCommand {}

  /**
   * The scheduler's word on a running environment's {@code asked} size ({@code answer} null: none came
   * within {@code dcloud.environment.resize-timeout}). See {@link ResizeWeighing}. Never crosses JVMs.
   */
  public record ResizeWeighed(ResizeAsked asked, Scheduler.ResizeAnswer answer)
      implements Command, NoSerializationVerificationNeeded {}

  public record Delete(ActorRef<Reply> replyTo, String actor, String address) implements UserCommand {
    public Delete(ActorRef<Reply> replyTo) {
      this(replyTo, null, null);
    }
  }

  /**
   * Lets the members of {@code groups} see the environment, read-only; the whole list each time (an
   * empty one stops sharing). Who may ask (its owner, an admin) is the gateway's check.
   */
  public record Share(List<String> groups, String actor, ActorRef<Reply> replyTo, String address) implements UserCommand {
    public Share(List<String> groups, String actor, ActorRef<Reply> replyTo) {
      this(groups, actor, replyTo, null);
    }
  }

  public record GetStats(ActorRef<NodeProtocol.StatsReply> replyTo) implements Command {}

  /** {@code since}, {@code timestamps}: as {@link NodeProtocol.StreamLogs} takes them. */
  public record StreamLogs(int tail, boolean follow, ActorRef<NodeProtocol.LogsReply> replyTo, Instant since,
      boolean timestamps) implements Command {
    public StreamLogs(int tail, boolean follow, ActorRef<NodeProtocol.LogsReply> replyTo) {
      this(tail, follow, replyTo, null, false);
    }
  }

  /** Runs a command in the running container, on its node (see {@link NodeProtocol.ExecIn}); who may is the gateway's check. */
  public record Exec(
      List<String> command, String stdin, long timeoutMillis, long maxOutputBytes, ActorRef<NodeProtocol.ExecReply> replyTo)
      implements Command {}

  /** Starts an interactive command in the running container, on its node (see {@link NodeProtocol.ShellIn}). */
  public record Shell(
      List<String> command, boolean tty, SourceRef<ShellProtocol.Input> input, ActorRef<ShellProtocol.Reply> replyTo)
      implements Command {}

  /** Writes files into the running container, on its node (see {@link NodeProtocol.PutFilesIn}). */
  public record PutFiles(
      String path, boolean archive, Long length, SourceRef<byte[]> content, ActorRef<FilesProtocol.Reply> replyTo)
      implements Command {}

  /** Reads a file or directory out of the running container, on its node (see {@link NodeProtocol.GetFilesIn}). */
  public record GetFiles(String path, ActorRef<FilesProtocol.Reply> replyTo) implements Command {}

  /**
   * Forwards {@code call} to the container's {@code port} through its node (see {@link NodeProtocol.ProxyTo});
   * who may is the gateway's check.
   */
  public record Proxy(
      int port,
      @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, property = "@call") ProxyWire.Call call,
      ActorRef<ProxyWire.Reply> replyTo)
      implements Command {}

  /** The scheduler's word about this environment's place (see {@link #answersVia}). */
  public record FromScheduler(PlacementAnswer answer) implements Command {}

  /** The report of the node that runs (or ran) the environment's container (see {@link EnvironmentsForNodes}). */
  public record FromNode(ContainerReport report) implements Command {}

  /**
   * The entity's own reminder to re-send what it waits for, from the incarnation that scheduled it.
   * It travels through the shard: a transitional entity is then never idle (so never passivated
   * while it waits), and one passivated anyway is woken by it and converges again.
   */
  public record RetryTick(long incarnation) implements Command {}

  /**
   * The entity's own reminder that the restart due at {@code dueAtMilli} (see {@link
   * RestartScheduled}) is due. Through the shard, as a {@link RetryTick}: it wakes a passivated
   * entity. One for an earlier restart, or after the owner started, stopped or deleted it, is ignored.
   */
  public record RestartDue(long dueAtMilli) implements Command {}

  /**
   * Starts the entity where it is not running, and does nothing else: its recovery acts again on
   * what it waits for, and schedules its reminders again (see {@link EnvironmentWaking}).
   */
  public record Wake() implements Command {}

  /**
   * Sharding's word to stop: the shard passivates the entity or hands it off. A command, not
   * Pekko's PoisonPill signal: the entity stops once a write in progress is done, and sharding
   * wraps no interceptor around each entity to turn a PoisonPill into a signal (88 bytes an entity).
   */
  public record Passivate() implements Command {}

  /**
   * Sent by an entity to itself once it has recovered after a failed write or recovery: what reached
   * it meanwhile was stashed, and so, at times, was the failed call's own late journal response, at
   * which Pekko stops unstashing (unhandled once the entity runs again): the rest would wait for the
   * next message. Handling this one, a no-op, unstashes them. Never crosses JVMs.
   */
  public record ResumeAfterRestart() implements Command {}

  /**
   * Every persisted event, published live with its sequence number on {@link #EVENTS_TOPIC} for
   * read sides on any node (the environment directory); they fill gaps from the journal.
   */
  public record Persisted(
      String environmentId,
      long sequenceNr,
      // The field is typed by an interface: the wire form must say which event it holds.
      @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, property = "@event") Event event)
      implements CborSerializable {}

  public static final String EVENTS_TOPIC = "dcloud-environment-events";

  public sealed interface Reply extends CborSerializable {}

  public record Ok(EnvironmentView view) implements Reply {}

  public record NotFound(String id) implements Reply {}

  public record Conflict(String reason) implements Reply {}

  /**
   * What was asked could not be decided in time, and nothing changed: a Create that arrived after
   * its {@code notAfter}, a resize the scheduler did not weigh within {@code dcloud.environment.resize-timeout}.
   */
  public record TooLate(String reason) implements Reply {}

  // ---------------------------------------------------------------- events

  public sealed interface Event extends CborSerializable {
    Instant at();
  }

  /**
   * {@code owner} is null in events written before environments had owners (then only admins see them).
   * {@code address} (here and in the other users' requests): where the request came from, for the
   * audit log; null for DCloud's own and in events written before it was recorded.
   */
  public record Requested(EnvironmentSpec spec, ImageRecipe recipe, Instant at, String owner, String address)
      implements Event {
    public Requested(EnvironmentSpec spec, ImageRecipe recipe, Instant at) {
      this(spec, recipe, at, null, null);
    }

    public Requested(EnvironmentSpec spec, ImageRecipe recipe, Instant at, String owner) {
      this(spec, recipe, at, owner, null);
    }
  }

  public record QueuedForCapacity(int position, String reason, Instant at) implements Event {}

  /** {@code reason}: why that node, when more than the scheduler's policy decided (data locality); else null. */
  public record PlacedOnNode(String nodeId, List<String> gpuUuids, Instant at, String reason) implements Event {
    public PlacedOnNode(String nodeId, List<String> gpuUuids, Instant at) {
      this(nodeId, gpuUuids, at, null);
    }
  }

  public record PlacementRefused(String reason, Instant at) implements Event {}

  public record ImageBuilding(Instant at) implements Event {}

  /** The node fetches datasets the environment mounts into its cache (it held not all of them). */
  public record DatasetsPreparing(Instant at) implements Event {}

  /**
   * {@code datasets}: what the container mounts, each with the version it resolved to; null when it
   * mounts none (and in events written before they were recorded).
   */
  public record ContainerStarting(Instant at, List<EnvironmentSpec.DatasetRef> datasets) implements Event {
    public ContainerStarting(Instant at) {
      this(at, null);
    }
  }

  public record ContainerRunning(String containerId, List<PublishedPort> ports, Instant at) implements Event {}

  /** The container ended by itself (not on request). */
  public record ContainerExited(String containerId, Integer exitCode, boolean oomKilled, String reason, Instant at)
      implements Event {}

  /** Deploying failed, or the container vanished: nothing runs and the reservation is released. */
  public record DeploymentFailed(String reason, Instant at) implements Event {}

  /**
   * {@code actor} (here and in the other requests) is null in events written before it was recorded.
   * {@code reason}: why DCloud stopped it on its own (see {@link Stop}); null for a user's stop and in
   * events written before it existed.
   */
  public record StopRequested(Instant at, String actor, String reason, String address) implements Event {
    public StopRequested(Instant at) {
      this(at, null, null, null);
    }

    public StopRequested(Instant at, String actor) {
      this(at, actor, null, null);
    }

    public StopRequested(Instant at, String actor, String reason) {
      this(at, actor, reason, null);
    }
  }

  /**
   * {@code actor}, {@code address}: who stopped it and from where when a user's stop ended it at once
   * (it had no container to stop); null when its container's stop ended it, and in events written
   * before they were recorded.
   */
  public record Stopped(String reason, Instant at, String actor, String address) implements Event {
    public Stopped(String reason, Instant at) {
      this(reason, at, null, null);
    }
  }

  /**
   * {@code restart}: set when the restart policy starts it again after its container exited (the
   * count of restarts since it last ran long enough, see {@link RestartScheduled}); null for a
   * user's start and in events written before DCloud restarted exited containers.
   */
  public record StartRequested(Instant at, String actor, Integer restart, String address) implements Event {
    public StartRequested(Instant at) {
      this(at, null, null, null);
    }

    public StartRequested(Instant at, String actor) {
      this(at, actor, null, null);
    }

    public StartRequested(Instant at, String actor, Integer restart) {
      this(at, actor, restart, null);
    }
  }

  /**
   * A user's restart of a running (or starting) environment: STOPPING, and once its container has
   * stopped, {@link Stopped} and {@link StartRequested} in one write.
   */
  public record RestartRequested(Instant at, String actor, String address) implements Event {}

  /**
   * A user's resize: its spec's resources from now on. {@code inPlace}: its running container's limits
   * change as it runs ({@link LimitsApplied} says when they have); else null, and a running one's
   * {@link RestartRequested} follows in the same write.
   */
  public record Resized(Resources resources, Instant at, String actor, String address, Boolean inPlace) implements Event {
    public Resized(Resources resources, Instant at, String actor, String address) {
      this(resources, at, actor, address, null);
    }
  }

  /**
   * A user asked a running environment for other resources, which the scheduler now weighs on its
   * node ({@link ResizeWeighing}): written before the scheduler is asked, so an entity that stops
   * before its answer asks again when it recovers. {@link Resized} or {@link ResizeDeclined} follows.
   */
  public record ResizeAsked(Resources resources, Instant at, String actor, String address) implements Event {}

  /** The scheduler did not take the {@link ResizeAsked} size ({@code reason}): nothing changed. */
  public record ResizeDeclined(Resources resources, String reason, Instant at) implements Event {}

  /** Its node changed its running container's CPU and RAM limits to {@code resources} (an in-place {@link Resized}). */
  public record LimitsApplied(Resources resources, Instant at) implements Event {}

  /**
   * Its node could not change its running container's limits (its engine refused, say): it restarts
   * with them instead, as a {@link RestartRequested} would.
   */
  public record LimitsRefused(String reason, Instant at) implements Event {}

  /**
   * Written with the {@link ContainerExited} of a container its restart policy starts again: the
   * {@code restart}th time in a row (the count starts over after a run of
   * {@code dcloud.environment.restart-backoff.reset-after}), {@code delayMillis} after the exit.
   */
  public record RestartScheduled(int restart, long delayMillis, Instant at) implements Event {}

  public record DeleteRequested(Instant at, String actor, String address) implements Event {
    public DeleteRequested(Instant at) {
      this(at, null, null);
    }

    public DeleteRequested(Instant at, String actor) {
      this(at, actor, null);
    }
  }

  public record RelocationRequested(String nodeId, Instant at) implements Event {}

  /** The old container is gone from the draining node: find a new place. */
  public record Relocated(Instant at) implements Event {}

  /** The node went away with the container: nothing runs and nothing is reserved. */
  public record LostWithNode(String nodeId, Instant at) implements Event {}

  /** After a loss, the restart policy asks for a new place. */
  public record Rescheduled(EnvironmentSpec.RestartPolicy policy, Instant at) implements Event {}

  public record Deleted(Instant at, String actor, String address) implements Event {
    public Deleted(Instant at) {
      this(at, null, null);
    }

    public Deleted(Instant at, String actor) {
      this(at, actor, null);
    }
  }

  /**
   * A service replica's running container answers its readiness path ({@code ready}), or no longer
   * does; {@code reason}: while it does not, why, as its node's probe says it ({@code not ready: GET
   * /ready answered 503}; null when ready, and in events from before reasons). A new reason while it
   * stays not ready is a change too.
   */
  public record ReadinessChanged(boolean ready, Instant at, String reason) implements Event {
    public ReadinessChanged(boolean ready, Instant at) {
      this(ready, at, null);
    }
  }

  /** From now on the members of {@code groups} (sorted, no repeats; none: shared with no one) may see it. */
  public record SharedWith(List<String> groups, String actor, Instant at, String address) implements Event {
    public SharedWith(List<String> groups, String actor, Instant at) {
      this(groups, actor, at, null);
    }
  }
}
