package io.dcloud.gateway.dataset;

import io.dcloud.dataset.DatasetState;
import io.dcloud.dataset.DatasetVersion;
import java.time.Instant;
import java.util.List;

/** The dataset API's answers. */
final class DatasetJson {
  private DatasetJson() {}

  /** {@code PUT}'s answer: the version just made. */
  record Uploaded(String dataset, int version, long size, String sha256) {}

  record Version(int version, long size, String sha256, String contentType, String createdBy, Instant createdAt) {
    static Version of(DatasetVersion version) {
      return new Version(version.version(), version.size(), version.sha256(), version.contentType(), version.actor(),
          version.createdAt());
    }
  }

  /** {@code GET …/versions}: the dataset, who may read it, and every version kept. */
  record Dataset(String dataset, String owner, List<String> readers, List<String> readerGroups, List<Version> versions) {
    static Dataset of(DatasetState state) {
      return new Dataset(state.id(), state.owner(), state.readers(), state.readerGroups(),
          state.versions().stream().map(Version::of).toList());
    }
  }

  /** One line of {@code ls}. */
  record Entry(String dataset, String owner, int versions, Version latest) {
    static Entry of(DatasetState state) {
      return new Entry(state.id(), state.owner(), state.versions().size(), Version.of(state.latest().orElseThrow()));
    }
  }

  record Listing(List<Entry> datasets) {}

  record Deleted(String dataset, List<Integer> deleted, List<Integer> remaining) {}
}
