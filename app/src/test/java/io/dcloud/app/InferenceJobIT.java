package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An inference job end to end, as DCloudIT runs DCloud (embedded Cassandra, the real Docker
 * Engine, one node with every role): a scikit-learn model trained here is pushed, served by two
 * replicas (Python on Debian with the catalog's scikit-learn, flask, waitress and joblib), and a job
 * over 320 JSON-lines records in tasks of 50 gives, line for line, what the model predicts locally,
 * with both replicas doing tasks and the output kept as a dataset version.
 */
@Tag("docker") @Tag("cassandra")
class InferenceJobIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String PYTHON = "/usr/bin/python3";
  private static final String MODEL = "iris-jobs";
  /** The first build of the serving image (apt-get of scikit-learn) takes minutes. */
  private static final Duration READY_WITHIN = Duration.ofMinutes(15);
  private static final Duration DONE_WITHIN = Duration.ofMinutes(3);
  private static final String CONTRACT = """
      FEATURES = ["sepal_length", "sepal_width", "petal_length", "petal_width"]


      def preprocess(request):
          return [float(request[feature]) for feature in FEATURES]


      def postprocess(prediction):
          return {"class": int(prediction)}
      """;
  /** Trains the model and writes the job's input and the predictions it must give, postprocessed alike. */
  private static final String TRAIN = """
      import json, random, joblib
      from sklearn.datasets import load_iris
      from sklearn.linear_model import LogisticRegression
      iris = load_iris()
      model = LogisticRegression(max_iter=500).fit(iris.data, iris.target)
      joblib.dump(model, "model.joblib")
      names = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
      rng = random.Random(14)
      rows = [[float(v) + rng.uniform(-0.3, 0.3) for v in iris.data[i % 150]] for i in range(320)]
      with open("records.jsonl", "w") as out:
          for row in rows:
              out.write(json.dumps(dict(zip(names, row))) + "\\n")
      with open("expected.jsonl", "w") as out:
          for prediction in model.predict(rows):
              out.write(json.dumps({"class": int(prediction)}) + "\\n")
      """;

  private static OneNodeDCloud dcloud;
  private static Api api;

  @TempDir
  Path work;

  @BeforeAll
  static void startDCloud() throws Exception {
    boolean present = Files.isExecutable(Path.of(PYTHON)) && new ProcessBuilder(PYTHON, "-c", "import sklearn, joblib")
        .redirectErrorStream(true).start().waitFor() == 0;
    Requirements.requireOrSkip(present, () -> PYTHON + " with scikit-learn and joblib is missing: apt-get install"
        + " python3-sklearn python3-joblib");
    dcloud = OneNodeDCloud.start("inference-job-it-node", Map.of());
    api = dcloud.api();
  }

  @AfterAll
  static void stopDCloud() {
    if (dcloud != null) {
      dcloud.close();
    }
  }

  @Test
  void aJobOverADatasetGivesTheLocalPredictionsInOrderFromBothReplicasAndKeepsThemAsADataset() throws Exception {
    Files.writeString(work.resolve("train.py"), TRAIN);
    Process training = new ProcessBuilder(PYTHON, "train.py").directory(work.toFile()).redirectErrorStream(true).start();
    String trained = new String(training.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(training.waitFor()).as("training:\n%s", trained).isZero();

    HttpResponse<String> pushed = push(Files.readAllBytes(work.resolve("model.joblib")));
    assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
    Api.Response service = api.post("/api/v1/services", JSON.writeValueAsString(serviceBody()));
    assertThat(service.status()).as(service.body()).isEqualTo(201);
    HttpResponse<String> input = send(api.request("/api/v1/datasets/tables/iris/records")
        .header("content-type", "application/x-ndjson")
        .PUT(HttpRequest.BodyPublishers.ofFile(work.resolve("records.jsonl"))));
    assertThat(input.statusCode()).as(input.body()).isEqualTo(201);
    await().atMost(READY_WITHIN).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
      JsonNode shown = api.get("/api/v1/services/" + MODEL).json();
      assertThat(shown.path("replicas")).as(shown.toString()).hasSize(2)
          .allSatisfy(replica -> assertThat(replica.path("ready").asBoolean()).isTrue());
    });

    Api.Response submitted = api.post("/api/v1/jobs", "{\"service\": \"" + MODEL + "\", \"input\": {\"dataset\":"
        + " \"tables/iris/records\", \"version\": \"latest\"}, \"batch-size\": 50}");
    assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
    String id = submitted.json().path("id").asText();
    JsonNode done = await().atMost(DONE_WITHIN).pollInterval(Duration.ofMillis(500))
        .until(() -> api.get("/api/v1/jobs/" + id).json(), job -> !List.of("QUEUED", "RUNNING")
            .contains(job.path("status").asText()));

    assertThat(done.path("status").asText()).as(done.toString()).isEqualTo("SUCCEEDED");
    assertThat(done.path("progress").path("done").asInt()).isEqualTo(320);
    assertThat(done.path("progress").path("total").asInt()).isEqualTo(320);
    JsonNode assignments = done.path("assignments");
    assertThat(assignments).as(done.toString()).hasSize(2)
        .allSatisfy(a -> {
          assertThat(a.path("done").asInt()).isPositive();
          assertThat(a.path("node").asText()).isEqualTo("inference-job-it-node");
        });
    int tasksDone = 0;
    for (JsonNode a : assignments) {
      tasksDone += a.path("done").asInt();
    }
    assertThat(tasksDone).isEqualTo(7);
    Api.Response output = api.get("/api/v1/jobs/" + id + "/output");
    assertThat(output.status()).as(output.body()).isEqualTo(200);
    assertThat(lines(output.body())).containsExactlyElementsOf(lines(Files.readString(work.resolve("expected.jsonl"))));
    String dataset = done.path("output").path("dataset").asText();
    assertThat(dataset).isEqualTo("jobs/" + MODEL + "/" + id);
    Api.Response versions = api.get("/api/v1/datasets/" + dataset + "/versions");
    assertThat(versions.status()).as(versions.body()).isEqualTo(200);
    assertThat(versions.json().path("versions").get(0).path("version").asInt())
        .isEqualTo(done.path("output").path("version").asInt());
    assertThat(api.delete("/api/v1/services/" + MODEL).status()).isEqualTo(202);
  }

  /** Each line as JSON: the wrapper and Python space the same document differently. */
  private static List<JsonNode> lines(String text) throws Exception {
    List<JsonNode> parsed = new ArrayList<>();
    for (String line : text.split("\n")) {
      if (!line.isBlank()) {
        parsed.add(JSON.readTree(line));
      }
    }
    return parsed;
  }

  /** The body POST /models/{name}/deploy makes (ModelServiceBody.of): the bundle mounted, the wrapper run from it. */
  private static ObjectNode serviceBody() {
    ObjectNode environment = JSON.createObjectNode().put("os", "debian");
    var libraries = environment.putArray("languages").addObject().put("language-name", "python").putArray("libraries");
    List.of("scikit-learn", "flask", "waitress", "joblib").forEach(libraries::add);
    environment.putObject("resources").put("ram", "512M").put("cpu", "0.5").put("gpu", "0");
    environment.putArray("dataset").addObject().put("category-name", "models").putArray("db").addObject()
        .put("db-name", MODEL).putArray("dataset").addObject().put("dataset-name", "bundle").put("version", "1");
    environment.putArray("command").add("python3").add("/datasets/models/" + MODEL + "/bundle/dcloud_serve.py");
    environment.putObject("env").put("PORT", "8080");
    environment.putArray("port-publish").addObject().putObject("internal").put("ports", 8080).put("protocol", "tcp");
    ObjectNode service = JSON.createObjectNode().put("name", MODEL).put("kind", "model").put("port", 8080)
        .put("replicas", 2);
    service.set("environment", environment);
    service.putObject("readiness").put("path", "/ready");
    return service;
  }

  private static HttpResponse<String> push(byte[] model) {
    String boundary = "job-it-" + System.nanoTime();
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    Map.of("model", new Object[] {"model.joblib", "application/octet-stream", model},
        "contract", new Object[] {"contract.py", "text/x-python", CONTRACT.getBytes(StandardCharsets.UTF_8)},
        "config", new Object[] {"config.json", "application/json", ("{\"name\": \"" + MODEL + "\", \"runtime\":"
            + " {\"language-name\": \"python\", \"libraries\": [\"scikit-learn\"]}}").getBytes(StandardCharsets.UTF_8)})
        .forEach((name, part) -> {
          body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"" + name + "\"; filename=\""
              + part[0] + "\"\r\nContent-Type: " + part[1] + "\r\n\r\n").getBytes(StandardCharsets.UTF_8));
          body.writeBytes((byte[]) part[2]);
          body.writeBytes("\r\n".getBytes(StandardCharsets.UTF_8));
        });
    body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
    return send(api.request("/api/v1/models").header("content-type", "multipart/form-data; boundary=" + boundary)
        .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())));
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return api.client().send(request.timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }
}
