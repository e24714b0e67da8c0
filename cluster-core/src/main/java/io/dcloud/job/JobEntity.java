package io.dcloud.job;

import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.dcloud.dataset.BlobStore;
import io.dcloud.dataset.DatasetEntity;
import io.dcloud.dataset.DatasetWriter;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.node.NodeReachability;
import io.dcloud.node.NodeWatch;
import io.dcloud.serialization.CborSerializable;
import io.dcloud.service.ServiceEntity;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BiConsumer;
import java.util.function.Function;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One inference job, sharded by its id and event sourced: the records of an input dataset version,
 * cut into tasks of {@code batchSize}, each sent as one {@code POST /predict} to a ready replica of a
 * model service; each task's predictions are kept as a blob until all are done, then joined in input
 * order into the output dataset version {@code jobs/<service>/<job id>}. This class is the protocol,
 * the events (their class names are in the journal: they never move) and the wiring; the behavior is
 * {@link JobBehavior}, the fold {@link JobState#apply}, the choice of replicas {@link JobDispatch}.
 */
public final class JobEntity {
  private JobEntity() {}

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Job");

  /** The category of every job's output dataset: {@code jobs/<service>/<job id>}. */
  public static final String OUTPUT_CATEGORY = "jobs";

  /** What the output dataset's version holds: one JSON document a line. */
  public static final String OUTPUT_CONTENT_TYPE = "application/x-ndjson";

  // ---------------------------------------------------------------- protocol

  public sealed interface Command extends CborSerializable {}

  /**
   * Starts the job (the gateway checked the caller may use the service and read the input, and
   * resolved its version); a job that exists answers what it is.
   */
  public record Submit(JobSpec spec, String owner, ActorRef<Reply> replyTo) implements Command {}

  public record Get(ActorRef<Reply> replyTo) implements Command {}

  /** Stops dispatching; tasks in flight are let go. Who may is the gateway's check. */
  public record Cancel(String actor, ActorRef<Reply> replyTo) implements Command {}

  /**
   * The entity's periodic look (a fresh view of the service, tasks to dispatch), from the
   * incarnation that scheduled it; it travels through the shard so a running job is never
   * passivated. One from another incarnation ({@link JobIndex}'s wake-ups) only starts the entity.
   */
  public record Tick(long incarnation) implements Command {}

  /**
   * Stops the entity: sharding's passivation, and the job index once it has collected the job (an
   * entity still awake would answer for a job whose events are erased).
   */
  public record Passivate() implements Command {}

  /** The service's answer, through the entity's adapter. */
  public record ServiceSeen(
      @JsonTypeInfo(use = JsonTypeInfo.Id.CLASS, property = "@reply") ServiceEntity.Reply reply) implements Command {}

  /**
   * Where the input's tasks start, found or loaded by this incarnation ({@code saved}: kept as a blob
   * just now; never crosses the network: local to it).
   */
  record InputRead(JobInput.Tasks tasks, BlobStore.StoredBlob saved, String failure)
      implements Command, NoSerializationVerificationNeeded {}

  /** A replica's answer to a task ({@code failure}: it did not answer in time, or the node could not forward). */
  record TaskAnswered(int task, int attempt, String replica, byte[] body, int status, String failure)
      implements Command, NoSerializationVerificationNeeded {}

  /** A task's predictions are stored as a blob ({@code failure}: they could not be). */
  record TaskStored(int task, int attempt, String replica, BlobStore.StoredBlob blob, String failure)
      implements Command, NoSerializationVerificationNeeded {}

  /**
   * A member left the cluster: a task sent through it (to a replica's entity that lived there) may
   * never be answered, so every task in flight is sent again at the next look.
   */
  record MemberRemoved(String address) implements Command, NoSerializationVerificationNeeded {}

  /** The output dataset version is written ({@code failure}: it could not be). */
  record OutputWritten(int version, String failure) implements Command, NoSerializationVerificationNeeded {}

  public sealed interface Reply extends CborSerializable {}

  public record Ok(JobView view) implements Reply {}

  public record NotFound(String id) implements Reply {}

  public record Conflict(String reason) implements Reply {}

  // ---------------------------------------------------------------- events

  public sealed interface Event extends CborSerializable {
    Instant at();
  }

  public record Submitted(JobSpec spec, String owner, Instant at) implements Event {}

  /**
   * The input is read: {@code records} instances in {@code tasks} tasks of the spec's batch size.
   * {@code taskStarts}: where the tasks start, kept ({@link StoredTaskStarts}) so that the job taken
   * up again need not read its input through (null: not kept, or started before they were).
   */
  public record Started(int records, int tasks, Instant at, BlobStore.StoredBlob taskStarts) implements Event {}

  /** Recorded before the call goes out: who holds which task survives a restart (C5). */
  public record TaskAssigned(int task, String replica, String node, int attempt, Instant at) implements Event {}

  /** The replica did not answer, or answered a server error: the task goes to another one. */
  public record TaskFailed(int task, String replica, String reason, Instant at) implements Event {}

  /** The task's predictions are the blob {@code blobId}, one JSON line per record. */
  public record TaskDone(int task, String replica, String blobId, long size, String sha256, Instant at) implements Event {}

  public record Succeeded(String outputDataset, int outputVersion, Instant at) implements Event {}

  public record Failed(String error, Instant at) implements Event {}

  public record Cancelled(String actor, Instant at) implements Event {}

  // ---------------------------------------------------------------- wiring

  /** Tunables from {@code dcloud.jobs} (see reference.conf). */
  public record Settings(
      Duration taskTimeout, int maxAttempts, int inFlightPerReplica, Duration tickInterval, long inputWindowBytes,
      int snapshotEvery, BackoffSupervisorStrategy journalBackoff) {
    /** {@code root} is the whole configuration. */
    public static Settings fromConfig(com.typesafe.config.Config root) {
      com.typesafe.config.Config jobs = root.getConfig("dcloud.jobs");
      return new Settings(jobs.getDuration("task-timeout"), jobs.getInt("max-attempts"),
          jobs.getInt("in-flight-tasks-per-replica"), jobs.getDuration("tick-interval"),
          jobs.getBytes("input-window"), jobs.getInt("snapshot-every"), JournalBackoff.forManyFromConfig(root));
    }
  }

  /**
   * What every job entity of a process shares: the replicas' environment entities, the services,
   * the input's and output's datasets, where the bytes are, the index, its own ticks (through
   * sharding, or a test's stand-ins) and what is known of the nodes' loss.
   */
  public record Wiring(
      Function<String, RecipientRef<EnvironmentEntity.Command>> environments,
      Function<String, RecipientRef<ServiceEntity.Command>> services,
      Function<String, RecipientRef<DatasetEntity.Command>> datasets,
      BlobStore blobs,
      DatasetWriter writer,
      ActorRef<JobIndex.Command> index,
      BiConsumer<String, Command> tickVia,
      NodeWatch nodes,
      Settings settings,
      Clock clock) {}

  public static void init(ActorSystem<?> system, Wiring wiring) {
    ClusterSharding.get(system).init(Entity.of(TYPE_KEY, entityContext -> create(entityContext.getEntityId(), wiring))
        .withStopMessage(new Passivate()));
  }

  /** Stops a job's entity, wherever it runs (see {@link Passivate}). */
  public static void stop(ActorSystem<?> system, String id) {
    ClusterSharding.get(system).entityRefFor(TYPE_KEY, id).tell(new Passivate());
  }

  /** The wiring of a node: everything reached through sharding. */
  public static Wiring wiring(ActorSystem<?> system, BlobStore blobs, DatasetWriter writer,
      ActorRef<JobIndex.Command> index, Settings settings) {
    ClusterSharding sharding = ClusterSharding.get(system);
    return new Wiring(
        id -> sharding.entityRefFor(EnvironmentEntity.TYPE_KEY, id),
        name -> sharding.entityRefFor(ServiceEntity.TYPE_KEY, name),
        id -> DatasetEntity.ref(sharding, id),
        blobs, writer, index,
        (id, tick) -> sharding.entityRefFor(TYPE_KEY, id).tell(tick),
        NodeReachability.get(system), settings, Clock.systemUTC());
  }

  /** Wakes a job's entity (after a restart, or its node's loss: see {@link JobIndex}). */
  public static void wake(ActorSystem<?> system, String id) {
    ClusterSharding.get(system).entityRefFor(TYPE_KEY, id).tell(new Tick(0));
  }

  public static Behavior<Command> create(String id, Wiring wiring) {
    return Behaviors.setup(context -> new JobBehavior(id, context, wiring));
  }
}
