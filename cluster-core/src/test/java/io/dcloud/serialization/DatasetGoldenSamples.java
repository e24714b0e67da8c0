package io.dcloud.serialization;

import io.dcloud.dataset.DatasetEntity;
import io.dcloud.dataset.DatasetIndex;
import io.dcloud.dataset.DatasetState;
import io.dcloud.dataset.DatasetVersion;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorSystem;

/** The dataset entity's events and messages, for {@link GoldenSamples}. */
final class DatasetGoldenSamples {
  private DatasetGoldenSamples() {}

  static void add(Map<String, Object> s, ActorSystem<?> system, Instant at) {
    DatasetVersion version = new DatasetVersion(
        3, "b-1", 1L << 20, "ab".repeat(32), DatasetVersion.TAR, "alice", at);
    s.put("dataset-event.UploadStarted", new DatasetEntity.UploadStarted("b-1", "alice", at));
    s.put("dataset-event.VersionAdded", new DatasetEntity.VersionAdded(version));
    s.put("dataset-event.UploadAbandoned", new DatasetEntity.UploadAbandoned("b-2", at));
    s.put("dataset-event.VersionsDeleted", new DatasetEntity.VersionsDeleted(List.of(1, 2), "alice", at));
    s.put("dataset-event.BlobReclaimed", new DatasetEntity.BlobReclaimed("b-2", at));
    s.put("dataset-event.ReadersSet", new DatasetEntity.ReadersSet(List.of("bob"), List.of("lab-a"), "alice", at));
    DatasetState state = new DatasetState("images/train/cats", "alice", List.of("bob"), List.of("lab-a"),
        List.of(version), Map.of("b-4", at), List.of("b-2"), 3);
    s.put("dataset-index-event.Registered", new DatasetIndex.Registered("images/train/cats"));
    s.put("dataset-index-snapshot.State", new DatasetIndex.State(List.of("images/train/cats")));
    s.put("wire.dataset-index.Register", new DatasetIndex.Register("images/train/cats", system.deadLetters()));
    s.put("wire.dataset-index.ListIds", new DatasetIndex.ListIds("images/", system.deadLetters()));
    s.put("wire.dataset-index.Ids", new DatasetIndex.Ids(List.of("images/train/cats")));
    s.put("wire.dataset.Get", new DatasetEntity.Get(system.deadLetters()));
    s.put("wire.dataset.State", state);
    s.put("wire.dataset.BeginUpload", new DatasetEntity.BeginUpload("b-4", "alice", false, system.deadLetters()));
    s.put("wire.dataset.CommitUpload", new DatasetEntity.CommitUpload(
        "b-4", 10, "cd".repeat(32), "text/csv", "alice", system.deadLetters()));
    s.put("wire.dataset.AbandonUpload", new DatasetEntity.AbandonUpload("b-4", system.deadLetters()));
    s.put("wire.dataset.DeleteVersions", new DatasetEntity.DeleteVersions(2, "alice", system.deadLetters()));
    s.put("wire.dataset.SetReaders", new DatasetEntity.SetReaders(
        List.of("bob"), List.of("lab-a"), "alice", system.deadLetters()));
    s.put("wire.dataset.MarkReclaimed", new DatasetEntity.MarkReclaimed("b-2", system.deadLetters()));
    s.put("wire.dataset.Updated", new DatasetEntity.Updated(state));
    s.put("wire.dataset.Refused", new DatasetEntity.Refused(DatasetEntity.Reason.NOT_FOUND, "no dataset a/b/c"));
  }
}
