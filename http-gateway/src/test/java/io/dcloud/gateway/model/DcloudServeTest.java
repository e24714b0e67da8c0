package io.dcloud.gateway.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import io.dcloud.gateway.model.ModelBundle;
import io.dcloud.testing.Requirements;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The serving wrapper the project ships ({@code dcloud_serve.py}) with real models trained here, by
 * Debian's Python: a scikit-learn LogisticRegression on iris (shipped with the package, nothing is
 * downloaded) and a small torch network saved as TorchScript, each made into a bundle by
 * {@link ModelBundle} (as a model version is stored) and extracted with tar (as a replica mounts
 * it). What {@code /predict} answers must equal what the model predicts locally, in order; a bad
 * instance is a 400 naming its index.
 *
 * <p>Needs {@code /usr/bin/python3} with python3-sklearn, python3-torch, python3-joblib,
 * python3-flask and python3-waitress ({@code ./dcloud test} installs them): skipped without them,
 * failed under {@code CI=true}.
 */
@Tag("python")
class DcloudServeTest {
  private static final String PYTHON = "/usr/bin/python3";
  private static final Duration READY_WITHIN = Duration.ofSeconds(120);
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  private static ActorSystem<Void> system;

  @TempDir
  Path work;

  private Path bundle;

  @AfterAll
  static void stop() {
    if (system != null) {
      system.terminate();
    }
  }

  @BeforeAll
  static void pythonWithTheLibraries() throws Exception {
    boolean present = Files.isExecutable(Path.of(PYTHON)) && new ProcessBuilder(PYTHON, "-c",
        "import sklearn, torch, joblib, flask, waitress").redirectErrorStream(true).start().waitFor() == 0;
    Requirements.requireOrSkip(present, () -> PYTHON + " with scikit-learn, torch, joblib, flask and waitress is "
        + "missing: apt-get install python3-sklearn python3-torch python3-joblib python3-flask python3-waitress");
    system = ActorSystem.create(Behaviors.empty(), "DcloudServeTest");
  }

  @Test
  void aScikitLearnModelAnswersAsItPredictsLocally() throws Exception {
    servesAsTrained("sklearn", "{\"sepal_length\": 5.1}");
  }

  @Test
  void aTorchScriptModelAnswersAsItPredictsLocally() throws Exception {
    // Two features where the network takes four: the model itself refuses this one.
    servesAsTrained("torch", "{\"x\": [1.0, 2.0]}");
  }

  private void servesAsTrained(String kind, String badInstance) throws Exception {
    train(kind);
    int port = freePort();
    ProcessBuilder serve = new ProcessBuilder(PYTHON, "dcloud_serve.py").directory(bundle.toFile())
        .redirectErrorStream(true).redirectOutput(bundle.resolve("serve.log").toFile());
    serve.environment().put("PORT", Integer.toString(port));
    serve.environment().put("HOST", "127.0.0.1");
    Process server = serve.start();
    try {
      awaitReady(server, port);
      ArrayNode instances = (ArrayNode) JSON.readTree(bundle.resolve("instances.json").toFile());
      JsonNode expected = JSON.readTree(bundle.resolve("expected.json").toFile());

      HttpResponse<String> batch = predict(port, instances);
      assertEquals(200, batch.statusCode(), batch.body());
      assertEquals(expected, JSON.readTree(batch.body()).get("predictions"), "the batch, in order");

      ArrayNode one = JSON.createArrayNode().add(instances.get(2));
      HttpResponse<String> single = predict(port, one);
      assertEquals(expected.get(2), JSON.readTree(single.body()).get("predictions").get(0));

      ArrayNode withBad = JSON.createArrayNode().add(instances.get(0)).add(JSON.readTree(badInstance));
      HttpResponse<String> bad = predict(port, withBad);
      assertEquals(400, bad.statusCode(), bad.body());
      String error = JSON.readTree(bad.body()).get("error").asText();
      assertTrue(error.startsWith("instance 1:"), error);
      assertTrue(!bad.body().contains("Traceback"), "no stack trace to the client: " + bad.body());

      HttpResponse<String> notABatch = post(port, "{\"instance\": 1}");
      assertEquals(400, notABatch.statusCode(), notABatch.body());
      assertTrue(JSON.readTree(notABatch.body()).get("error").asText().contains("instances"), notABatch.body());

      String log = Files.readString(bundle.resolve("serve.log"));
      assertTrue(log.contains("POST /predict 200 in "), "one line per request with its latency:\n" + log);
      assertTrue(!log.contains("GET /ready 200"), "the readiness probe's answers stay out of the log:\n" + log);
    } finally {
      server.destroy();
      if (!server.waitFor(10, TimeUnit.SECONDS)) {
        server.destroyForcibly();
      }
    }
  }

  /** Trains in {@code work}, then makes the bundle as a pushed version is made and extracts it as a replica sees it. */
  private void train(String kind) throws Exception {
    try (InputStream in = DcloudServeTest.class.getResourceAsStream("/io/dcloud/serving/train_models.py")) {
      Files.copy(in, work.resolve("train_models.py"));
    }
    Process training = new ProcessBuilder(PYTHON, "train_models.py", kind, ".").directory(work.toFile())
        .redirectErrorStream(true).start();
    String output = new String(training.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, training.waitFor(), "training the " + kind + " model:\n" + output);

    String extension = kind.equals("torch") ? "pt" : "joblib";
    Path artifact = work.resolve("model." + extension);
    Path tar = work.resolve("bundle.tar");
    ModelBundle.of(ByteString.fromArray(Files.readAllBytes(work.resolve("config.json"))),
            ByteString.fromArray(Files.readAllBytes(work.resolve("contract.py"))), artifact, extension, Files.size(artifact))
        .runWith(FileIO.toPath(tar), system).toCompletableFuture().get(30, TimeUnit.SECONDS);
    bundle = Files.createDirectory(work.resolve("bundle"));
    Process extract = new ProcessBuilder("tar", "-xf", tar.toString(), "-C", bundle.toString()).redirectErrorStream(true)
        .start();
    String extracted = new String(extract.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, extract.waitFor(), "tar -xf of the bundle:\n" + extracted);
    for (String file : new String[] {"instances.json", "expected.json"}) {
      Files.move(work.resolve(file), bundle.resolve(file));
    }
  }

  /** Polls /ready with a deadline: 503 (or no answer yet) until the artifact is loaded. */
  private void awaitReady(Process server, int port) throws Exception {
    Instant deadline = Instant.now().plus(READY_WITHIN);
    int last = -1;
    while (Instant.now().isBefore(deadline)) {
      assertTrue(server.isAlive(), () -> "the wrapper exited:\n" + log());
      try {
        last = http.send(HttpRequest.newBuilder(uri(port, "/ready")).timeout(Duration.ofSeconds(5)).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode();
        if (last == 200) {
          return;
        }
        assertEquals(503, last, "before it is ready, /ready is 503");
      } catch (IOException notListeningYet) {
        // the interpreter is still importing
      }
      server.waitFor(200, TimeUnit.MILLISECONDS);
    }
    throw new AssertionError("not ready within " + READY_WITHIN + " (last " + last + "):\n" + log());
  }

  private String log() {
    try {
      return Files.readString(bundle.resolve("serve.log"));
    } catch (IOException unreadable) {
      return unreadable.toString();
    }
  }

  private HttpResponse<String> predict(int port, ArrayNode instances) throws Exception {
    return post(port, JSON.writeValueAsString(JSON.createObjectNode().set("instances", instances)));
  }

  private HttpResponse<String> post(int port, String body) throws Exception {
    return http.send(HttpRequest.newBuilder(uri(port, "/predict")).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static URI uri(int port, String path) {
    return URI.create("http://127.0.0.1:" + port + path);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
