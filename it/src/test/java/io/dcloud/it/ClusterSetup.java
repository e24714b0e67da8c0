package io.dcloud.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.deploy.TestImages;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the harness does to a test cluster through its API: the catalog's tiny OS, and a clean slate between test classes. */
final class ClusterSetup {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterSetup.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The catalog OS whose base image is the 2 MB busybox test image: environments start in a second. */
  static final String TINY_OS = "tiny";
  private static final Duration ENVIRONMENTS_DELETED_WITHIN = Duration.ofSeconds(60);

  private ClusterSetup() {}

  static void addTinyOsToCatalog(Api api) throws IOException {
    ArrayNode catalog = (ArrayNode) api.get("/api/v1/catalog").json();
    ObjectNode tiny = catalog.addObject();
    tiny.put("os", TINY_OS);
    tiny.put("base-image", TestImages.BUSYBOX);
    tiny.putArray("init-steps");
    ObjectNode shell = tiny.putObject("specifications").putObject("shell");
    shell.putArray("installation-steps");
    shell.putObject("libraries");
    Api.Response replaced = api.put("/api/v1/catalog", JSON.writeValueAsString(catalog));
    if (replaced.status() != 200) {
      throw new IllegalStateException("PUT /catalog: " + replaced.status() + " " + replaced.body());
    }
  }

  /** Deletes every environment left and waits until each is DELETED, its container gone and its resources free again. */
  static void deleteAllEnvironments(Api api, String runId) {
    List<String> left = notDeleted(api);
    for (String id : left) {
      Api.Response deleting = api.delete("/api/v1/environments/" + id);
      if (deleting.status() != 202) {
        throw new IllegalStateException("DELETE of " + id + ": " + deleting.status() + " " + deleting.body());
      }
    }
    if (!left.isEmpty()) {
      LOG.info("Cluster {}: deleting the {} environments left: {}", runId, left.size(), left.stream().limit(20).toList());
    }
    // Each deletion takes Docker's stop grace (10 s: the idle busybox ignores SIGTERM); they run at
    // once. One listing per poll, however many there are (a burst test leaves a thousand).
    await("the " + left.size() + " environments left deleted").atMost(ENVIRONMENTS_DELETED_WITHIN).pollInterval(Duration.ofMillis(500))
        .ignoreExceptions()
        .until(() -> notDeleted(api).isEmpty());
  }

  private static List<String> notDeleted(Api api) {
    List<String> ids = new ArrayList<>();
    for (JsonNode env : api.get("/api/v1/environments").json().get("environments")) {
      if (!"DELETED".equals(env.path("status").asText())) {
        ids.add(env.get("id").asText());
      }
    }
    return ids;
  }
}
