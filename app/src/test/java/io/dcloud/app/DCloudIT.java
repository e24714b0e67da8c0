package io.dcloud.app;

import static io.dcloud.app.EnvironmentSpecs.NUMPY_ON_DEBIAN;
import static io.dcloud.app.EnvironmentSpecs.ORIGINAL_FORMAT;
import static io.dcloud.app.EnvironmentSpecs.ORIGINAL_FORMAT_OTHER_RELEASE;
import static io.dcloud.app.EnvironmentSpecs.tinySpec;
import static io.dcloud.app.Environments.historyStatuses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.deploy.TestImages;
import io.dcloud.metrics.Promtool;
import io.dcloud.persistence.EmbeddedCassandra;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * DCloud end to end on one machine, as `dcloud dev` runs it: the embedded Cassandra, a real
 * Docker Engine, one node with every role, driven only through its HTTP API and checked with
 * `docker inspect`. The environments use a tiny busybox image made locally, except one test,
 * which builds a real Debian environment with a Python library from the default catalog. Each test
 * deletes what it created (and the restart test brings the node back), so they run in any order.
 */
@Tag("docker") @Tag("cassandra")
class DCloudIT {
  private static final String NODE_ID = "it-node";
  private static final String TINY_IMAGE = TestImages.BUSYBOX;
  private static final Duration UP_WITHIN = OneNodeDCloud.UP_WITHIN;
  private static final Duration DEBIAN_BUILD_WITHIN = Duration.ofMinutes(20);
  private static final long MEMORY_64M = 64L * 1024 * 1024;

  private static OneNodeDCloud dcloud;
  /** The running node's API (a new one after the node restarts). */
  private static Api api;
  private static Environments environments;

  @BeforeAll
  static void startDCloud() throws Exception {
    dcloud = OneNodeDCloud.startWithItsOwnCassandra(NODE_ID, Map.of(
        "dcloud.management.refresh-interval", "1s",
        // This machine has no GPU: the node advertises two, so allocation and device requests run for real.
        "dcloud.node.advertised-gpus", List.of(
            Map.of("index", 0, "uuid", "GPU-it-0", "name", "NVIDIA A100-SXM4-40GB", "memory-mib", 40960),
            Map.of("index", 1, "uuid", "GPU-it-1", "name", "NVIDIA A100-SXM4-40GB", "memory-mib", 40960))));
    api = dcloud.api();
    environments = new Environments(dcloud);
  }

  @AfterAll
  static void stopDCloud() throws Exception {
    Closing.inOrder(dcloud);
  }

  @Test
  void servesMetricsReadinessAndLivenessOnItsManagementPort() throws Exception {
    Api management = dcloud.managementApi();
    assertThat(management.get("/alive").json().get("status").asText()).isEqualTo("ALIVE");
    await().atMost(UP_WITHIN).untilAsserted(() -> assertThat(management.get("/ready").status()).isEqualTo(200));
    JsonNode checks = management.get("/ready").json().get("checks");
    assertThat(checks.get("cluster").asText()).isEqualTo("ok");
    assertThat(checks.get("gateway").asText()).isEqualTo("ok");
    assertThat(checks.get("docker-engine").asText()).isEqualTo("ok");

    assertThat(api.get("/api/v1/environments/no-such-environment").status()).isEqualTo(404);
    await().atMost(UP_WITHIN).untilAsserted(() -> {
      String scrape = management.get("/metrics").body();
      assertThat(scrape.lines().filter(line -> line.startsWith("dcloud_http_requests_seconds_count{")))
          .as("the request above, by its route's template (no id in the label)")
          .anyMatch(line -> line.contains("route=\"/api/v1/environments/{}\"") && line.contains("status=\"404\""))
          .noneMatch(line -> line.contains("no-such-environment"));
      assertThat(scrape)
          .contains("dcloud_http_requests_seconds_bucket{")
          .contains("dcloud_environments{status=\"RUNNING\"}")
          .contains("dcloud_nodes{state=\"UP\"} 1.0")
          .containsPattern("dcloud_node_capacity\\{node=\"" + NODE_ID + "\",resource=\"memory_bytes\"} [1-9]")
          .contains("dcloud_node_shells{node=\"" + NODE_ID + "\"}")
          .contains("dcloud_node_file_transfers{node=\"" + NODE_ID + "\"}")
          .contains("dcloud_node_volumes{node=\"" + NODE_ID + "\",state=\"unmounted\"}")
          .contains("dcloud_environment_idle_stops_total{node=\"" + NODE_ID + "\"}")
          .contains("dcloud_http_event_clients ")
          .contains("dcloud_reachability_unreachable_nodes ")
          // The broker is on by default: each of the node's connections has its gauge (BrokerOffIT: none when off).
          .contains("dcloud_broker_connected{connection=\"dcloud-commands\"}")
          .contains("jvm_memory_used_bytes{");
      Promtool.Result checked = Promtool.checkMetrics(scrape);
      assertThat(checked.parsed()).as(checked.output()).isTrue();
      assertThat(checked.problemsOf("dcloud_")).as(checked.output()).isEmpty();
    });
  }

  @Test
  void runsAnEnvironmentWithTheLimitsItAskedFor() {
    String id = environments.create(tinySpec("limits", """
        , "port-publish": [{"internal": {"ports": "8080", "protocol": "tcp"}}],
          "storage": [{"target": "/scratch", "size": "1G", "lifecycle": "temporary"},
                      {"target": "/work", "size": "1G", "lifecycle": "persistent"}],
          "env": {"GREETING": "hi"}"""));

    JsonNode running = environments.awaitStatus(id, "RUNNING", UP_WITHIN);
    assertThat(running.get("node").asText()).isEqualTo(NODE_ID);
    assertThat(historyStatuses(running)).containsSubsequence("REQUESTED", "PLACED", "STARTING", "RUNNING");

    String containerId = running.get("containerId").asText();
    JsonNode container = Docker.inspect(containerId);
    JsonNode host = container.get("HostConfig");
    assertThat(host.get("NanoCpus").asLong()).isEqualTo(500_000_000L);
    assertThat(host.get("Memory").asLong()).isEqualTo(MEMORY_64M);
    assertThat(host.get("MemorySwap").asLong()).as("no swap").isEqualTo(MEMORY_64M);
    assertThat(host.get("PidsLimit").asLong()).isPositive();
    assertThat(host.get("CapDrop").toString()).contains("ALL");
    assertThat(host.get("SecurityOpt").toString()).contains("no-new-privileges");
    JsonNode labels = container.get("Config").get("Labels");
    assertThat(labels.get("dcloud.env").asText()).isEqualTo(id);
    assertThat(labels.get("dcloud.node").asText()).isEqualTo(NODE_ID);
    assertThat(container.get("Config").get("Env").toString()).contains("GREETING=hi");

    JsonNode binding = container.get("NetworkSettings").get("Ports").get("8080/tcp").get(0);
    assertThat(binding.get("HostIp").asText()).isEqualTo("127.0.0.1");
    JsonNode published = running.get("ports").get(0);
    assertThat(published.get("containerPort").asInt()).isEqualTo(8080);
    assertThat(published.get("hostPort").asInt()).isEqualTo(binding.get("HostPort").asInt());

    assertThat(Docker.mountDestinations(container)).contains("/scratch", "/work");

    Api.Response logs = api.get("/api/v1/environments/" + id + "/logs?tail=10&follow=false");
    assertThat(logs.status()).isEqualTo(200);
    assertThat(logs.body()).contains("hello-from-dcloud");

    JsonNode stats = api.get("/api/v1/environments/" + id + "/stats").json();
    assertThat(stats.get("memory").get("limitBytes").asLong()).isEqualTo(MEMORY_64M);
    assertThat(stats.get("pids").asLong()).isPositive();

    // Through the cluster to the node's Docker: exit code, both streams and stdin come back.
    JsonNode exec = api.post("/api/v1/environments/" + id + "/exec",
        "{\"command\": [\"sh\", \"-c\", \"tr a-z A-Z; echo oops >&2; exit 4\"], \"stdin\": \"shout\"}").json();
    assertThat(exec.get("exitCode").asInt()).isEqualTo(4);
    assertThat(exec.get("stdout").asText()).isEqualTo("SHOUT");
    assertThat(exec.get("stderr").asText()).isEqualTo("oops\n");
    assertThat(exec.get("timedOut").asBoolean()).isFalse();

    assertThat(api.get("/api/v1/environments/" + id + "/dockerfile").body()).contains("FROM " + TINY_IMAGE);
    environments.deleteAndAwait(id);
  }

  /**
   * A resize of a running environment: past its owner's quota it is refused, past every node's size
   * and past its node's room too; within all, its container's CPU and RAM limits change as it runs (the same container,
   * never stopped), one request carried through by DCloud.
   */
  @Test
  void aRunningEnvironmentResizedHasItsContainersLimitsChangedAsItRunsWithinItsOwnersQuota() {
    Api rhea = TestUsers.create(api, "rhea", "rhea-s3cret-pass", "data-scientist");
    assertThat(api.put("/api/v1/users/rhea/quota", "{\"ram\": \"128M\"}").status()).isEqualTo(200);
    Api.Response created = rhea.post("/api/v1/environments", tinySpec("resized", ""));
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String id = created.json().get("id").asText();
    String containerId = environments.awaitStatus(id, "RUNNING", UP_WITHIN).get("containerId").asText();
    String startedAt = Docker.inspect(containerId).get("State").get("StartedAt").asText();
    String resize = "/api/v1/environments/" + id + "/resize";

    Api.Response tooBig = rhea.post(resize, "{\"resources\": {\"ram\": \"256M\"}}");
    assertThat(tooBig.status()).as(tooBig.body()).isEqualTo(403);
    assertThat(tooBig.body()).contains("quota-exceeded", "resizing this environment");
    Api.Response never = rhea.post(resize, "{\"resources\": {\"cpu\": 512}}");
    assertThat(never.status()).as(never.body()).isEqualTo(422);
    assertThat(never.body()).contains("largest node");
    // A size the node could hold, but not beside another environment that fills the rest of it.
    double cores = api.get("/api/v1/nodes").json().path("nodes").get(0).path("capacity").path("cpus").asDouble();
    String filler = environments.create(tinySpec("fills-the-node", "").replace("\"cpu\": \"0.5\"", "\"cpu\": \"" + (cores - 0.5) + "\""));
    environments.awaitStatus(filler, "RUNNING", UP_WITHIN);
    Api.Response noRoom = rhea.post(resize, "{\"resources\": {\"cpu\": 1}}");
    assertThat(noRoom.status()).as(noRoom.body()).isEqualTo(409);
    assertThat(noRoom.body()).contains("node " + NODE_ID + " has no room for it to grow", "keeps running as it is");
    List<String> afterRefusal = environments.awaitStatus(id, "RUNNING", UP_WITHIN).get("history").findValuesAsText("message");
    assertThat(afterRefusal).as("refused before anything changed").noneMatch(message -> message.startsWith("resized"));
    assertThat(afterRefusal).as("the refusal in its history").anyMatch(message ->
        message.startsWith("not resized to 1 core") && message.contains("has no room for it to grow"));
    environments.deleteAndAwait(filler);

    Api.Response resized = rhea.post(resize, "{\"resources\": {\"cpu\": 1, \"ram\": \"96M\"}}");
    assertThat(resized.status()).as(resized.body()).isEqualTo(202);
    assertThat(resized.json().get("status").asText()).isEqualTo("RUNNING");
    JsonNode[] applied = new JsonNode[1];
    await().atMost(UP_WITHIN).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      applied[0] = environments.awaitStatus(id, "RUNNING", UP_WITHIN);
      assertThat(applied[0].path("resizing").asBoolean(false)).as(applied[0].toString()).isFalse();
    });
    assertThat(applied[0].get("history").findValuesAsText("message")).containsSubsequence(
        "resized to 1 core, 96 MiB RAM as it runs by rhea", "its container's limits are now 1 core, 96 MiB RAM");
    assertThat(applied[0].get("containerId").asText()).isEqualTo(containerId);
    JsonNode container = Docker.inspect(containerId);
    assertThat(container.get("State").get("StartedAt").asText()).as("never stopped").isEqualTo(startedAt);
    JsonNode host = container.get("HostConfig");
    assertThat(host.get("NanoCpus").asLong()).isEqualTo(1_000_000_000L);
    assertThat(host.get("Memory").asLong()).isEqualTo(96L << 20);
    assertThat(host.get("MemorySwap").asLong()).as("no swap").isEqualTo(96L << 20);
    environments.deleteAndAwait(id);
  }

  @Test
  void streamsStatusChangesAndStopsStartsAndDeletes() throws Exception {
    String id = environments.create(tinySpec("lifecycle", """
        , "storage": [{"target": "/scratch", "size": "1G", "lifecycle": "temporary"},
                      {"target": "/work", "size": "1G", "lifecycle": "persistent"}]"""));
    String containerId = environments.awaitStatus(id, "RUNNING", UP_WITHIN).get("containerId").asText();
    String temporaryVolume = "dcloud-" + NODE_ID + "-" + id + "-0";
    String persistentVolume = "dcloud-" + NODE_ID + "-" + id + "-1";
    dcloud.removeVolumeOnClose(persistentVolume);

    CompletableFuture<String> stoppedSeen = api.events("/api/v1/environments/" + id + "/events").thenApplyAsync(lines ->
        lines.filter(line -> line.startsWith("data:") && line.contains("STOPPED")).findFirst().orElse(""));

    assertThat(api.post("/api/v1/environments/" + id + "/stop", "").status()).isEqualTo(202);
    assertThat(api.post("/api/v1/environments/" + id + "/stop", "").status()).as("idempotent").isEqualTo(202);
    assertThat(stoppedSeen.get(UP_WITHIN.toSeconds(), TimeUnit.SECONDS)).contains("STOPPED");
    environments.awaitStatus(id, "STOPPED", UP_WITHIN);
    assertThat(Docker.inspect(containerId).get("State").get("Running").asBoolean()).isFalse();
    await().atMost(UP_WITHIN).untilAsserted(() -> assertThat(
        api.get("/api/v1/nodes").json().get("nodes").get(0).get("reserved").get("cpus").asDouble())
        .as("a stopped environment gives its place back").isZero());

    assertThat(api.post("/api/v1/environments/" + id + "/start", "").status()).isEqualTo(202);
    JsonNode restarted = environments.awaitStatus(id, "RUNNING", UP_WITHIN);
    assertThat(restarted.get("containerId").asText()).as("the same container").isEqualTo(containerId);

    assertThat(api.delete("/api/v1/environments/" + id).status()).isEqualTo(202);
    JsonNode deleted = environments.awaitStatus(id, "DELETED", UP_WITHIN);
    assertThat(api.delete("/api/v1/environments/" + id).status()).as("idempotent").isEqualTo(202);
    assertThat(Docker.exists(containerId)).isFalse();
    assertThat(Docker.exists(temporaryVolume)).as("temporary volume removed").isFalse();
    assertThat(Docker.exists(persistentVolume)).as("persistent volume kept").isTrue();
    assertThat(deleted.get("history").toString()).contains(persistentVolume);
  }

  @Test
  void listsEnvironmentsByStatusAndName() {
    String id = environments.createRunning(tinySpec("listed", ""));
    await().atMost(UP_WITHIN).untilAsserted(() -> {
      JsonNode listed = api.get("/api/v1/environments?status=RUNNING&name=listed").json().get("environments");
      assertThat(listed).hasSize(1);
      assertThat(listed.get(0).get("id").asText()).isEqualTo(id);
    });
    environments.deleteAndAwait(id);
  }

  /**
   * A config as the original DCloud/SVM project wrote it (its dfs_contract): the OS as an object,
   * storage sizes in bytes, no lifecycle, and the store's own fields.
   */
  @Test
  void runsAConfigWrittenInTheOriginalProjectsFormat() {
    String id = environments.create(ORIGINAL_FORMAT);

    JsonNode running = environments.awaitStatus(id, "RUNNING", UP_WITHIN);
    JsonNode os = running.get("spec").get("os");
    assertThat(os.get("image-name").asText()).as(running.toString()).isEqualTo("tiny");
    assertThat(os.get("version").asText()).isEqualTo("1");
    JsonNode volume = running.get("spec").get("storage").get(0);
    assertThat(volume.get("size").asText()).isEqualTo("1G");
    assertThat(volume.get("lifecycle").asText()).isEqualTo("temporary");
    assertThat(Docker.mountDestinations(Docker.inspect(running.get("containerId").asText()))).contains("/workspace");

    Api.Response otherRelease = api.post("/api/v1/environments", ORIGINAL_FORMAT_OTHER_RELEASE);
    assertThat(otherRelease.status()).as(otherRelease.body()).isEqualTo(422);
    assertThat(otherRelease.body()).contains("os.version").contains(TINY_IMAGE);
    environments.deleteAndAwait(id);
  }

  @Test
  void refusesAtOnceWhatNoNodeCanEverHold() {
    Api.Response refused = api.post("/api/v1/environments", tinySpec("too-many-gpus", "").replace("\"gpu\": \"0\"", "\"gpu\": \"64\""));
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.raw().headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(refused.json().get("errors").get(0).get("field").asText()).isEqualTo("resources");
    assertThat(refused.json().get("detail").asText()).contains("64 GPUs").contains("largest node");
    assertThat(api.get("/api/v1/environments?name=too-many-gpus").json().get("environments")).isEmpty();

    // Nor can a stopped one be resized to it, to fail only at its next start.
    String id = environments.create(tinySpec("grows-too-much", ""));
    assertThat(api.post("/api/v1/environments/" + id + "/stop", "").status()).isEqualTo(202);
    environments.awaitStatus(id, "STOPPED", UP_WITHIN);
    Api.Response resized = api.post("/api/v1/environments/" + id + "/resize", "{\"resources\": {\"gpu\": 64}}");
    assertThat(resized.status()).as(resized.body()).isEqualTo(422);
    assertThat(resized.json().get("errors").get(0).get("field").asText()).isEqualTo("resources");
    assertThat(resized.json().get("detail").asText()).contains("64 GPUs").contains("largest node");
    assertThat(api.get("/api/v1/environments/" + id).json().path("resources").path("gpu").asInt()).isZero();
    environments.deleteAndAwait(id);
  }

  @Test
  void restartRestoresEverythingAdoptsContainersAndRemovesOrphans() throws Exception {
    String kept = environments.create(tinySpec("survivor", ""));
    String killed = environments.create(tinySpec("killed-while-down", ""));
    JsonNode keptBefore = environments.awaitStatus(kept, "RUNNING", UP_WITHIN);
    String killedContainer = environments.awaitStatus(killed, "RUNNING", UP_WITHIN).get("containerId").asText();
    String keptContainer = keptBefore.get("containerId").asText();
    String startedAt = Docker.inspect(keptContainer).get("State").get("StartedAt").asText();

    dcloud.stopNode();
    Docker.run("kill", killedContainer);
    String orphan = Docker.run("run", "-d", "--label", "dcloud.env=deleted-meanwhile", "--label", "dcloud.node=" + NODE_ID,
        TINY_IMAGE, "sleep", "infinity");
    dcloud.startNode();
    api = dcloud.api();

    JsonNode keptAfter = environments.awaitStatus(kept, "RUNNING", UP_WITHIN);
    assertThat(keptAfter.get("containerId").asText()).as("adopted, not recreated").isEqualTo(keptContainer);
    assertThat(Docker.inspect(keptContainer).get("State").get("StartedAt").asText()).as("not started twice").isEqualTo(startedAt);
    // Killed while DCloud was away, as a machine's reboot kills every container: its restart policy
    // (always, the default) starts the same container again after the back-off.
    JsonNode killedAfter = environments.awaitStatus(killed, "FAILED", UP_WITHIN);
    assertThat(killedAfter.get("reason").asText()).contains("137").contains("restart 1 in 10s");
    assertThat(killedAfter.get("restartAt").isTextual()).as("when it restarts").isTrue();
    JsonNode restarted = environments.awaitStatus(killed, "RUNNING", UP_WITHIN);
    assertThat(restarted.get("restarts").asInt()).isEqualTo(1);
    assertThat(restarted.get("containerId").asText()).as("the same container, with its files").isEqualTo(killedContainer);
    assertThat(restarted.get("history").toString()).contains("restart 1 by its restart policy always");
    await().atMost(UP_WITHIN).until(() -> !Docker.exists(orphan));
    // Adopting its container writes nothing: the list has it from the journal's ids, read at start.
    await().atMost(UP_WITHIN).untilAsserted(() ->
        assertThat(api.get("/api/v1/environments").body()).as("listed after the restart").contains(kept));
    assertThat(api.get("/api/v1/catalog").body()).as("catalog restored").contains("\"tiny\"");
    assertThat(api.get("/api/v1/templates").body()).contains("python-ml");
    environments.deleteAndAwait(kept);
    environments.deleteAndAwait(killed);
  }

  @Test
  void buildsARealDebianEnvironmentWithAPythonLibrary() {
    String id = environments.create(NUMPY_ON_DEBIAN);
    environments.awaitStatus(id, "STOPPED", DEBIAN_BUILD_WITHIN);
    Api.Response logs = api.get("/api/v1/environments/" + id + "/logs?tail=20&follow=false");
    assertThat(logs.body()).contains("numpy-version 1.");
    assertThat(api.get("/api/v1/environments/" + id + "/dockerfile").body()).contains("python3-numpy");
  }

  @Test
  void cordonQueuesNewWorkAndDrainMovesEnvironmentsOff() {
    String running = environments.create(tinySpec("drained", ""));
    String firstContainer = environments.awaitStatus(running, "RUNNING", UP_WITHIN).get("containerId").asText();

    Api.Response cordoned = api.post("/api/v1/nodes/" + NODE_ID + "/cordon", "");
    assertThat(cordoned.status()).isEqualTo(200);
    assertThat(cordoned.json().get("state").asText()).isEqualTo("CORDONED");
    String waiting = environments.create(tinySpec("waits-for-uncordon", ""));
    environments.awaitStatus(waiting, "QUEUED", UP_WITHIN);

    Api.Response draining = api.post("/api/v1/nodes/" + NODE_ID + "/drain", "");
    assertThat(draining.json().get("state").asText()).isEqualTo("DRAINING");
    JsonNode moved = environments.awaitStatus(running, "QUEUED", UP_WITHIN);
    assertThat(historyStatuses(moved)).contains("STOPPING", "REQUESTED");
    await().atMost(UP_WITHIN).until(() -> !Docker.exists(firstContainer));

    assertThat(api.post("/api/v1/nodes/" + NODE_ID + "/uncordon", "").json().get("state").asText()).isEqualTo("UP");
    String secondContainer = environments.awaitStatus(running, "RUNNING", UP_WITHIN).get("containerId").asText();
    assertThat(secondContainer).isNotEqualTo(firstContainer);
    environments.awaitStatus(waiting, "RUNNING", UP_WITHIN);
    assertThat(api.post("/api/v1/nodes/no-such-node/cordon", "").status()).isEqualTo(404);
    environments.deleteAndAwait(running);
    environments.deleteAndAwait(waiting);
  }

  @Test
  void allocatesAdvertisedGpusByUuidAndPassesThemToDocker() {
    String id = environments.create(tinySpec("gpu", "").replace("\"gpu\": \"0\"", "\"gpu\": \"1\", \"gpu-model\": \"A100\""));
    JsonNode failed = environments.awaitStatus(id, "FAILED", UP_WITHIN);
    // Allocated by UUID, and Docker was asked for that device: it refuses only for want of a driver.
    assertThat(failed.get("history").toString()).contains("with GPUs GPU-it-0");
    assertThat(failed.get("reason").asText()).containsIgnoringCase("nvidia");
    assertThat(Docker.containersLabelled("dcloud.env=" + id)).as("a container that cannot start is removed").isEmpty();
    JsonNode node = api.get("/api/v1/nodes").json().get("nodes").get(0);
    assertThat(node.get("capacity").get("gpus")).hasSize(2);
    assertThat(node.get("gpusInUse")).as("released with the failed deploy").isEmpty();
    environments.deleteAndAwait(id);
  }

  /** Routed gateway, environment, node: a shell (with and without a terminal) and files both ways; strangers get 404. */
  @Test
  void aShellAndFilesReachIntoARunningEnvironment() throws Exception {
    String id = environments.createRunning(tinySpec("shell", ""));
    ShellClient sh = ShellClient.open(api, id, "?command=sh");
    sh.stdin("echo hi\n");
    await().atMost(UP_WITHIN).until(() -> sh.output().contains("hi\n"));
    sh.control("{\"type\": \"eof\"}");
    assertThat(sh.closed().get(UP_WITHIN.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1000);
    assertThat(sh.texts()).containsExactly("{\"type\":\"exit\",\"exitCode\":0}");

    ShellClient tty = ShellClient.open(api, id, "?command=sh&tty=true");
    tty.control("{\"type\": \"resize\", \"cols\": 123, \"rows\": 45}");
    tty.stdin("stty size; exit 3\n");
    assertThat(tty.closed().get(UP_WITHIN.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1000);
    assertThat(tty.output()).contains("45 123");
    assertThat(tty.texts()).containsExactly("{\"type\":\"exit\",\"exitCode\":3}");

    // A socket dropped without a word ends the session on the node, and the command with it.
    ShellClient dropped = ShellClient.open(api, id, "?command=sh&command=-c&command=sleep%20600%3B%20echo&command=marker-dropped&tty=true");
    String ps = "{\"command\": [\"ps\", \"-o\", \"args\"]}";
    await().atMost(UP_WITHIN).until(() -> api.post("/api/v1/environments/" + id + "/exec", ps).body().contains("marker-dropped"));
    dropped.abandon();
    await().atMost(UP_WITHIN).until(() -> !api.post("/api/v1/environments/" + id + "/exec", ps).body().contains("marker-dropped"));

    String files = "/api/v1/environments/" + id + "/files?path=";
    byte[] blob = new byte[200_000];
    new java.util.Random(11).nextBytes(blob);
    Api.Response put = api.put(files + "/home/dcloud/blob.bin", "application/octet-stream", blob);
    assertThat(put.status()).as(put.body()).isEqualTo(201);
    assertThat(put.json().get("bytes").asLong()).isEqualTo(blob.length);
    HttpResponse<byte[]> got = api.download(files + "/home/dcloud/blob.bin");
    assertThat(got.body()).isEqualTo(blob);
    assertThat(got.headers().firstValue("content-disposition")).hasValueSatisfying(v -> assertThat(v).contains("blob.bin"));

    byte[] tar = io.dcloud.deploy.TarArchive.create().file("src/main.py", "print('hi')\n").toBytes();
    Api.Response putTar = api.put(files + "/home/dcloud/project", "application/x-tar", tar);
    assertThat(putTar.status()).as(putTar.body()).isEqualTo(201);
    HttpResponse<byte[]> gotTar = api.download(files + "/home/dcloud/project");
    assertThat(gotTar.headers().firstValue("content-type")).hasValue("application/x-tar");
    assertThat(new String(gotTar.body(), java.nio.charset.StandardCharsets.ISO_8859_1))
        .contains("project/src/main.py", "print('hi')");
    JsonNode owner = api.post("/api/v1/environments/" + id + "/exec",
        "{\"command\": [\"stat\", \"-c\", \"%u\", \"/home/dcloud/project/src/main.py\"]}").json();
    assertThat(owner.get("stdout").asText()).isEqualTo("1000\n");

    Api.Response notATar = api.put(files + "/home/dcloud/bad", "application/x-tar", "not a tar".repeat(100));
    assertThat(notATar.status()).as(notATar.body()).isEqualTo(400);

    Api.Response missing = api.get(files + "/home/dcloud/nothing-here");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().get("errors").get(0).get("field").asText()).isEqualTo("path");
    Api.Response relative = api.get(files + "home/dcloud");
    assertThat(relative.status()).isEqualTo(400);
    assertThat(relative.json().get("errors").get(0).get("field").asText()).isEqualTo("path");

    // A data scientist made by the admin, signed in: not the environment's owner.
    Api stranger = TestUsers.create(api, "mallory", "password-of-mallory", "data-scientist");
    assertThat(stranger.get(files + "/home/dcloud/blob.bin").status()).isEqualTo(404);
    assertThat(ShellClient.refusal(stranger, id)).isEqualTo(404);
    environments.deleteAndAwait(id);
  }

  @Test
  void aCassandraOutageIsA503AndDCloudRecoversWhenItReturns() {
    String before = environments.createRunning(tinySpec("before-outage", ""));
    EmbeddedCassandra.Settings sameNode = dcloud.stopCassandra();

    await().atMost(UP_WITHIN).untilAsserted(() -> {
      Api.Response refused = api.post("/api/v1/environments", tinySpec("during-outage", ""));
      assertThat(refused.status()).isEqualTo(503);
      assertThat(refused.raw().headers().firstValue("content-type")).hasValue("application/problem+json");
    });

    dcloud.startCassandraAgain(sameNode);
    String after = await().atMost(UP_WITHIN).until(() -> {
      Api.Response created = api.post("/api/v1/environments", tinySpec("after-outage", ""));
      return created.status() == 202 ? created.json().get("id").asText() : null;
    }, java.util.Objects::nonNull);
    environments.awaitStatus(after, "RUNNING", UP_WITHIN);
    assertThat(api.get("/api/v1/environments/" + before).json().get("status").asText()).isEqualTo("RUNNING");
    environments.deleteAndAwait(before);
    environments.deleteAndAwait(after);
  }
}
