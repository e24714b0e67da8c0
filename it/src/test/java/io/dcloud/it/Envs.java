package io.dcloud.it;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** Environment helpers shared by the cluster tests: the tiny busybox spec, create, await a status. */
final class Envs {
  private Envs() {}

  /** A busybox environment of the harness's tiny OS: starts in about a second, idles forever. */
  static String tinySpec(String name, String cpu, String extra) {
    return """
        {"env-name": "%s", "os": "%s", "languages": [{"language-name": "shell", "libraries": []}],
         "resources": {"ram": "64M", "cpu": "%s", "gpu": "0"},
         "command": ["sh", "-c", "echo hello-from-dcloud; exec sleep infinity"] %s}
        """.formatted(name, ClusterSetup.TINY_OS, cpu, extra);
  }

  static String create(Node via, String spec) {
    Api.Response created = via.api.post("/api/v1/environments", spec);
    assertThat(created.status()).as("POST via %s: %s", via.name, created.body()).isEqualTo(202);
    return created.json().get("id").asText();
  }

  /**
   * As {@link #create}, sent again while the cluster answers 503 (a create never happens behind a
   * 503: a shard moving back to a node that rejoined can keep one from its entity in time).
   */
  static String createWhenAvailable(Node via, String spec, Duration within) {
    Api.Response[] created = new Api.Response[1];
    await("POST via " + via.name).atMost(within).pollInterval(Duration.ofMillis(250)).until(() -> {
      created[0] = via.api.post("/api/v1/environments", spec);
      assertThat(created[0].status()).as("POST via %s: %s", via.name, created[0].body()).isIn(202, 503);
      return created[0].status() == 202;
    });
    return created[0].json().get("id").asText();
  }

  static JsonNode awaitStatus(Node via, String id, String status, Duration within) {
    JsonNode[] last = new JsonNode[1];
    await(id + " " + status).atMost(within).pollInterval(Duration.ofMillis(250)).ignoreExceptions().untilAsserted(() -> {
      last[0] = via.api.environment(id);
      assertThat(last[0].get("status").asText()).as(summary(last[0])).isEqualTo(status);
      // Callers read the history: only the entity's answer has all of it, not the read side's (stale).
      assertThat(last[0].path("stale").asBoolean(false)).as("answered from the read side").isFalse();
    });
    return last[0];
  }

  /** The fields a failure needs, not the whole document. */
  static String summary(JsonNode env) {
    return "{id=%s status=%s node=%s containerId=%s reason=%s history=%s}".formatted(
        env.path("id").asText(), env.path("status").asText(), env.path("node").asText(),
        env.path("containerId").asText(), env.path("reason").asText(), historyStatuses(env));
  }

  static List<String> historyStatuses(JsonNode environment) {
    List<String> statuses = new ArrayList<>();
    environment.path("history").forEach(step -> statuses.add(step.get("status").asText()));
    return statuses;
  }

  /** The API shows full container ids; {@code docker ps --no-trunc} too. */
  static String fullId(String containerId) {
    return containerId.length() == 64 ? containerId : Docker.inspect(containerId).get("Id").asText();
  }
}
