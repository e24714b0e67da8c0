package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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

  private static OneNodeDCloud dcloud;
  private static Api api;

  @BeforeAll
  static void startDCloud() throws Exception {
    dcloud = OneNodeDCloud.start(NODE_ID, Map.of("dcloud.node.idle.check-interval", "1s"));
    api = dcloud.api();
  }

  @AfterAll
  static void stopDCloud() {
    if (dcloud != null) {
      dcloud.close();
    }
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
    JsonNode stopped = api.freshEnvironment(idle);
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
