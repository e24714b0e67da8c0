package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.dcloud.testing.IrisModel;
import io.dcloud.testing.ModelPush;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model served end to end, as a data scientist and its callers live it (one DCloud: embedded
 * Cassandra, the real Docker Engine): a scikit-learn model trained here is pushed and deployed with
 * two replicas and batching; predictions through the gateway are the model's own, concurrent callers
 * are batched and each gets its own answers; a second version rolls in replica by replica without a
 * failed predict; an inference job over a JSON-lines dataset gives, line for line, the model's own
 * predictions from both replicas; a replica's container killed under a stream of predicts fails
 * none of them; and a small TorchScript network served the same way answers as it does here.
 * The methods run in order.
 */
@Tag("docker") @Tag("cassandra") @Tag("python")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ModelServingIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String MODEL = "iris";
  /** The first deploy builds the python image with scikit-learn, flask and waitress (cached afterwards). */
  private static final Duration FIRST_UP_WITHIN = Duration.ofMinutes(15);
  private static final Duration ROLLED_WITHIN = Duration.ofMinutes(5);
  private static final int CONCURRENT_CALLERS = 16;
  /** The job's input: the requests this many times over (22 each), in tasks of 50. */
  private static final int JOB_ROUNDS = 15;

  private static OneNodeDCloud dcloud;
  private static Api api;
  @TempDir
  static Path work;
  private static IrisModel.Trained first;
  private static IrisModel.Trained second;
  private static List<String> replicas = List.of();

  @BeforeAll
  static void startDCloud() throws Exception {
    IrisModel.requirePython();
    dcloud = OneNodeDCloud.start("model-serving-it-node", Map.of());
    api = dcloud.api();
  }

  @AfterAll
  static void stopDCloud() {
    if (dcloud != null) {
      dcloud.close();
    }
  }

  @Test
  @Order(1)
  void aDeployedModelAnswersThroughTheGatewayWithItsOwnPredictions() throws Exception {
    first = IrisModel.train(work, 500);
    // A long batching wait, so that the concurrent callers below do share batches.
    assertThat(IrisModel.push(api, first.artifact(), IrisModel.config(MODEL, 2,
        ", \"batching\": {\"max-size\": 8, \"max-wait-ms\": 50}"))).isEqualTo(1);
    Api.Response created = api.post("/api/v1/models/" + MODEL + "/deploy", "{}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.json().path("batching").path("maxSize").asInt()).isEqualTo(8);
    replicas = awaitReplicas(1, FIRST_UP_WITHIN);

    // Each replica gets some once this gateway's view of the service has both ready.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Api.Response predicted = predict(first.instances());
      assertThat(predicted.status()).as(predicted.body()).isEqualTo(200);
      assertThat(predicted.json().path("predictions")).isEqualTo(first.expected());
      JsonNode stats = api.get("/api/v1/services/" + MODEL + "/stats").json();
      assertThat(stats.path("replicas")).as(stats.toString()).hasSize(2)
          .allSatisfy(replica -> assertThat(replica.path("count").asLong()).isPositive());
    });
    ArrayNode oneBad = JSON.createArrayNode().add(first.instances().get(0)).add(JSON.readTree("{\"sepal_length\": 1}"));
    Api.Response bad = predict(oneBad);
    assertThat(bad.status()).as(bad.body()).isEqualTo(400);
    assertThat(bad.json().path("error").asText()).contains("instance 1");
    Api.Response ready = api.get("/api/v1/services/" + MODEL + "/call/ready");
    assertThat(ready.status()).as(ready.body()).isEqualTo(200);
    // The same through the CLI, as a script with a token calls it.
    InProcessCli.Result called = InProcessCli.run(Map.of("DCLOUD_API", api.uri("").toString(), "DCLOUD_TOKEN", api.bearer().substring("Bearer ".length())),
        "", "services", "call", MODEL, "/ready");
    assertThat(called.status()).as("%s", called).isZero();
    assertThat(called.out()).isEqualTo(ready.body());
    InProcessCli.Result missing = InProcessCli.run(Map.of("DCLOUD_API", api.uri("").toString(), "DCLOUD_TOKEN", api.bearer().substring("Bearer ".length())),
        "", "services", "call", MODEL, "/no-such-path");
    assertThat(missing.status()).as("the replica's own 404: %s", missing).isEqualTo(1);
    assertThat(missing.err()).contains("answered HTTP 404");
  }

  @Test
  @Order(2)
  void concurrentCallersShareBatchesAndEachGetsItsOwnPrediction() throws Exception {
    long replicaCallsBefore = replicaCalls();
    ExecutorService callers = Executors.newFixedThreadPool(CONCURRENT_CALLERS);
    try {
      List<Callable<JsonNode>> calls = new ArrayList<>();
      for (int i = 0; i < first.instances().size(); i++) {
        ArrayNode one = JSON.createArrayNode().add(first.instances().get(i));
        calls.add(() -> {
          Api.Response answer = predict(one);
          assertThat(answer.status()).as(answer.body()).isEqualTo(200);
          return answer.json().path("predictions").get(0);
        });
      }
      List<Future<JsonNode>> answers = callers.invokeAll(calls);
      for (int i = 0; i < answers.size(); i++) {
        assertThat(answers.get(i).get()).as("the answer to instance " + i).isEqualTo(first.expected().get(i));
      }
    } finally {
      callers.shutdownNow();
    }
    // Fewer requests reached the replicas than callers made: some went together.
    assertThat(replicaCalls() - replicaCallsBefore).isLessThan(first.instances().size());
  }

  @Test
  @Order(3)
  void aNewVersionRollsInWithoutAFailedPredict() throws Exception {
    second = IrisModel.train(work, 700);
    assertThat(IrisModel.push(api, second.artifact(), IrisModel.config(MODEL, 2, ""))).isEqualTo(2);
    List<String> failures;
    JsonNode rolled;
    try (Watch watch = Watch.start(MODEL);
        PredictStream stream = PredictStream.start(api, MODEL, first.instances(),
            new HashSet<>(List.of(first.expected(), second.expected())), 2)) {
      Api.Response updated = api.post("/api/v1/models/" + MODEL + "/deploy", "{\"version\": 2}");
      assertThat(updated.status()).as(updated.body()).isEqualTo(200);
      assertThat(updated.json().path("version").asInt()).isEqualTo(2);
      List<String> rolledReplicas = awaitReplicas(2, ROLLED_WITHIN);
      assertThat(rolledReplicas).doesNotContainAnyElementsOf(replicas);
      failures = stream.stop();
      assertThat(stream.answered()).isPositive();
      rolled = api.get("/api/v1/services/" + MODEL).json();
      watch.assertNeverFewerReadyThan(1);
      assertThat(watch.versionsSeen()).as("both versions served during the roll").contains(1, 2);
      for (String old : replicas) {
        await().atMost(ROLLED_WITHIN).untilAsserted(() ->
            assertThat(api.get("/api/v1/environments/" + old).json().path("status").asText()).isEqualTo("DELETED"));
      }
      replicas = rolledReplicas;
    }
    assertThat(failures).as("predicts that failed while the service rolled").isEmpty();
    assertThat(rolled.path("version").asInt()).isEqualTo(2);
  }

  @Test
  @Order(5)
  void aReplicaKilledUnderAStreamOfPredictsFailsNone() throws Exception {
    List<String> failures;
    try (PredictStream stream = PredictStream.start(api, MODEL, second.instances(), Set.of(second.expected()), 2)) {
      await().atMost(Duration.ofSeconds(60)).until(() -> stream.answered() >= 20);
      List<String> containers = Docker.containersLabelled("dcloud.env=" + replicas.get(0));
      assertThat(containers).as("the container of replica " + replicas.get(0)).hasSize(1);
      Docker.run("kill", containers.get(0));
      int atKill = stream.answered();
      await().atMost(Duration.ofMinutes(2)).until(() -> stream.answered() >= atKill + 150);
      failures = stream.stop();
    }
    assertThat(failures).as("predicts that failed while a replica died").isEmpty();
    JsonNode stats = api.get("/api/v1/services/" + MODEL + "/stats").json();
    assertThat(stats.path("latencyMs").path("p99").asDouble())
        .isGreaterThanOrEqualTo(stats.path("latencyMs").path("p50").asDouble()).isPositive();
    // The killed replica is replaced: the service is back to two ready ones.
    await().atMost(ROLLED_WITHIN).untilAsserted(() -> assertThat(api.get("/api/v1/services/" + MODEL).json()
        .path("replicas").findValuesAsText("ready")).containsExactly("true", "true"));
  }

  @Test
  @Order(4)
  void aJobOverADatasetGivesTheModelsPredictionsInOrderFromBothReplicas() throws Exception {
    IrisModel.JobInput records = second.asJobInput(JOB_ROUNDS);
    List<JsonNode> expected = records.expected();
    Api.Response input = api.put("/api/v1/datasets/tables/iris/records", "application/x-ndjson", records.records());
    assertThat(input.status()).as(input.body()).isEqualTo(201);

    Api.Response submitted = api.post("/api/v1/jobs", "{\"service\": \"" + MODEL + "\", \"input\": {\"dataset\":"
        + " \"tables/iris/records\", \"version\": \"latest\"}, \"batch-size\": 50}");
    assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
    String id = submitted.json().path("id").asText();
    JsonNode done = await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofMillis(500))
        .until(() -> api.get("/api/v1/jobs/" + id).json(),
            job -> !List.of("QUEUED", "RUNNING").contains(job.path("status").asText()));

    assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
    assertThat(done.path("progress").path("done").asInt()).isEqualTo(expected.size());
    assertThat(done.path("assignments")).as(done.toString()).hasSize(2).allSatisfy(assignment -> {
      assertThat(assignment.path("done").asInt()).isPositive();
      assertThat(assignment.path("node").asText()).isEqualTo("model-serving-it-node");
    });
    Api.Response output = api.get("/api/v1/jobs/" + id + "/output");
    assertThat(output.status()).as(output.body()).isEqualTo(200);
    List<JsonNode> lines = new ArrayList<>();
    for (String line : output.body().split("\n")) {
      if (!line.isBlank()) {
        lines.add(JSON.readTree(line));
      }
    }
    assertThat(lines).containsExactlyElementsOf(expected);
    String dataset = done.path("output").path("dataset").asText();
    assertThat(dataset).isEqualTo("jobs/" + MODEL + "/" + id);
    assertThat(api.get("/api/v1/datasets/" + dataset + "/versions").json().path("versions").get(0).path("version").asInt())
        .isEqualTo(done.path("output").path("version").asInt());
  }

  @Test
  @Order(6)
  void aTorchScriptModelAnswersThroughDCloudAsItDoesHere() throws Exception {
    TorchModel.Trained torch = TorchModel.train(work);
    String config = "{\"name\": \"tiny-torch\", \"runtime\": {\"language-name\": \"python\", \"libraries\": [\"torch\"]},"
        + " \"resources\": {\"ram\": \"1G\", \"cpu\": \"0.5\"}, \"replicas\": 1}";
    assertThat(ModelPush.push(api, "model.pt", torch.artifact(), TorchModel.CONTRACT, config)).isEqualTo(1);
    Api.Response created = api.post("/api/v1/models/tiny-torch/deploy", "{}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    // Its image (python3-torch from the catalog) is built on first use.
    await().atMost(FIRST_UP_WITHIN).pollInterval(Duration.ofSeconds(2)).untilAsserted(() ->
        assertThat(api.get("/api/v1/services/tiny-torch").json().path("replicas").findValuesAsText("ready"))
            .containsExactly("true"));
    JsonNode predictions = await().atMost(Duration.ofSeconds(30)).until(() -> {
      Api.Response answer = api.post("/api/v1/services/tiny-torch/predict",
          JSON.createObjectNode().set("instances", torch.instances()).toString());
      return answer.status() == 200 ? answer.json().path("predictions") : null;
    }, java.util.Objects::nonNull);
    assertThat(predictions).hasSameSizeAs(torch.expected());
    for (int i = 0; i < predictions.size(); i++) {
      JsonNode scores = predictions.get(i).path("scores");
      JsonNode local = torch.expected().get(i).path("scores");
      assertThat(scores).as("instance %d", i).hasSameSizeAs(local);
      for (int j = 0; j < scores.size(); j++) {
        assertThat(scores.get(j).asDouble()).as("instance %d score %d", i, j).isCloseTo(local.get(j).asDouble(),
            org.assertj.core.data.Offset.offset(1e-5));
      }
    }
  }

  private static Api.Response predict(ArrayNode instances) {
    return api.post("/api/v1/services/" + MODEL + "/predict", JSON.createObjectNode().set("instances", instances).toString());
  }

  /** Requests the replicas answered, as this gateway counted them (a batch once). */
  private static long replicaCalls() {
    JsonNode stats = api.get("/api/v1/services/" + MODEL + "/stats").json();
    long calls = 0;
    for (JsonNode replica : stats.path("replicas")) {
      calls += replica.path("count").asLong();
    }
    return calls;
  }

  /** Waits until the service shows exactly its two replicas, RUNNING, ready and of {@code version}; their ids. */
  private static List<String> awaitReplicas(int version, Duration within) {
    List<String> ids = new ArrayList<>();
    await().atMost(within).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      JsonNode shown = api.get("/api/v1/services/" + MODEL).json();
      assertThat(shown.path("version").asInt()).isEqualTo(version);
      assertThat(shown.path("replicas")).as(shown.toString()).hasSize(2).allSatisfy(replica -> {
        assertThat(replica.path("status").asText()).isEqualTo("RUNNING");
        assertThat(replica.path("ready").asBoolean()).isTrue();
        assertThat(replica.path("version").asInt()).isEqualTo(version);
      });
      ids.clear();
      shown.path("replicas").forEach(replica -> ids.add(replica.path("id").asText()));
    });
    return ids;
  }

  /** Samples {@code GET /services/{name}} at a fixed rate while a roll runs: how many replicas were ready, of which versions. */
  private static final class Watch implements AutoCloseable {
    private static final Duration EVERY = Duration.ofMillis(200);

    /** One look: the ready replicas' versions, or the status of an answer that was not 200. */
    record Sample(List<Integer> readyVersions, int status) {}

    private final ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
    private final List<Sample> samples = new CopyOnWriteArrayList<>();

    static Watch start(String service) {
      Watch watch = new Watch();
      watch.sampler.scheduleAtFixedRate(() -> watch.sample(service), 0, EVERY.toMillis(), TimeUnit.MILLISECONDS);
      return watch;
    }

    private void sample(String service) {
      Api.Response shown = api.get("/api/v1/services/" + service);
      List<Integer> ready = new ArrayList<>();
      if (shown.status() == 200) {
        shown.json().path("replicas").forEach(replica -> {
          if (replica.path("ready").asBoolean()) {
            ready.add(replica.path("version").asInt());
          }
        });
      }
      samples.add(new Sample(List.copyOf(ready), shown.status()));
    }

    void assertNeverFewerReadyThan(int least) {
      assertThat(samples).as("samples of the service while it rolled").isNotEmpty()
          .allSatisfy(sample -> {
            assertThat(sample.status()).isEqualTo(200);
            assertThat(sample.readyVersions()).as("ready replicas' versions").hasSizeGreaterThanOrEqualTo(least);
          });
    }

    List<Integer> versionsSeen() {
      return samples.stream().flatMap(sample -> sample.readyVersions().stream()).distinct().toList();
    }

    @Override
    public void close() throws InterruptedException {
      sampler.shutdown();
      assertThat(sampler.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
    }
  }
}
