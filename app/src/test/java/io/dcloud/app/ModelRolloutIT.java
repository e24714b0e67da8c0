package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.testing.Requirements;
import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model's rolling update end to end, as DCloudIT runs DCloud (embedded Cassandra, the real Docker
 * Engine, one node): a scikit-learn model trained here is pushed and deployed with two replicas,
 * then a second version is pushed and deployed; the service rolls to version 2 replica by replica,
 * and while it rolls it never shows fewer than one ready replica (sampled by {@link Watch}).
 *
 * <p>Needs {@code /usr/bin/python3} with python3-sklearn and python3-joblib (to train the model;
 * the replicas' image has its own from the catalog): skipped without them, failed under {@code CI=true}.
 */
@Tag("docker") @Tag("cassandra") @Tag("python")
class ModelRolloutIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PYTHON = "/usr/bin/python3";
  private static final String MODEL = "rollout-iris";
  /** The first deploy builds the python image with scikit-learn, flask and waitress (later ones reuse it). */
  private static final Duration FIRST_UP_WITHIN = Duration.ofMinutes(15);
  private static final Duration ROLLED_WITHIN = Duration.ofMinutes(5);
  private static final String CONTRACT = """
      FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


      def preprocess(request):
          return [float(request[feature]) for feature in FEATURES]


      def postprocess(prediction):
          return {"class": int(prediction)}
      """;
  /** Trains LogisticRegression on iris (shipped with scikit-learn: nothing is downloaded) into argv[1]. */
  private static final String TRAIN = """
      import sys, joblib
      from sklearn.datasets import load_iris
      from sklearn.linear_model import LogisticRegression
      iris = load_iris()
      joblib.dump(LogisticRegression(max_iter=int(sys.argv[2])).fit(iris.data, iris.target), sys.argv[1])
      """;

  private static OneNodeDCloud dcloud;
  private static Api api;

  @TempDir
  Path work;

  @BeforeAll
  static void startDCloud() throws Exception {
    boolean python = Files.isExecutable(Path.of(PYTHON))
        && new ProcessBuilder(PYTHON, "-c", "import sklearn, joblib").redirectErrorStream(true).start().waitFor() == 0;
    Requirements.requireOrSkip(python, () -> PYTHON + " with scikit-learn and joblib is missing: "
        + "apt-get install python3-sklearn python3-joblib");
    dcloud = OneNodeDCloud.start("rollout-it-node", Map.of());
    api = dcloud.api();
  }

  @AfterAll
  static void stopDCloud() {
    if (dcloud != null) {
      dcloud.close();
    }
  }

  @Test
  void aNewVersionRollsReplicaByReplicaAndTheServiceKeepsAReadyReplica() throws Exception {
    assertThat(push(train(500))).isEqualTo(1);
    Api.Response created = api.post("/api/v1/models/" + MODEL + "/deploy", "{\"version\": 1}");
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    List<String> first = awaitReplicas(1, FIRST_UP_WITHIN);

    assertThat(push(train(700))).isEqualTo(2);
    JsonNode rolled;
    try (Watch watch = Watch.start(MODEL)) {
      Api.Response updated = api.post("/api/v1/models/" + MODEL + "/deploy", "{}");
      assertThat(updated.status()).as(updated.body()).isEqualTo(200);
      assertThat(updated.json().path("version").asInt()).isEqualTo(2);
      List<String> second = awaitReplicas(2, ROLLED_WITHIN);
      assertThat(second).doesNotContainAnyElementsOf(first);
      rolled = api.get("/api/v1/services/" + MODEL).json();
      watch.assertNeverFewerReadyThan(1);
      assertThat(watch.versionsSeen()).as("both versions served during the roll").contains(1, 2);
    }
    assertThat(rolled.path("version").asInt()).isEqualTo(2);
    for (String old : first) {
      await().atMost(ROLLED_WITHIN).untilAsserted(() ->
          assertThat(api.get("/api/v1/environments/" + old).json().path("status").asText()).isEqualTo("DELETED"));
    }
  }

  /** A model artifact trained here (a different {@code maxIter}, a different file). */
  private Path train(int maxIter) throws Exception {
    Path model = work.resolve("model-" + maxIter + ".joblib");
    Process training = new ProcessBuilder(PYTHON, "-c", TRAIN, model.toString(), Integer.toString(maxIter))
        .redirectErrorStream(true).start();
    String output = new String(training.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(training.waitFor()).as(output).isZero();
    return model;
  }

  /** Pushes the next version of the model (two replicas, no batching); its version number. */
  private static int push(Path artifact) throws Exception {
    String config = "{\"name\": \"" + MODEL + "\", \"runtime\": {\"language-name\": \"python\", \"libraries\": "
        + "[\"scikit-learn\"]}, \"resources\": {\"ram\": \"512M\", \"cpu\": \"0.5\"}, \"replicas\": 2}";
    String boundary = "rollout-" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    part(body, boundary, "model", "model.joblib", "application/octet-stream", Files.readAllBytes(artifact));
    part(body, boundary, "contract", "contract.py", "text/x-python", CONTRACT.getBytes(StandardCharsets.UTF_8));
    part(body, boundary, "config", "config.json", "application/json", config.getBytes(StandardCharsets.UTF_8));
    body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpRequest request = api.request("/api/v1/models").header("content-type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
    HttpResponse<String> response = api.client().send(request, HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
    return JSON.readTree(response.body()).path("version").asInt();
  }

  private static void part(ByteArrayOutputStream body, String boundary, String name, String file, String type, byte[] content) {
    body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + file
        + "\"\r\nContent-Type: " + type + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.writeBytes(content);
    body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
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

  /**
   * Samples {@code GET /services/{name}} at a fixed rate while a roll runs: how many replicas were
   * ready, and of which versions. (A check that calls the service while it rolls belongs here too.)
   */
  static final class Watch implements AutoCloseable {
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
