package io.dcloud.gateway.app;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.model.ModelJson;
import io.dcloud.gateway.service.ServiceJson;
import java.util.List;

/**
 * The app API's answers. An app's versions are its source dataset's ({@code apps/<name>/source}),
 * listed and shown as a model's bundle versions are ({@link ModelJson}).
 */
final class AppJson {
  private AppJson() {}

  /** {@code POST}'s answer: the source version just stored and the service it made or updated. */
  record Pushed(String name, int version, ServiceJson service) {}

  /** One line per app: its latest source version. */
  record Listing(List<ModelJson.Entry> apps) {}

  /** {@code GET /apps/{name}}: every source version kept, and the latest one's config. */
  record App(String name, String owner, List<ModelJson.Version> versions, JsonNode config) {}
}
