package io.dcloud.cli.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * {@code --chunk-size} of the commands that list what may be many (environments, services, jobs):
 * the listing is asked a page at a time and printed as one, as kubectl does.
 */
public final class ChunkSizeOption {
  @Option(names = "--chunk-size", defaultValue = "500",
      description = "Asks the gateway for this many at a time (1 to 1000; 0: all in one answer), as kubectl does; default: ${DEFAULT-VALUE}")
  int chunkSize;

  /** Every page of {@code path}'s listing (filtered by {@code query}), as one {@code {"<key>": [...]}}. */
  public ObjectNode listAll(ApiClient client, String path, Map<String, ?> query, String key) {
    return listAll(client, path, query, key, chunkSize);
  }

  /** The same, asked {@code chunkSize} at a time (0: all in one answer). */
  public static ObjectNode listAll(ApiClient client, String path, Map<String, ?> query, String key, int chunkSize) {
    Map<String, Object> pageQuery = new LinkedHashMap<>(query);
    pageQuery.put("limit", chunkSize == 0 ? null : chunkSize);
    ArrayNode all = JsonNodeFactory.instance.arrayNode();
    String next = null;
    do {
      pageQuery.put("continue", next);
      JsonNode page = client.get(path + ApiClient.query(pageQuery));
      all.addAll((ArrayNode) page.path(key));
      next = page.path("continue").isTextual() ? page.path("continue").asText() : null;
    } while (next != null);
    return JsonNodeFactory.instance.objectNode().set(key, all);
  }
}
