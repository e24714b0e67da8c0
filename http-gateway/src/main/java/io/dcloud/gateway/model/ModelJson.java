package io.dcloud.gateway.model;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.dataset.DatasetState;
import io.dcloud.dataset.DatasetVersion;
import java.time.Instant;
import java.util.List;

/** The model API's answers. A model's versions are its bundle dataset's ({@code models/<name>/bundle}). */
public final class ModelJson {
  private ModelJson() {}

  /** {@code POST}'s answer: the version just made, and its bundle's size and sha256. */
  record Pushed(String name, int version, long size, String sha256) {}

  public record Version(int version, long size, String sha256, String createdBy, Instant createdAt) {
    public static Version of(DatasetVersion version) {
      return new Version(version.version(), version.size(), version.sha256(), version.actor(), version.createdAt());
    }
  }

  /** One line of the list: the latest version. */
  public record Entry(String name, String owner, int version, long size, Instant createdAt) {
    public static Entry of(String name, DatasetState state) {
      DatasetVersion latest = state.latest().orElseThrow();
      return new Entry(name, state.owner(), latest.version(), latest.size(), latest.createdAt());
    }
  }

  record Listing(List<Entry> models) {}

  /** {@code GET /models/{name}}: every version kept, and the latest one's config. */
  record Model(String name, String owner, List<Version> versions, JsonNode config) {}
}
