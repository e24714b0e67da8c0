package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.deploy.DockerRuntime;
import io.dcloud.deploy.TestImages;
import io.dcloud.persistence.EmbeddedCassandra;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Idle culling end to end: real Docker and Cassandra, a node that checks every second, and
 * environments with a few seconds' idle-timeout. Its own node (DCloudIT's checks once a minute).
 */
@Tag("docker") @Tag("cassandra")
class IdleCullingIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NODE_ID = "idle-it-node";
  private static final Duration UP_WITHIN = Duration.ofSeconds(90);
  private static final String TIMEOUT = "4s";

  private static Path dataDir;
  private static EmbeddedCassandra cassandra;
  private static DCloudNode node;
  private static Api api;

  @BeforeAll
  static void startDCloud() throws Exception {
    try (DockerRuntime runtime = DockerRuntime.create(ConfigFactory.load().getConfig("dcloud.deploy"))) {
      TestImages.ensureBusybox(runtime);
    }
    dataDir = Files.createTempDirectory("dcloud-idle-it");
    Config inDataDir = ConfigFactory.load(ConfigFactory.parseMap(Map.of("dcloud.data-dir", dataDir.toString()))
        .withFallback(ConfigFactory.parseResourcesAnySyntax("application")));
    cassandra = EmbeddedCassandra.start(
        EmbeddedCassandra.Settings.fromConfig(inDataDir).withDataDir(dataDir.resolve("cassandra")).withPorts(0, 0));
    Map<String, Object> overrides = new HashMap<>();
    overrides.put("dcloud.data-dir", dataDir.toString());
    overrides.put("dcloud.http.port", 0);
    overrides.put("dcloud.management.port", 0);
    overrides.put("pekko.remote.artery.canonical.port", 0);
    overrides.put("dcloud.node.id", NODE_ID);
    overrides.put("dcloud.cassandra.contact-points", List.of(cassandra.contactPoint()));
    overrides.put("dcloud.identity.admin-password", DCloudIT.ADMIN_PASSWORD);
    overrides.put("dcloud.node.idle.check-interval", "1s");
    node = DCloudNode.start(ConfigFactory.load(
        ConfigFactory.parseMap(overrides).withFallback(ConfigFactory.parseResourcesAnySyntax("application"))));
    int port = node.binding().toCompletableFuture().get(UP_WITHIN.toSeconds(), TimeUnit.SECONDS).localAddress().getPort();
    api = new Api(port);
    await().atMost(UP_WITHIN).untilAsserted(() ->
        assertThat(api.get("/api/v1/nodes").json().get("nodes").get(0).get("available").asBoolean()).isTrue());
    ArrayNode catalog = (ArrayNode) api.get("/api/v1/catalog").json();
    ObjectNode tiny = catalog.addObject().put("os", "tiny").put("base-image", TestImages.BUSYBOX);
    tiny.putArray("init-steps");
    ObjectNode shell = tiny.putObject("specifications").putObject("shell");
    shell.putArray("installation-steps");
    shell.putObject("libraries");
    assertThat(api.put("/api/v1/catalog", JSON.writeValueAsString(catalog)).status()).isEqualTo(200);
  }

  @AfterAll
  static void stopDCloud() {
    if (node != null) {
      node.close();
    }
    if (cassandra != null) {
      cassandra.close();
    }
    Docker.containersLabelled("dcloud.node=" + NODE_ID).forEach(id -> Docker.run("rm", "-f", id));
  }

  private static String create(String name) {
    Api.Response created = api.post("/api/v1/environments", """
        {"env-name": "%s", "os": "tiny", "languages": [{"language-name": "shell", "libraries": []}],
         "resources": {"ram": "64M", "cpu": "0.5", "gpu": "0"}, "idle-timeout": "%s",
         "command": ["sh", "-c", "exec sleep infinity"]}
        """.formatted(name, TIMEOUT));
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    return created.json().get("id").asText();
  }

  private static JsonNode environment(String id) {
    return api.get("/api/v1/environments/" + id).json();
  }

  /** One command in the environment: traffic, as a user's shell would make. */
  private static void touch(String id) {
    Api.Response exec = api.post("/api/v1/environments/" + id + "/exec", "{\"command\": [\"true\"]}");
    assertThat(exec.status()).as(exec.body()).isEqualTo(200);
  }

  @Test
  void anIdleEnvironmentIsStoppedWithTheReasonWhileOneInUseIsNot() {
    String idle = create("idler");
    String used = create("in-use");
    for (String id : List.of(idle, used)) {
      await().atMost(UP_WITHIN).pollInterval(Duration.ofMillis(200))
          .untilAsserted(() -> assertThat(environment(id).get("status").asText()).isEqualTo("RUNNING"));
    }
    assertThat(environment(idle).get("spec").get("idle-timeout").asText()).isEqualTo(TIMEOUT);

    await().atMost(UP_WITHIN).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      touch(used);
      assertThat(environment(idle).get("status").asText()).isEqualTo("STOPPED");
    });
    JsonNode stopped = environment(idle);
    assertThat(stopped.get("history").toString()).contains("stopped after " + TIMEOUT + " idle");
    assertThat(stopped.get("persistentVolumes")).isNotNull();

    // As long again as the idle one needed, with traffic: the one in use keeps running.
    await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
        .until(() -> {
          touch(used);
          return environment(used).get("status").asText().equals("RUNNING");
        });
  }
}
