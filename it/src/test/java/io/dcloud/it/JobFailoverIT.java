package io.dcloud.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.testing.IrisModel;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An inference job over a real model served by three replicas, one on each of three real {@code
 * dcloud node} processes, loses a node to SIGKILL halfway through: it finishes with every record's
 * prediction, in input order, as the model itself gives them (nothing accepted is lost when a
 * machine fails), whether the job's own entity lived on the lost node or not.
 */
@Tag("cluster") @Tag("python")
class JobFailoverIT {
  private static final Logger LOG = LoggerFactory.getLogger(JobFailoverIT.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODEL = "iris-failover";
  /** ModelServingIT builds the same image first in a full run; alone, this test builds it. */
  private static final Duration READY_WITHIN = Duration.ofMinutes(15);
  private static final Duration FINISHED_WITHIN = Duration.ofMinutes(4);
  private static final Duration GONE_WITHIN = Duration.ofMinutes(2);
  /** The model's 22 requests this many times over, in tasks of {@link #BATCH}: long enough to kill a node midway. */
  private static final int ROUNDS = 1_500;
  private static final int BATCH = 10;

  private static ClusterHarness cluster;
  @TempDir
  static Path work;

  @RegisterExtension
  static final NodeLogsOnFailure LOGS_ON_FAILURE = new NodeLogsOnFailure(() -> cluster);

  @BeforeAll
  static void useTheSharedCluster() throws Exception {
    IrisModel.requirePython();
    cluster = ClusterHarness.shared();
  }

  /** The service goes, so that the next class's restore finds no replica to delete that comes back. */
  @AfterAll
  static void deleteTheService() throws Exception {
    if (cluster == null) {
      return;
    }
    Api api = cluster.oldest().api;
    Api.Response deleted = api.delete("/api/v1/services/" + MODEL);
    assertThat(deleted.status()).as(deleted.body()).isIn(202, 404);
    // The killed node back: the service's replica there, if one is left, can go too.
    cluster.restore();
    await("service " + MODEL + " gone").atMost(GONE_WITHIN).pollInterval(Duration.ofMillis(500))
        .until(() -> api.get("/api/v1/services/" + MODEL).status() == 404);
  }

  @Test
  void aJobThatLosesANodeHalfwayFinishesWithEveryPredictionInOrder() throws Exception {
    Node via = cluster.oldest();
    IrisModel.Trained model = IrisModel.train(work, 500);
    IrisModel.push(via.api, model.artifact(), IrisModel.config(MODEL, 3, ""));
    Api.Response deployed = via.api.post("/api/v1/models/" + MODEL + "/deploy", "{}");
    assertThat(deployed.status()).as(deployed.body()).isEqualTo(201);
    JsonNode replicas = awaitReadyReplicas(via, 3, Set.of(), READY_WITHIN);
    Node victim = replicaNodeOtherThan(via, replicas);

    IrisModel.JobInput records = model.asJobInput(ROUNDS);
    List<JsonNode> expected = records.expected();
    Api.Response input = via.api.put("/api/v1/datasets/tables/iris-failover/records", "application/x-ndjson",
        records.records());
    assertThat(input.status()).as(input.body()).isEqualTo(201);
    Api.Response submitted = via.api.post("/api/v1/jobs", "{\"service\": \"" + MODEL + "\", \"input\": {\"dataset\":"
        + " \"tables/iris-failover/records\", \"version\": \"latest\"}, \"batch-size\": " + BATCH + "}");
    assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
    String job = submitted.json().path("id").asText();

    JsonNode started = await("job " + job + " under way").atMost(READY_WITHIN).pollInterval(Duration.ofMillis(100))
        .until(() -> via.api.get("/api/v1/jobs/" + job).json(), j -> j.path("progress").path("done").asLong() > 0
            || !List.of("QUEUED", "RUNNING").contains(j.path("status").asText()));
    assertThat(started.path("status").asText()).as("still running when the node is killed: %s", started)
        .isEqualTo("RUNNING");
    Instant killedAt = Instant.now();
    cluster.kill(victim);
    LOG.info("Killed {} with job {} at {} of {} records", victim, job, started.path("progress").path("done"), expected.size());

    JsonNode done = await("job " + job + " finished").atMost(FINISHED_WITHIN).pollInterval(Duration.ofMillis(500))
        .until(() -> via.api.get("/api/v1/jobs/" + job).json(),
            j -> !List.of("QUEUED", "RUNNING").contains(j.path("status").asText()));
    LOG.info("Job {} {} {} s after the kill: {}", job, done.path("status").asText(),
        Duration.between(killedAt, Instant.now()).toSeconds(), done.path("assignments"));

    assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
    assertThat(done.path("progress").path("done").asLong()).isEqualTo(expected.size());
    Api.Response output = via.api.get("/api/v1/jobs/" + job + "/output");
    assertThat(output.status()).as(output.body()).isEqualTo(200);
    List<JsonNode> lines = new ArrayList<>();
    for (String line : output.body().split("\n")) {
      if (!line.isBlank()) {
        lines.add(JSON.readTree(line));
      }
    }
    assertThat(lines).hasSize(expected.size());
    assertThat(lines).as("every record's prediction, in input order").isEqualTo(expected);
  }

  /** The service's replicas once {@code count} are ready on nodes other than {@code not}. */
  private static JsonNode awaitReadyReplicas(Node via, int count, Set<String> not, Duration within) {
    return await(count + " ready replicas of " + MODEL).atMost(within).pollInterval(Duration.ofSeconds(1))
        .until(() -> via.api.get("/api/v1/services/" + MODEL).json().path("replicas"), replicas -> {
          int ready = 0;
          for (JsonNode replica : replicas) {
            if (replica.path("ready").asBoolean() && !not.contains(replica.path("node").asText())) {
              ready++;
            }
          }
          return ready >= count;
        });
  }

  /** A node that runs a replica and is not {@code via} (whose gateway the test calls). */
  private static Node replicaNodeOtherThan(Node via, JsonNode replicas) {
    for (JsonNode replica : replicas) {
      String node = replica.path("node").asText();
      if (!node.equals(via.id)) {
        return cluster.byId(node);
      }
    }
    throw new AssertionError("every replica runs on " + via + ": " + replicas);
  }
}
