package io.dcloud.dataset;

import io.dcloud.ask.Asks;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reclaims the chunks nobody can read: those of uploads that never committed (begun longer than
 * {@code upload-timeout} ago: the client or the gateway went away mid-upload) and of deleted
 * versions. Each gateway node runs one; sweeps are idempotent, so two of them at once only repeat
 * work. The chunks are deleted before the entity forgets the blob, so a crash between the two only
 * means the next sweep deletes nothing and tells the entity again.
 */
public final class DatasetJanitor {
  private static final Logger LOG = LoggerFactory.getLogger(DatasetJanitor.class);

  private DatasetJanitor() {}

  private enum Sweep { NOW }

  private record Swept(int blobs, Throwable failure) {}

  /** {@code entities}: the entity of a dataset id (through sharding). */
  public static Behavior<Object> create(
      DatasetListing listing, BlobStore blobs, Function<String, RecipientRef<DatasetEntity.Command>> entities,
      Duration interval, Duration uploadTimeout, Duration askTimeout, Clock clock) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(Sweep.NOW, interval);
      ActorSystem<?> system = context.getSystem();
      return Behaviors.receive(Object.class)
          .onMessageEquals(Sweep.NOW, () -> {
            Asks.pipeToSelf(context, sweep(system, listing, blobs, entities, uploadTimeout, askTimeout, clock),
                (count, failure) -> new Swept(count == null ? 0 : count, failure));
            return Behaviors.same();
          })
          .onMessage(Swept.class, swept -> {
            if (swept.failure() != null) {
              LOG.warn("Dataset cleanup failed; trying again in {}: {}", interval, swept.failure().toString());
            } else if (swept.blobs() > 0) {
              LOG.info("Dataset cleanup reclaimed the chunks of {} blobs", swept.blobs());
            }
            return Behaviors.same();
          })
          .build();
    }));
  }

  /** One sweep: completes with how many blobs it reclaimed. */
  public static CompletionStage<Integer> sweep(
      ActorSystem<?> system, DatasetListing listing, BlobStore blobs,
      Function<String, RecipientRef<DatasetEntity.Command>> entities, Duration uploadTimeout, Duration askTimeout,
      Clock clock) {
    Instant staleBefore = clock.instant().minus(uploadTimeout);
    return listing.list("").thenCompose(states -> {
      List<Work> work = new ArrayList<>();
      for (DatasetState state : states) {
        state.pending().forEach((blob, began) -> {
          if (began.isBefore(staleBefore)) {
            work.add(new Work(state.id(), blob, true));
          }
        });
        state.garbage().forEach(blob -> work.add(new Work(state.id(), blob, false)));
      }
      return Source.from(work)
          .mapAsync(1, item -> reclaim(system, blobs, entities.apply(item.datasetId()), item, askTimeout))
          .runFold(0, (count, done) -> count + 1, system);
    });
  }

  private record Work(String datasetId, String blobId, boolean abandon) {}

  private static CompletionStage<Done> reclaim(
      ActorSystem<?> system, BlobStore blobs, RecipientRef<DatasetEntity.Command> entity, Work item, Duration timeout) {
    CompletionStage<DatasetEntity.Reply> abandoned = item.abandon()
        ? AskPattern.<DatasetEntity.Command, DatasetEntity.Reply>ask(
            entity, replyTo -> new DatasetEntity.AbandonUpload(item.blobId(), replyTo), timeout, system.scheduler())
        : CompletableFuture.completedFuture(null);
    return abandoned
        .thenCompose(reply -> blobs.delete(item.blobId()))
        .thenCompose(deleted -> AskPattern.<DatasetEntity.Command, DatasetEntity.Reply>ask(
            entity, replyTo -> new DatasetEntity.MarkReclaimed(item.blobId(), replyTo), timeout, system.scheduler()))
        .thenApply(reply -> Done.getInstance());
  }
}
