package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * What DCloud does on its own timers, end to end on real Docker and Cassandra: idle culling (a node
 * that checks every second, environments with a few seconds' idle-timeout), max-runtime, and the collection of
 * deleted environments (kept two seconds, looked for every second). Its own node: DCloudIT's
 * checks once a minute and keeps deleted environments for 31 days.
 */
@Tag("docker") @Tag("cassandra")
class HousekeepingIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NODE_ID = "housekeeping-it-node";
  private static final Duration UP_WITHIN = Duration.ofSeconds(90);
  private static final String TIMEOUT = "4s";

  private static OneNodeDCloud dcloud;
  private static Api api;

  @BeforeAll
  static void startDCloud() throws Exception {
    dcloud = OneNodeDCloud.start(NODE_ID, Map.of(
        "dcloud.node.idle.check-interval", "1s",
        "dcloud.node.max-runtime.check-interval", "1s",
        "dcloud.environment.deleted.retention", "2s",
        "dcloud.environment.deleted.collect-interval", "1s",
        "dcloud.node.volume-count-interval", "1s"));
    api = dcloud.api();
  }

  @AfterAll
  static void stopDCloud() {
    if (dcloud != null) {
      dcloud.close();
    }
  }

  private static String create(String name) {
    return create(name, "");
  }

  private static String create(String name, String extra) {
    return create(api, name, extra);
  }

  private static String create(Api as, String name, String extra) {
    Api.Response created = as.post("/api/v1/environments", """
        {"env-name": "%s", "os": "tiny", "languages": [{"language-name": "shell", "libraries": []}],
         "resources": {"ram": "64M", "cpu": "0.5", "gpu": "0"}, "idle-timeout": "%s",
         "command": ["sh", "-c", "exec sleep infinity"] %s}
        """.formatted(name, TIMEOUT, extra));
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

  /** The node's {@code dcloud_node_volumes{state="unmounted"}} gauge as scraped now (-1 before it is registered). */
  private static long unmountedVolumes() throws Exception {
    String prefix = "dcloud_node_volumes{node=\"" + NODE_ID + "\",state=\"unmounted\"} ";
    return dcloud.managementApi().get("/metrics").body().lines().filter(line -> line.startsWith(prefix))
        .mapToLong(line -> (long) Double.parseDouble(line.substring(prefix.length()))).findFirst().orElse(-1);
  }

  /** Traffic, when it runs; nothing when not. */
  private static void touchIfRunning(String id) {
    if (environment(id).get("status").asText().equals("RUNNING")) {
      api.post("/api/v1/environments/" + id + "/exec", "{\"command\": [\"true\"]}");
    }
  }

  @Test
  void idleAndOverlongEnvironmentsAreStoppedWithTheirReasonsWhileOneInUseIsNot() {
    String idle = create("idler");
    String used = create("in-use");
    // In use too (never idle for its 4s idle-timeout), but it may run 6s at most.
    String runner = create("runner", ", \"max-runtime\": \"6s\"");
    for (String id : List.of(idle, used, runner)) {
      await().atMost(UP_WITHIN).pollInterval(Duration.ofMillis(200))
          .untilAsserted(() -> assertThat(environment(id).get("status").asText()).isEqualTo("RUNNING"));
    }
    assertThat(environment(idle).get("spec").get("idle-timeout").asText()).isEqualTo(TIMEOUT);
    assertThat(environment(runner).get("spec").get("max-runtime").asText()).isEqualTo("6s");

    await().atMost(UP_WITHIN).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
      touch(used);
      touchIfRunning(runner);
      assertThat(environment(idle).get("status").asText()).isEqualTo("STOPPED");
      assertThat(environment(runner).get("status").asText()).isEqualTo("STOPPED");
    });
    JsonNode stopped = api.freshEnvironment(idle);
    assertThat(stopped.get("history").toString()).contains("stopped after " + TIMEOUT + " idle");
    assertThat(stopped.get("persistentVolumes")).isNotNull();
    assertThat(api.freshEnvironment(runner).get("history").toString())
        .contains("stopped after running 6s (its max-runtime)");

    // As long again as the idle one needed, with traffic: the one in use keeps running.
    await().during(Duration.ofSeconds(8)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1))
        .until(() -> {
          touch(used);
          return environment(used).get("status").asText().equals("RUNNING");
        });
  }

  @Test
  void aDeletedEnvironmentIsCollectedOnceItsRetentionHasPassedAndItsUsageKept() throws Exception {
    // Its owner's only environment: once it is collected, only the archive knows of their usage.
    Api kim = TestUsers.create(api, "kim", "kim-password-1", "data-scientist");
    String id = create(kim, "collected", "");
    await().atMost(UP_WITHIN).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(environment(id).get("status").asText()).isIn("RUNNING", "STOPPED"));
    assertThat(usageOf(kim, id).path("runningHours").asDouble()).as("its container ran").isPositive();
    Api.Response deleted = api.delete("/api/v1/environments/" + id);
    assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);
    await().atMost(UP_WITHIN).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(environment(id).get("status").asText()).isEqualTo("DELETED"));
    JsonNode used = usageOf(kim, id);

    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
      Api.Response gone = api.get("/api/v1/environments/" + id);
      assertThat(gone.status()).as(gone.body()).isEqualTo(404);
    });
    assertThat(api.get("/api/v1/environments?status=DELETED").body()).doesNotContain(id);
    String metrics = dcloud.managementApi().get("/metrics").body();
    assertThat(metrics).containsPattern("(?m)^dcloud_environment_collected_total [1-9]");
    // Its usage outlives its events: archived (in Cassandra) before they were erased.
    assertThat(usageOf(kim, id)).as("the month's report after the collection").isEqualTo(used);
    JsonNode owners = api.get("/api/v1/usage/owners").json();
    assertThat(owners.path("owners").findValuesAsText("owner")).as("found in the archive alone").contains("kim");
    assertThat(metrics).containsPattern("(?m)^dcloud_usage_archived_total [1-9]");
    assertThat(dcloud.managementApi().get("/metrics").body())
        .containsPattern("(?m)^dcloud_usage_report_seconds_count\\{scope=\"owner\"} [1-9]");
  }

  /** What environment {@code id} used this month, as its owner's usage report lists it. */
  private static JsonNode usageOf(Api owner, String id) {
    JsonNode report = owner.get("/api/v1/usage").json();
    for (JsonNode environment : report.path("environments")) {
      if (environment.path("id").asText().equals(id)) {
        return environment;
      }
    }
    throw new AssertionError("environment " + id + " is not in the usage report " + report);
  }

  @Test
  void aPersistentVolumeOutlivesItsCollectedEnvironmentUntilAnOperatorRemovesIt() throws Exception {
    String id = create("keeps-data", ", \"storage\": [{\"target\": \"/data\", \"size\": \"16M\", \"lifecycle\": \"persistent\"}]");
    String volume = "dcloud-" + NODE_ID + "-" + id + "-0";
    String volumes = "/api/v1/nodes/" + NODE_ID + "/volumes";
    await().atMost(UP_WITHIN).pollInterval(Duration.ofMillis(200))
        .untilAsserted(() -> assertThat(environment(id).get("status").asText()).isIn("RUNNING", "STOPPED"));
    assertThat(api.delete(volumes + "/" + volume).status()).as("its environment holds it").isEqualTo(409);

    assertThat(api.delete("/api/v1/environments/" + id).status()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> assertThat(api.get("/api/v1/environments/" + id).status()).isEqualTo(404));
    assertThat(Docker.exists(volume)).as("kept on delete, and after the collection").isTrue();

    JsonNode listed = api.get(volumes + "?state=ORPHANED").json();
    assertThat(listed.path("node").asText()).isEqualTo(NODE_ID);
    assertThat(listed.path("volumes")).singleElement().satisfies(kept -> {
      assertThat(kept.path("name").asText()).isEqualTo(volume);
      assertThat(kept.path("environmentId").asText()).isEqualTo(id);
      assertThat(kept.path("target").asText()).isEqualTo("/data");
      assertThat(kept.path("environment").isNull()).as("collected").isTrue();
      assertThat(kept.path("removable").asBoolean()).isTrue();
      assertThat(Instant.parse(kept.path("createdAt").asText())).isBefore(Instant.now());
    });

    // Counted as unmounted disk an operator should look at (the engine may hold others of this node from earlier runs).
    long unmounted = await().atMost(Duration.ofSeconds(30)).until(HousekeepingIT::unmountedVolumes, count -> count >= 1);

    assertThat(api.delete(volumes + "/" + volume).status()).isEqualTo(204);
    assertThat(Docker.exists(volume)).isFalse();
    await().atMost(Duration.ofSeconds(30)).until(HousekeepingIT::unmountedVolumes, count -> count == unmounted - 1);
    assertThat(api.get(volumes).body()).doesNotContain(volume);
    assertThat(api.delete(volumes + "/" + volume).status()).isEqualTo(404);
    assertThat(dcloud.managementApi().get("/metrics").body()).containsPattern("(?m)^dcloud_volumes_removed_total [1-9]");
    assertThat(api.get("/api/v1/audit?limit=20").body()).contains("node.volume.remove", NODE_ID + "/" + volume);
  }
}
