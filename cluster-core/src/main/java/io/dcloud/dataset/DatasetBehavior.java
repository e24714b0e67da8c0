package io.dcloud.dataset;

import io.dcloud.dataset.DatasetEntity.AbandonUpload;
import io.dcloud.dataset.DatasetEntity.BeginUpload;
import io.dcloud.dataset.DatasetEntity.BlobReclaimed;
import io.dcloud.dataset.DatasetEntity.Command;
import io.dcloud.dataset.DatasetEntity.CommitUpload;
import io.dcloud.dataset.DatasetEntity.DeleteVersions;
import io.dcloud.dataset.DatasetEntity.Event;
import io.dcloud.dataset.DatasetEntity.Get;
import io.dcloud.dataset.DatasetEntity.MarkReclaimed;
import io.dcloud.dataset.DatasetEntity.Reason;
import io.dcloud.dataset.DatasetEntity.Refused;
import io.dcloud.dataset.DatasetEntity.SetReaders;
import io.dcloud.dataset.DatasetEntity.Updated;
import java.time.Clock;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;

/** The behavior of one dataset entity (its protocol and events are {@link DatasetEntity}). */
final class DatasetBehavior extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, DatasetState> {
  private final String id;
  private final Clock clock;

  static Behavior<Command> create(String id, BackoffSupervisorStrategy journalBackoff, Clock clock) {
    return new DatasetBehavior(id, journalBackoff, clock);
  }

  private DatasetBehavior(String id, BackoffSupervisorStrategy journalBackoff, Clock clock) {
    super(PersistenceId.of(DatasetEntity.TYPE_KEY.name(), id), journalBackoff);
    this.id = id;
    this.clock = clock;
  }

  @Override
  public DatasetState emptyState() {
    return DatasetState.empty(id);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, DatasetState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Get.class, (state, get) -> Effect().reply(get.replyTo(), state))
        .onCommand(BeginUpload.class, this::begin)
        .onCommand(CommitUpload.class, this::commit)
        .onCommand(AbandonUpload.class, (state, abandon) -> !state.pending().containsKey(abandon.blobId())
            ? Effect().reply(abandon.replyTo(), new Updated(state))
            : updated(new DatasetEntity.UploadAbandoned(abandon.blobId(), clock.instant()), abandon.replyTo()))
        .onCommand(DeleteVersions.class, this::delete)
        .onCommand(SetReaders.class, (state, set) -> updated(
            new DatasetEntity.ReadersSet(List.copyOf(set.users()), List.copyOf(set.groups()), set.actor(), clock.instant()),
            set.replyTo()))
        .onCommand(MarkReclaimed.class, (state, reclaimed) -> !state.garbage().contains(reclaimed.blobId())
            ? Effect().reply(reclaimed.replyTo(), new Updated(state))
            : updated(new BlobReclaimed(reclaimed.blobId(), clock.instant()), reclaimed.replyTo()))
        .build();
  }

  private ReplyEffect<Event, DatasetState> begin(DatasetState state, BeginUpload begin) {
    if (state.owner() != null && !state.owner().equals(begin.actor()) && !begin.admin()) {
      return Effect().reply(begin.replyTo(), new Refused(Reason.NOT_FOUND, "no dataset " + id));
    }
    if (state.pending().containsKey(begin.blobId()) || state.garbage().contains(begin.blobId())) {
      return Effect().reply(begin.replyTo(), new Updated(state));
    }
    return updated(new DatasetEntity.UploadStarted(begin.blobId(), begin.actor(), clock.instant()), begin.replyTo());
  }

  private ReplyEffect<Event, DatasetState> commit(DatasetState state, CommitUpload commit) {
    if (!state.pending().containsKey(commit.blobId())) {
      boolean done = state.versions().stream().anyMatch(v -> v.blobId().equals(commit.blobId()));
      return done
          ? Effect().reply(commit.replyTo(), new Updated(state))
          : Effect().reply(commit.replyTo(), new Refused(Reason.CONFLICT, "the upload was abandoned (it took too long)"));
    }
    DatasetVersion version = new DatasetVersion(state.lastVersion() + 1, commit.blobId(), commit.size(), commit.sha256(),
        commit.contentType(), commit.actor(), clock.instant());
    return updated(new DatasetEntity.VersionAdded(version), commit.replyTo());
  }

  private ReplyEffect<Event, DatasetState> delete(DatasetState state, DeleteVersions delete) {
    List<Integer> versions = delete.version() == null
        ? state.versions().stream().map(DatasetVersion::version).toList()
        : state.version(delete.version()).map(v -> List.of(v.version())).orElse(List.of());
    if (versions.isEmpty()) {
      String what = delete.version() == null ? "no versions" : "no version " + delete.version();
      return Effect().reply(delete.replyTo(), new Refused(Reason.NOT_FOUND, "dataset " + id + " has " + what));
    }
    return updated(new DatasetEntity.VersionsDeleted(versions, delete.actor(), clock.instant()), delete.replyTo());
  }

  private ReplyEffect<Event, DatasetState> updated(Event event, ActorRef<DatasetEntity.Reply> replyTo) {
    return Effect().persist(event).thenReply(replyTo, Updated::new);
  }

  @Override
  public EventHandler<DatasetState, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(DatasetState::apply);
  }
}
