package io.dcloud.dataset;

import io.dcloud.ask.Asks;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The steps of adding a version to a dataset, for every writer (the gateway's uploads, an inference
 * job's output): register the id with the index (so listings and the janitor find it), begin the
 * upload on the entity (so an interrupted one is reclaimed), stream the bytes into the blob store,
 * commit. Who may write is the caller's check; the entity only refuses a non-owner who is not admin.
 */
public final class DatasetWriter {
  private final ActorSystem<?> system;
  private final Function<String, RecipientRef<DatasetEntity.Command>> entities;
  private final ActorRef<DatasetIndex.Command> index;
  private final BlobStore blobs;
  private final Duration askTimeout;

  public DatasetWriter(ActorSystem<?> system, Function<String, RecipientRef<DatasetEntity.Command>> entities,
      ActorRef<DatasetIndex.Command> index, BlobStore blobs, Duration askTimeout) {
    this.system = system;
    this.entities = entities;
    this.index = index;
    this.blobs = blobs;
    this.askTimeout = askTimeout;
  }

  public <R> CompletionStage<R> ask(String id, Function<ActorRef<R>, DatasetEntity.Command> command) {
    return Asks.completedOn(AskPattern.ask(entities.apply(id), command::apply, askTimeout, system.scheduler()),
        system.executionContext());
  }

  public CompletionStage<Done> register(String id) {
    return Asks.completedOn(AskPattern.<DatasetIndex.Command, Done>ask(
        index, replyTo -> new DatasetIndex.Register(id, replyTo), askTimeout, system.scheduler()), system.executionContext());
  }

  public CompletionStage<DatasetEntity.Reply> begin(String id, String blobId, String actor, boolean admin) {
    return ask(id, replyTo -> new DatasetEntity.BeginUpload(blobId, actor, admin, replyTo));
  }

  /** Streams {@code bytes} into blob {@code blobId}; a failed write is abandoned at once (the janitor reclaims it). */
  public CompletionStage<BlobStore.StoredBlob> write(String id, String blobId, Source<ByteString, ?> bytes) {
    return bytes.runWith(blobs.write(blobId), system).whenComplete((stored, failure) -> {
      if (failure != null) {
        this.<DatasetEntity.Reply>ask(id, replyTo -> new DatasetEntity.AbandonUpload(blobId, replyTo));
      }
    });
  }

  public CompletionStage<DatasetEntity.Reply> commit(
      String id, String blobId, BlobStore.StoredBlob stored, String contentType, String actor) {
    return ask(id, replyTo -> new DatasetEntity.CommitUpload(
        blobId, stored.size(), stored.sha256(), contentType, actor, replyTo));
  }

  /**
   * All the steps, as {@code actor}; completes with the version, or fails with {@link Refused} when
   * the entity refuses. Writing the same {@code blobId} again after it was committed (a writer that
   * restarted) answers the version it became and writes nothing.
   */
  public CompletionStage<DatasetVersion> store(
      String id, String blobId, String actor, String contentType, Source<ByteString, ?> bytes) {
    return this.<DatasetState>ask(id, DatasetEntity.Get::new).thenCompose(state -> {
      var done = state.versions().stream().filter(v -> v.blobId().equals(blobId)).findFirst();
      if (done.isPresent()) {
        return java.util.concurrent.CompletableFuture.completedFuture(done.get());
      }
      return register(id)
          .thenCompose(registered -> begin(id, blobId, actor, false))
          .thenCompose(begun -> {
            if (!(begun instanceof DatasetEntity.Updated)) {
              throw new Refused(begun);
            }
            return write(id, blobId, bytes);
          })
          .thenCompose(stored -> commit(id, blobId, stored, contentType, actor))
          .thenApply(committed -> versionOf(committed, blobId));
    });
  }

  /** The version a commit made of {@code blobId}; {@link Refused} when it was refused. */
  public static DatasetVersion versionOf(DatasetEntity.Reply committed, String blobId) {
    if (!(committed instanceof DatasetEntity.Updated updated)) {
      throw new Refused(committed);
    }
    return updated.state().versions().stream().filter(v -> v.blobId().equals(blobId)).findFirst().orElseThrow();
  }

  /** The entity refused the upload (its reason and detail in {@code reply}). */
  public static final class Refused extends RuntimeException {
    private final transient DatasetEntity.Reply reply;

    public Refused(DatasetEntity.Reply reply) {
      super(reply instanceof DatasetEntity.Refused r ? r.detail() : String.valueOf(reply));
      this.reply = reply;
    }

    public DatasetEntity.Reply reply() {
      return reply;
    }
  }
}
