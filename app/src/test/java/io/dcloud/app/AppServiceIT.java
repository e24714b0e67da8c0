package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.testing.ApiSession;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An app end to end, as DCloudIT runs DCloud (embedded Cassandra, the real Docker Engine, one node
 * with every role): a Python standard-library HTTP server, pushed as a tar.gz with its config,
 * becomes a service whose replica mounts the source, runs in its directory, turns ready, and
 * answers through the environment proxy with what only that directory and the config's env hold;
 * its next push, with a surge of 0, replaces the one replica (deleted first) by the new version's.
 */
@Tag("docker") @Tag("cassandra")
class AppServiceIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A Debian image may be built first (once per machine, then reused), as ProxyIT allows. */
  private static final Duration UP_WITHIN = Duration.ofMinutes(20);
  private static final String NAME = "hello-app";
  private static final String SOURCE_DIRECTORY = "/datasets/apps/" + NAME + "/source";

  /** Answers by the path's end: the node probes /ready itself, the proxy passes its own prefix on. */
  private static final String APP_PY = """
      import json
      import os
      from http.server import BaseHTTPRequestHandler, HTTPServer

      from lib import words


      class Handler(BaseHTTPRequestHandler):
          def do_GET(self):
              path = self.path.split("?")[0]
              if path.endswith("/ready"):
                  self.answer(200, {"ready": True})
              elif path.endswith("/hello"):
                  with open("greeting.txt") as greeting:
                      self.answer(200, {"greeting": greeting.read().strip(), "to": os.environ["WHO"],
                                        "cwd": os.getcwd(), "words": words.WORDS})
              else:
                  self.answer(404, {"error": path})

          def answer(self, status, document):
              body = json.dumps(document).encode()
              self.send_response(status)
              self.send_header("Content-Type", "application/json")
              self.send_header("Content-Length", str(len(body)))
              self.end_headers()
              self.wfile.write(body)


      HTTPServer(("0.0.0.0", int(os.environ["PORT"])), Handler).serve_forever()
      """;

  private static OneNodeDCloud dcloud;
  private static Api api;

  @BeforeAll
  static void startDCloud() throws Exception {
    dcloud = OneNodeDCloud.start("app-service-it-node", Map.of());
    api = dcloud.api();
  }

  @AfterAll
  static void stopDCloud() {
    if (dcloud != null) {
      dcloud.close();
    }
  }

  @Test
  void aPushedAppBecomesAReadyServiceAnsweringFromItsSourceDirectoryAndRollsToItsNextVersion() throws Exception {
    Map<String, String> files = new LinkedHashMap<>();
    files.put("app.py", APP_PY);
    files.put("lib/words.py", "WORDS = ['from', 'lib']\n");
    files.put("greeting.txt", "hello\n");
    // Python alone: every Python image DCloud builds (the models' too) begins with its layers.
    String config = """
        {"name": "%s", "runtime": {"language-name": "python", "libraries": []},
         "command": ["python3", "-u", "app.py"], "port": 8000, "replicas": 1,
         "readiness": {"path": "/ready"}, "env": {"WHO": "world", "PORT": "8000"},
         "resources": {"ram": "256M", "cpu": "0.5", "gpu": "0"}}""".formatted(NAME);

    HttpResponse<String> pushed = AppPush.push(api, files, config);

    assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
    JsonNode answer = JSON.readTree(pushed.body());
    assertThat(answer.path("version").asInt()).isEqualTo(1);
    assertThat(answer.path("service").path("kind").asText()).isEqualTo("app");

    String[] replica = new String[1];
    await().atMost(UP_WITHIN).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
      JsonNode shown = api.get("/api/v1/services/" + NAME).json();
      assertThat(shown.path("replicas")).as(shown.toString()).hasSize(1).allSatisfy(r -> {
        assertThat(r.path("status").asText()).isEqualTo("RUNNING");
        assertThat(r.path("ready").asBoolean()).isTrue();
      });
      replica[0] = shown.path("replicas").get(0).path("id").asText();
    });
    String url = api.get("/api/v1/environments/" + replica[0]).json().path("url").asText();
    assertThat(url).endsWith("/api/v1/environments/" + replica[0] + "/proxy/8000/");

    HttpResponse<String> hello = api.client().send(HttpRequest.newBuilder(URI.create(url).resolve("hello"))
        .header("Authorization", api.bearer()).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());

    assertThat(hello.statusCode()).as(hello.body()).isEqualTo(200);
    JsonNode greeting = JSON.readTree(hello.body());
    assertThat(greeting.path("greeting").asText()).isEqualTo("hello");
    assertThat(greeting.path("to").asText()).isEqualTo("world");
    assertThat(greeting.path("cwd").asText()).isEqualTo(SOURCE_DIRECTORY);
    assertThat(greeting.path("words").toString()).isEqualTo("[\"from\",\"lib\"]");
    assertThat(api.get("/api/v1/apps/" + NAME).json().path("config").path("port").asInt()).isEqualTo(8000);

    // The next version, rolled without a surge: the one replica is deleted before its replacement is made.
    files.put("greeting.txt", "bonjour\n");
    HttpResponse<String> second = AppPush.push(api, files, config.replace("\"replicas\": 1", "\"replicas\": 1, \"surge\": 0"));

    assertThat(second.statusCode()).as(second.body()).isEqualTo(200);
    assertThat(JSON.readTree(second.body()).path("service").path("surge").asInt()).isZero();
    await().atMost(UP_WITHIN).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      JsonNode shown = api.get("/api/v1/services/" + NAME).json();
      assertThat(shown.path("replicas")).as(shown.toString()).hasSize(1).allSatisfy(r -> {
        assertThat(r.path("version").asInt()).isEqualTo(2);
        assertThat(r.path("ready").asBoolean()).isTrue();
      });
    });
    assertThat(api.get("/api/v1/environments/" + replica[0]).json().path("status").asText()).isEqualTo("DELETED");
    ApiSession.Response rolled = api.get("/api/v1/services/" + NAME + "/call/hello");
    assertThat(rolled.status()).as(rolled.body()).isEqualTo(200);
    assertThat(rolled.json().path("greeting").asText()).isEqualTo("bonjour");
  }
}
