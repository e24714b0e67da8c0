package io.dcloud.app;

import static io.dcloud.app.Environments.historyStatuses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.deploy.TarArchive;
import io.dcloud.metrics.Promtool;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Datasets end to end: real Cassandra holds the chunks, a real Docker container mounts a file and a
 * directory dataset read-only at /datasets/<category>/<db>/<name>, reads them, and cannot write to them.
 * The node's cache is kept tiny here, so a version no container mounts is evicted for the next fetch.
 */
@Tag("docker") @Tag("cassandra")
class DatasetIT {
  private static final Duration UP_WITHIN = Duration.ofSeconds(90);
  private static OneNodeDCloud dcloud;
  private static Api api;

  @BeforeAll
  static void startDCloud() throws Exception {
    dcloud = OneNodeDCloud.start("dataset-it-node", Map.of("dcloud.node.dataset-cache.max-size", "1KiB"));
    api = dcloud.api();
  }

  @AfterAll
  static void stopDCloud() {
    if (dcloud != null) {
      dcloud.close();
    }
  }

  private static JsonNode upload(String id, String contentType, byte[] bytes) {
    Api.Response put = api.put("/api/v1/datasets/" + id, contentType, bytes);
    assertThat(put.status()).as(put.body()).isEqualTo(201);
    return put.json();
  }

  private static JsonNode exec(String id, String command) {
    Api.Response exec = api.post("/api/v1/environments/" + id + "/exec",
        "{\"command\": [\"sh\", \"-c\", \"" + command + "\"]}");
    assertThat(exec.status()).as(exec.body()).isEqualTo(200);
    return exec.json();
  }

  private static String create(String name, String datasets) {
    Api.Response created = api.post("/api/v1/environments", """
        {"env-name": "%s", "os": "tiny", "languages": [{"language-name": "shell", "libraries": []}],
         "resources": {"ram": "64M", "cpu": "0.5", "gpu": "0"},
         "dataset": [%s],
         "command": ["sh", "-c", "exec sleep infinity"]}
        """.formatted(name, datasets));
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String id = created.json().get("id").asText();
    await().atMost(UP_WITHIN).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
        assertThat(api.get("/api/v1/environments/" + id).json().get("status").asText()).isEqualTo("RUNNING"));
    return id;
  }

  private static String metrics() throws Exception {
    return dcloud.managementApi().get("/metrics").body();
  }

  @Test
  void aVersionNoContainerMountsIsEvictedWhenTheCacheIsFull() throws Exception {
    upload("it/lru/first", "text/plain", "1".repeat(800).getBytes());
    upload("it/lru/second", "text/plain", "2".repeat(800).getBytes());
    String first = create("lru-first", """
        {"category-name": "it", "db": [{"db-name": "lru", "dataset": [{"dataset-name": "first", "version": "latest"}]}]}""");
    assertThat(historyStatuses(api.freshEnvironment(first)))
        .containsSubsequence("PLACED", "PREPARING", "STARTING", "RUNNING");
    assertThat(api.delete("/api/v1/environments/" + first).status()).isBetween(200, 299);
    await().atMost(UP_WITHIN).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      Api.Response gone = api.get("/api/v1/environments/" + first);
      assertThat(gone.status() == 404 || gone.json().get("status").asText().equals("DELETED")).as(gone.body()).isTrue();
    });

    String second = create("lru-second", """
        {"category-name": "it", "db": [{"db-name": "lru", "dataset": [{"dataset-name": "second", "version": "latest"}]}]}""");

    assertThat(exec(second, "cat /datasets/it/lru/second").get("stdout").asText()).isEqualTo("2".repeat(800));
    String scrape = metrics();
    assertThat(scrape).contains("dcloud_node_dataset_cache_evictions_total{node=\"dataset-it-node\"} 1.0")
        .containsPattern("dcloud_node_dataset_cache_misses_total\\{node=\"dataset-it-node\"} [1-9]")
        .contains("dcloud_node_dataset_cache_hits_total{node=\"dataset-it-node\"}")
        .containsPattern("dcloud_node_dataset_cache_bytes\\{node=\"dataset-it-node\"} [1-9]");
    Promtool.Result checked = Promtool.checkMetrics(scrape);
    assertThat(checked.problemsOf("dcloud_node_dataset_cache")).as(checked.output()).isEmpty();
  }

  @Test
  void anEnvironmentReadsItsDatasetsAndCannotWriteToThem() throws Exception {
    upload("it/db/notes", "text/plain", "first\n".getBytes());
    JsonNode notes = upload("it/db/notes", "text/plain", "hello dataset\n".getBytes());
    assertThat(notes.get("version").asInt()).isEqualTo(2);
    upload("it/db/images", "application/x-tar",
        TarArchive.create().directory("sub", 0755).file("sub/a.txt", "A").file("labels.csv", "a,1\n").toBytes());
    // Cassandra, not the gateway, has the bytes: they come back whole.
    assertThat(api.get("/api/v1/datasets/it/db/notes?version=1").body()).isEqualTo("first\n");

    Api.Response created = api.post("/api/v1/environments", """
        {"env-name": "reads-data", "os": "tiny", "languages": [{"language-name": "shell", "libraries": []}],
         "resources": {"ram": "64M", "cpu": "0.5", "gpu": "0"},
         "dataset": [{"category-name": "it", "db": [{"db-name": "db", "dataset": [
           {"dataset-name": "notes", "version": "latest"}, {"dataset-name": "images", "version": "1"}]}]}],
         "command": ["sh", "-c", "exec sleep infinity"]}
        """);
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String id = created.json().get("id").asText();
    await().atMost(UP_WITHIN).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
        assertThat(api.get("/api/v1/environments/" + id).json().get("status").asText()).isEqualTo("RUNNING"));
    JsonNode running = api.get("/api/v1/environments/" + id).json();
    assertThat(historyStatuses(running)).as("fetched into the node's cache first")
        .containsSubsequence("PLACED", "PREPARING", "STARTING", "RUNNING");
    assertThat(running.get("datasets").toString()).as("latest resolved to version 2")
        .isEqualTo("[{\"category\":\"it\",\"db\":\"db\",\"name\":\"notes\",\"version\":\"2\"},"
            + "{\"category\":\"it\",\"db\":\"db\",\"name\":\"images\",\"version\":\"1\"}]");

    assertThat(exec(id, "cat /datasets/it/db/notes").get("stdout").asText()).isEqualTo("hello dataset\n");
    assertThat(exec(id, "cat /datasets/it/db/images/sub/a.txt /datasets/it/db/images/labels.csv").get("stdout").asText())
        .isEqualTo("Aa,1\n");
    JsonNode overwrite = exec(id, "echo changed > /datasets/it/db/notes");
    assertThat(overwrite.get("exitCode").asInt()).isNotZero();
    assertThat(overwrite.get("stderr").asText()).containsIgnoringCase("read-only");
    JsonNode add = exec(id, "touch /datasets/it/db/images/new");
    assertThat(add.get("exitCode").asInt()).isNotZero();
    assertThat(add.get("stderr").asText()).containsIgnoringCase("read-only");
    assertThat(exec(id, "cat /datasets/it/db/notes").get("stdout").asText()).isEqualTo("hello dataset\n");

    Api.Response missing = api.post("/api/v1/environments", """
        {"env-name": "no-data", "os": "tiny", "resources": {"ram": "64M", "cpu": "0.5"},
         "dataset": [{"category-name": "it", "db": [{"db-name": "db", "dataset": [{"dataset-name": "absent"}]}]}]}
        """);
    assertThat(missing.status()).as(missing.body()).isEqualTo(422);
    assertThat(missing.body()).contains("it/db/absent");
  }
}
