package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.testing.ApiSession;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * An app end to end, as DCloudIT runs DCloud (embedded Cassandra, the real Docker Engine, one node
 * with every role): the README's example (examples/apps/hello, a Python standard-library HTTP
 * server) pushed as a tar.gz with its config,
 * becomes a service whose replica mounts the source, runs in its directory, turns ready, and
 * answers through the environment proxy with what only that directory and the config's env hold;
 * its next push, with a surge of 0, replaces the one replica (deleted first) by the new version's.
 */
@Tag("docker") @Tag("cassandra")
class AppServiceIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** A Debian image may be built first (once per machine, then reused), as ProxyIT allows. */
  private static final Duration UP_WITHIN = Duration.ofMinutes(20);
  /** The README's example app, pushed as it is shipped. */
  private static final String NAME = "hello";
  private static final String SOURCE_DIRECTORY = "/datasets/apps/" + NAME + "/source";

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
    Path example = Path.of(System.getProperty("dcloud.examples"), "apps", NAME);
    Map<String, String> files = new LinkedHashMap<>();
    try (Stream<Path> walked = Files.walk(example)) {
      for (Path file : walked.filter(Files::isRegularFile).sorted().toList()) {
        files.put(example.relativize(file).toString(), Files.readString(file));
      }
    }
    // Its runtime is Python alone: every Python image DCloud builds (the models' too) begins with its layers.
    String config = files.get("app.yaml");

    HttpResponse<String> pushed = AppPush.push(api, files, "app.yaml", config);

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
    HttpResponse<String> page = api.client().send(HttpRequest.newBuilder(URI.create(url))
        .header("Authorization", api.bearer()).timeout(Duration.ofSeconds(30)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(page.body()).as("a file of a directory of the source").contains("Hello from a DCloud app");
    assertThat(api.get("/api/v1/apps/" + NAME).json().path("config").path("port").asInt()).isEqualTo(8000);

    // The next version, rolled without a surge: the one replica is deleted before its replacement is made.
    files.put("greeting.txt", "bonjour\n");
    HttpResponse<String> second =
        AppPush.push(api, files, "app.yaml", config + "surge: 0\n");

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
