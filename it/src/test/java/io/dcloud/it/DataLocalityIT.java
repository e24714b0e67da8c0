package io.dcloud.it;

import static io.dcloud.it.Envs.awaitStatus;
import static io.dcloud.it.Envs.create;
import static io.dcloud.it.Envs.fullId;
import static io.dcloud.it.Envs.summary;
import static io.dcloud.it.Envs.tinySpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Data locality on a cluster of three real {@code dcloud node} processes (real Docker, one embedded
 * Cassandra holding the dataset's chunks): a second environment naming a dataset goes to the node
 * whose cache holds it, though spread would put it elsewhere, and says why in its history; when
 * that node is killed with SIGKILL, its environments are re-placed on the survivors and mount the
 * same bytes there (fetched from Cassandra, which every node reads).
 */
@Tag("cluster")
class DataLocalityIT {
  private static final Duration RUNNING_WITHIN = Duration.ofSeconds(90);
  private static final Duration GOSSIPED_WITHIN = Duration.ofSeconds(30);
  private static final Duration REPLACED_WITHIN = Duration.ofSeconds(120);
  private static final String DATASET = "loc/db/sample";
  private static final String MOUNTED_AT = "/datasets/" + DATASET;

  private static ClusterHarness cluster;

  @RegisterExtension
  static final NodeLogsOnFailure LOGS_ON_FAILURE = new NodeLogsOnFailure(() -> cluster);

  @BeforeAll
  static void useTheSharedCluster() throws Exception {
    cluster = ClusterHarness.shared();
  }


  @Test
  void theCachingNodeGetsTheSecondEnvironmentAndItsEnvironmentsMountTheSameBytesElsewhereOnceItIsKilled()
      throws Exception {
    // The scheduler lives on the oldest node; the cache is made on another, so the kill below tests
    // re-placement, not a scheduler failover (ClusterIT does that).
    Node via = cluster.oldest();
    byte[] bytes = new byte[256 * 1024];
    new Random(13).nextBytes(bytes);
    String sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    assertThat(upload(via, bytes).get("sha256").asText()).isEqualTo(sha256);

    post(via, "/api/v1/nodes/" + via.id + "/cordon");
    String first = create(via, withDataset("caches-it"));
    Node caching = cluster.byId(awaitStatus(via, first, "RUNNING", RUNNING_WITHIN).get("node").asText());
    post(via, "/api/v1/nodes/" + via.id + "/uncordon");
    await(caching.name + " gossips its cache").atMost(GOSSIPED_WITHIN).pollInterval(Duration.ofMillis(250))
        .untilAsserted(() -> assertThat(cachedOn(via, caching)).contains(DATASET + "@1"));

    // Spread alone would take one of the two nodes that run nothing.
    String second = create(via, withDataset("follows-the-data"));
    JsonNode secondRunning = awaitStatus(via, second, "RUNNING", RUNNING_WITHIN);
    assertThat(secondRunning.get("node").asText()).as(summary(secondRunning)).isEqualTo(caching.id);
    assertThat(messages(secondRunning)).as(summary(secondRunning))
        .contains("placed on node " + caching.id + ": holds dataset " + DATASET + " v1 in its cache");
    assertThat(sha256Inside(secondRunning)).isEqualTo(sha256);

    cluster.kill(caching);

    for (String id : List.of(first, second)) {
      JsonNode replaced = awaitReplaced(via, id, caching);
      assertThat(sha256Inside(replaced)).as("%s re-placed: %s", id, summary(replaced)).isEqualTo(sha256);
    }
  }

  private static String withDataset(String name) {
    return tinySpec(name, "0.5", """
        , "dataset": [{"category-name": "loc", "db": [{"db-name": "db", "dataset": [
            {"dataset-name": "sample", "version": "latest"}]}]}]""");
  }

  private static JsonNode upload(Node via, byte[] bytes) throws IOException, InterruptedException {
    HttpResponse<String> put = HttpClient.newHttpClient().send(via.api.request("/api/v1/datasets/" + DATASET)
        .header("content-type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(bytes)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    return new Api.Response(put.statusCode(), put.body(), put).json();
  }

  private static void post(Node via, String path) {
    Api.Response response = via.api.post(path, "");
    assertThat(response.status()).as("POST %s: %s", path, response.body()).isEqualTo(200);
  }

  private static List<String> cachedOn(Node via, Node node) {
    List<String> cached = new ArrayList<>();
    for (JsonNode listed : via.api.nodes()) {
      if (listed.get("id").asText().equals(node.id)) {
        listed.path("datasets").forEach(version -> cached.add(version.asText()));
      }
    }
    return cached;
  }

  private static List<String> messages(JsonNode environment) {
    List<String> messages = new ArrayList<>();
    environment.path("history").forEach(step -> messages.add(step.path("message").asText()));
    return messages;
  }

  /** What the environment's container reads at its dataset's mount, run in the container itself. */
  private static String sha256Inside(JsonNode environment) {
    String output = Docker.run("exec", fullId(environment.get("containerId").asText()), "sha256sum", MOUNTED_AT);
    return output.split("\\s+")[0];
  }

  private static JsonNode awaitReplaced(Node via, String id, Node gone) {
    JsonNode[] last = new JsonNode[1];
    await(id + " RUNNING off " + gone.name).atMost(REPLACED_WITHIN).pollInterval(Duration.ofMillis(500))
        .ignoreExceptions().untilAsserted(() -> {
          last[0] = via.api.environment(id);
          assertThat(last[0].get("status").asText()).as(summary(last[0])).isEqualTo("RUNNING");
          assertThat(last[0].get("node").asText()).as(summary(last[0])).isNotEqualTo(gone.id);
        });
    return last[0];
  }
}
