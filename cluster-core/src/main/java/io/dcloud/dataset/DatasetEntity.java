package io.dcloud.dataset;

import io.dcloud.serialization.CborSerializable;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One dataset ({@code category/db/name}), sharded by that id and event sourced: its owner, readers
 * and immutable versions. The bytes are not here but in the {@link BlobStore}; an upload is begun
 * (its blob recorded as pending), streamed there, then committed as version n+1. One never
 * committed is abandoned by the {@link DatasetJanitor}, which also reclaims the chunks of abandoned
 * uploads and deleted versions. This class is the protocol, events (their class names are in the
 * journal) and wiring; the behavior is {@link DatasetBehavior}, the fold {@link DatasetState#apply}.
 */
public final class DatasetEntity {
  private DatasetEntity() {}

  public static final EntityTypeKey<Command> TYPE_KEY = EntityTypeKey.create(Command.class, "Dataset");

  // ---------------------------------------------------------------- protocol

  public sealed interface Command extends CborSerializable {}

  public record Get(ActorRef<DatasetState> replyTo) implements Command {}

  /**
   * Records {@code blobId} as an upload on its way. Refused unless the dataset has no owner yet (the
   * actor becomes it), the actor owns it, or {@code admin}.
   */
  public record BeginUpload(String blobId, String actor, boolean admin, ActorRef<Reply> replyTo) implements Command {}

  /** The blob is stored whole: it becomes the next version. Refused if the upload was abandoned meanwhile. */
  public record CommitUpload(
      String blobId, long size, String sha256, String contentType, String actor, ActorRef<Reply> replyTo)
      implements Command {}

  /** The upload failed or timed out: its blob is garbage. */
  public record AbandonUpload(String blobId, ActorRef<Reply> replyTo) implements Command {}

  /** {@code version} null: all of them. Who may is the gateway's check. */
  public record DeleteVersions(Integer version, String actor, ActorRef<Reply> replyTo) implements Command {}

  /** The whole lists each time. Who may is the gateway's check. */
  public record SetReaders(List<String> users, List<String> groups, String actor, ActorRef<Reply> replyTo)
      implements Command {}

  /** The blob's chunks are deleted from the store. */
  public record MarkReclaimed(String blobId, ActorRef<Reply> replyTo) implements Command {}

  public sealed interface Reply extends CborSerializable {}

  /** Done; the dataset as it now is. */
  public record Updated(DatasetState state) implements Reply {}

  public enum Reason { NOT_FOUND, FORBIDDEN, CONFLICT }

  public record Refused(Reason reason, String detail) implements Reply {}

  // ---------------------------------------------------------------- events

  public sealed interface Event extends CborSerializable {}

  public record UploadStarted(String blobId, String actor, Instant at) implements Event {}

  public record VersionAdded(DatasetVersion version) implements Event {}

  public record UploadAbandoned(String blobId, Instant at) implements Event {}

  public record VersionsDeleted(List<Integer> versions, String actor, Instant at) implements Event {}

  public record BlobReclaimed(String blobId, Instant at) implements Event {}

  public record ReadersSet(List<String> users, List<String> groups, String actor, Instant at) implements Event {}

  // ---------------------------------------------------------------- wiring

  public static void init(ActorSystem<?> system, BackoffSupervisorStrategy journalBackoff) {
    ClusterSharding.get(system).init(Entity.of(TYPE_KEY,
        entityContext -> DatasetBehavior.create(entityContext.getEntityId(), journalBackoff, Clock.systemUTC())));
  }

  /** One dataset's entity outside sharding (tests of what writes datasets). */
  public static org.apache.pekko.actor.typed.Behavior<Command> behavior(
      String id, BackoffSupervisorStrategy journalBackoff, Clock clock) {
    return DatasetBehavior.create(id, journalBackoff, clock);
  }

  public static EntityRef<Command> ref(ClusterSharding sharding, String id) {
    return sharding.entityRefFor(TYPE_KEY, id);
  }
}
