package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
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
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Calling a model service end to end (one DCloud: embedded Cassandra, the real Docker Engine): a
 * scikit-learn model trained here is pushed, served by two replicas, and its predictions through the
 * gateway are the ones it gives locally; {@code call/ready} reaches a replica's own path; the stats
 * count each replica's share; and while a stream of predicts runs, one replica's container is
 * killed: none of them fails (each is tried once more on the other replica).
 */
@Tag("docker") @Tag("cassandra")
class ServiceCallIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PYTHON = "/usr/bin/python3";
  private static final String MODEL = "iris-calls";
  /** The first build of the serving image (python, scikit-learn, flask, waitress) takes minutes. */
  private static final Duration READY_WITHIN = Duration.ofMinutes(10);
  private static final int PREDICTS_AFTER_KILL = 150;

  private static final String CONTRACT = """
      FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


      def preprocess(request):
          return [float(request[feature]) for feature in FEATURES]


      def postprocess(prediction):
          return {"class": int(prediction)}
      """;

  /** Trains, saves model.joblib, and writes instances.json and the local predictions (expected.json). */
  private static final String TRAIN = """
      import json, sys, joblib
      from sklearn.datasets import load_iris
      from sklearn.linear_model import LogisticRegression
      iris = load_iris()
      model = LogisticRegression(max_iter=500).fit(iris.data, iris.target)
      joblib.dump(model, "model.joblib")
      names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
      rows = [iris.data[i] for i in (0, 60, 120, 10, 140, 75)]
      json.dump([dict(zip(names, map(float, row))) for row in rows], open("instances.json", "w"))
      json.dump([{"class": int(p)} for p in model.predict(rows)], open("expected.json", "w"))
      """;

  private static OneNodeDCloud dcloud;
  private static Api api;

  @TempDir
  Path work;

  @BeforeAll
  static void startDCloud() throws Exception {
    boolean present = new ProcessBuilder(PYTHON, "-c", "import sklearn, joblib").redirectErrorStream(true).start()
        .waitFor() == 0;
    Requirements.requireOrSkip(present, () -> PYTHON + " with scikit-learn and joblib is missing: "
        + "apt-get install python3-sklearn python3-joblib");
    dcloud = OneNodeDCloud.start("service-call-it-node", Map.of());
    api = dcloud.api();
  }

  @AfterAll
  static void stopDCloud() {
    if (dcloud != null) {
      dcloud.close();
    }
  }

  @Test
  void predictionsThroughTheGatewayAreTheModelsAndSurviveAReplicaKilled() throws Exception {
    train();
    int version = push();
    Api.Response created = api.post("/api/v1/services", JSON.writeValueAsString(serviceBody(version)));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    List<String> replicas = new ArrayList<>();
    await().atMost(READY_WITHIN).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
      JsonNode shown = api.get("/api/v1/services/" + MODEL).json();
      assertThat(shown.path("replicas")).as(shown.toString()).hasSize(2)
          .allSatisfy(replica -> assertThat(replica.path("ready").asBoolean()).isTrue());
      replicas.clear();
      shown.path("replicas").forEach(replica -> replicas.add(replica.path("id").asText()));
    });

    ArrayNode instances = (ArrayNode) JSON.readTree(work.resolve("instances.json").toFile());
    JsonNode expected = JSON.readTree(work.resolve("expected.json").toFile());
    // Each replica gets some: the gateway's view is refreshed within seconds of both being ready.
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Api.Response predicted = predict(instances);
      assertThat(predicted.status()).as(predicted.body()).isEqualTo(200);
      assertThat(predicted.json().path("predictions")).isEqualTo(expected);
      JsonNode stats = api.get("/api/v1/services/" + MODEL + "/stats").json();
      assertThat(stats.path("replicas")).as(stats.toString()).hasSize(2)
          .allSatisfy(replica -> assertThat(replica.path("count").asLong()).isPositive());
    });
    Api.Response bad = predict(JSON.createArrayNode().add(instances.get(0)).add(JSON.readTree("{\"sepal_length\": 1}")));
    assertThat(bad.status()).as(bad.body()).isEqualTo(400);
    assertThat(bad.json().path("error").asText()).contains("instance 1");

    Api.Response ready = api.get("/api/v1/services/" + MODEL + "/call/ready");
    assertThat(ready.status()).as(ready.body()).isEqualTo(200);

    assertThat(predictsWhileOneReplicaIsKilled(instances, expected, replicas.get(0))).isEmpty();

    JsonNode stats = api.get("/api/v1/services/" + MODEL + "/stats").json();
    assertThat(stats.path("count").asLong()).isGreaterThan(PREDICTS_AFTER_KILL);
    assertThat(stats.path("latencyMs").path("p99").asDouble())
        .isGreaterThanOrEqualTo(stats.path("latencyMs").path("p50").asDouble()).isPositive();
    assertThat(stats.path("replicas")).extracting(replica -> replica.path("id").asText()).containsAll(replicas);
  }

  /**
   * Predicts from two threads until {@value #PREDICTS_AFTER_KILL} have been answered after the kill;
   * the failures (status and body), none expected.
   */
  private List<String> predictsWhileOneReplicaIsKilled(ArrayNode instances, JsonNode expected, String victim)
      throws Exception {
    ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
    AtomicInteger answered = new AtomicInteger();
    AtomicBoolean killed = new AtomicBoolean();
    AtomicInteger afterKill = new AtomicInteger();
    ExecutorService callers = Executors.newFixedThreadPool(2);
    try {
      List<Future<?>> running = new ArrayList<>();
      for (int i = 0; i < 2; i++) {
        running.add(callers.submit(() -> {
          while (afterKill.get() < PREDICTS_AFTER_KILL) {
            boolean sentAfterKill = killed.get();
            Api.Response answer = predict(instances);
            if (answer.status() != 200 || !answer.json().path("predictions").equals(expected)) {
              failures.add(answer.status() + " " + answer.body());
            }
            answered.incrementAndGet();
            if (sentAfterKill) {
              afterKill.incrementAndGet();
            }
          }
          return null;
        }));
      }
      await().atMost(Duration.ofSeconds(60)).until(() -> answered.get() >= 20);
      List<String> containers = Docker.containersLabelled("dcloud.env=" + victim);
      assertThat(containers).as("the container of replica " + victim).hasSize(1);
      Docker.run("kill", containers.get(0));
      killed.set(true);
      for (Future<?> caller : running) {
        caller.get(5, TimeUnit.MINUTES);
      }
    } finally {
      callers.shutdownNow();
    }
    return List.copyOf(failures);
  }

  private Api.Response predict(ArrayNode instances) throws Exception {
    ObjectNode body = JSON.createObjectNode();
    body.set("instances", instances);
    return api.post("/api/v1/services/" + MODEL + "/predict", JSON.writeValueAsString(body));
  }

  private void train() throws Exception {
    Files.writeString(work.resolve("train.py"), TRAIN);
    Process training = new ProcessBuilder(PYTHON, "train.py").directory(work.toFile()).redirectErrorStream(true).start();
    String output = new String(training.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(training.waitFor()).as("training:\n" + output).isZero();
  }

  /** POST /models (multipart: model, contract, config); the version made. */
  private int push() throws Exception {
    String config = "{\"name\": \"" + MODEL + "\", \"runtime\": {\"language-name\": \"python\", \"libraries\": "
        + "[\"scikit-learn\"]}, \"resources\": {\"ram\": \"512M\", \"cpu\": \"0.5\"}, \"replicas\": 2}";
    String boundary = "service-call-it-boundary";
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    part(body, boundary, "model", "model.joblib", "application/octet-stream", Files.readAllBytes(work.resolve("model.joblib")));
    part(body, boundary, "contract", "contract.py", "text/x-python", CONTRACT.getBytes(StandardCharsets.UTF_8));
    part(body, boundary, "config", "config.json", "application/json", config.getBytes(StandardCharsets.UTF_8));
    body.write(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    HttpResponse<String> pushed = api.client().send(api.request("/api/v1/models")
        .header("content-type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
    return JSON.readTree(pushed.body()).path("version").asInt();
  }

  private static void part(ByteArrayOutputStream body, String boundary, String name, String file, String type, byte[] content)
      throws Exception {
    body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\"" + file
        + "\"\r\nContent-Type: " + type + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
    body.write(content);
    body.write("\r\n".getBytes(StandardCharsets.UTF_8));
  }

  /** What ModelServiceBody.of makes of the pushed version, port published (POST /models/{name}/deploy will send it itself). */
  private static ObjectNode serviceBody(int version) {
    ObjectNode environment = JSON.createObjectNode().put("os", "debian");
    ObjectNode python = environment.putArray("languages").addObject().put("language-name", "python");
    python.putArray("libraries").add("scikit-learn").add("flask").add("waitress").add("joblib");
    environment.putObject("resources").put("ram", "512M").put("cpu", "0.5");
    // ModelServiceBody.of leaves this out on main (POST /services answers 422 "port" without it).
    environment.putArray("port-publish").addObject().putObject("internal").put("ports", "8080");
    environment.putArray("dataset").addObject().put("category-name", "models").putArray("db").addObject()
        .put("db-name", MODEL).putArray("dataset").addObject().put("dataset-name", "bundle")
        .put("version", Integer.toString(version));
    environment.putArray("command").add("python3").add("/datasets/models/" + MODEL + "/bundle/dcloud_serve.py");
    environment.putObject("env").put("PORT", "8080");
    ObjectNode service = JSON.createObjectNode().put("name", MODEL).put("kind", "model").put("port", 8080)
        .put("replicas", 2);
    service.set("environment", environment);
    service.putObject("readiness").put("path", "/ready");
    return service;
  }
}
