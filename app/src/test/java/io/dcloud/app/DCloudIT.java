package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import io.dcloud.deploy.TestImages;
import io.dcloud.metrics.Promtool;
import io.dcloud.persistence.EmbeddedCassandra;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NODE_ID = "it-node";
  private static final String TINY_IMAGE = TestImages.BUSYBOX;
  private static final Duration UP_WITHIN = OneNodeDCloud.UP_WITHIN;
  private static final Duration DEBIAN_BUILD_WITHIN = Duration.ofMinutes(20);
  private static final long MEMORY_64M = 64L * 1024 * 1024;

  private static OneNodeDCloud dcloud;
  /** The running node's API (a new one after the node restarts). */
  private static Api api;
  private static final List<String> volumesToClean = new ArrayList<>();

  @BeforeAll
  static void startDCloud() throws Exception {
    dcloud = OneNodeDCloud.startWithItsOwnCassandra(NODE_ID, Map.of(
        "dcloud.management.refresh-interval", "1s",
        // This machine has no GPU: the node advertises two, so allocation and device requests run for real.
        "dcloud.node.advertised-gpus", List.of(
            Map.of("index", 0, "uuid", "GPU-it-0", "name", "NVIDIA A100-SXM4-40GB", "memory-mib", 40960),
            Map.of("index", 1, "uuid", "GPU-it-1", "name", "NVIDIA A100-SXM4-40GB", "memory-mib", 40960))));
    api = dcloud.api();
  }

  @AfterAll
  static void stopDCloud() {
    if (dcloud != null) {
      dcloud.close();
    }
    volumesToClean.forEach(volume -> {
      if (Docker.exists(volume)) {
        Docker.run("volume", "rm", "-f", volume);
      }
    });
  }

  static String tinySpec(String name, String extra) {
    return """
        {"env-name": "%s", "os": "tiny", "languages": [{"language-name": "shell", "libraries": []}],
         "resources": {"ram": "64M", "cpu": "0.5", "gpu": "0"},
         "command": ["sh", "-c", "echo hello-from-dcloud; exec sleep infinity"] %s}
        """.formatted(name, extra);
  }

  private static String create(String spec) {
    Api.Response created = api.post("/api/v1/environments", spec);
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String id = created.json().get("id").asText();
    assertThat(created.raw().headers().firstValue("location")).hasValue("/api/v1/environments/" + id);
    return id;
  }

  private static JsonNode awaitStatus(String id, String status, Duration within) {
    JsonNode[] last = new JsonNode[1];
    await().atMost(within).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
      last[0] = api.get("/api/v1/environments/" + id).json();
      assertThat(last[0].get("status").asText()).as(last[0].toString()).isEqualTo(status);
      // The tests read the history: only the entity's answer has all of it (see Api.freshEnvironment).
      assertThat(last[0].path("stale").asBoolean(false)).as("answered from the read side").isFalse();
    });
    return last[0];
  }

  /** Stopped and failed environments keep their place until deleted: free it for the next test. */
  private static void deleteAndAwait(String id) {
    assertThat(api.delete("/api/v1/environments/" + id).status()).isEqualTo(202);
    awaitStatus(id, "DELETED", UP_WITHIN);
  }

  private static List<String> historyStatuses(JsonNode environment) {
    List<String> statuses = new ArrayList<>();
    environment.get("history").forEach(step -> statuses.add(step.get("status").asText()));
    return statuses;
  }

  // ------------------------------------------------------------------ tests

  @Test
  void servesMetricsReadinessAndLivenessOnItsManagementPort() throws Exception {
    Api management = new Api(dcloud.node().management().toCompletableFuture().get(UP_WITHIN.toSeconds(), TimeUnit.SECONDS)
        .localAddress().getPort());
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
          .contains("dcloud_environment_idle_stops_total{node=\"" + NODE_ID + "\"}")
          .contains("dcloud_http_event_clients ")
          .contains("dcloud_reachability_unreachable_nodes ")
          .contains("jvm_memory_used_bytes{");
      Promtool.Result checked = Promtool.checkMetrics(scrape);
      assertThat(checked.parsed()).as(checked.output()).isTrue();
      assertThat(checked.problemsOf("dcloud_")).as(checked.output()).isEmpty();
    });
  }

  @Test
  void runsAnEnvironmentWithTheLimitsItAskedFor() {
    String id = create(tinySpec("limits", """
        , "port-publish": [{"internal": {"ports": "8080", "protocol": "tcp"}}],
          "storage": [{"target": "/scratch", "size": "1G", "lifecycle": "temporary"},
                      {"target": "/work", "size": "1G", "lifecycle": "persistent"}],
          "env": {"GREETING": "hi"}"""));

    JsonNode running = awaitStatus(id, "RUNNING", UP_WITHIN);
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

    List<String> mounts = new ArrayList<>();
    container.get("Mounts").forEach(m -> mounts.add(m.get("Destination").asText()));
    assertThat(mounts).contains("/scratch", "/work");

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
    deleteAndAwait(id);
  }

  @Test
  void streamsStatusChangesAndStopsStartsAndDeletes() throws Exception {
    String id = create(tinySpec("lifecycle", """
        , "storage": [{"target": "/scratch", "size": "1G", "lifecycle": "temporary"},
                      {"target": "/work", "size": "1G", "lifecycle": "persistent"}]"""));
    String containerId = awaitStatus(id, "RUNNING", UP_WITHIN).get("containerId").asText();
    String temporaryVolume = "dcloud-" + NODE_ID + "-" + id + "-0";
    String persistentVolume = "dcloud-" + NODE_ID + "-" + id + "-1";
    volumesToClean.add(persistentVolume);

    CompletableFuture<Stream<String>> events = api.client().sendAsync(
        api.request("/api/v1/environments/" + id + "/events").header("accept", "text/event-stream").build(),
        HttpResponse.BodyHandlers.ofLines()).thenApply(HttpResponse::body);
    CompletableFuture<String> stoppedSeen = events.thenApplyAsync(lines ->
        lines.filter(line -> line.startsWith("data:") && line.contains("STOPPED")).findFirst().orElse(""));

    assertThat(api.post("/api/v1/environments/" + id + "/stop", "").status()).isEqualTo(202);
    assertThat(api.post("/api/v1/environments/" + id + "/stop", "").status()).as("idempotent").isEqualTo(202);
    assertThat(stoppedSeen.get(UP_WITHIN.toSeconds(), TimeUnit.SECONDS)).contains("STOPPED");
    awaitStatus(id, "STOPPED", UP_WITHIN);
    assertThat(Docker.inspect(containerId).get("State").get("Running").asBoolean()).isFalse();
    await().atMost(UP_WITHIN).untilAsserted(() -> assertThat(
        api.get("/api/v1/nodes").json().get("nodes").get(0).get("reserved").get("cpus").asDouble())
        .as("a stopped environment gives its place back").isZero());

    assertThat(api.post("/api/v1/environments/" + id + "/start", "").status()).isEqualTo(202);
    JsonNode restarted = awaitStatus(id, "RUNNING", UP_WITHIN);
    assertThat(restarted.get("containerId").asText()).as("the same container").isEqualTo(containerId);

    assertThat(api.delete("/api/v1/environments/" + id).status()).isEqualTo(202);
    JsonNode deleted = awaitStatus(id, "DELETED", UP_WITHIN);
    assertThat(api.delete("/api/v1/environments/" + id).status()).as("idempotent").isEqualTo(202);
    assertThat(Docker.exists(containerId)).isFalse();
    assertThat(Docker.exists(temporaryVolume)).as("temporary volume removed").isFalse();
    assertThat(Docker.exists(persistentVolume)).as("persistent volume kept").isTrue();
    assertThat(deleted.get("history").toString()).contains(persistentVolume);
  }

  @Test
  void listsEnvironmentsByStatusAndName() {
    String id = create(tinySpec("listed", ""));
    awaitStatus(id, "RUNNING", UP_WITHIN);
    await().atMost(UP_WITHIN).untilAsserted(() -> {
      JsonNode listed = api.get("/api/v1/environments?status=RUNNING&name=listed").json().get("environments");
      assertThat(listed).hasSize(1);
      assertThat(listed.get(0).get("id").asText()).isEqualTo(id);
    });
    deleteAndAwait(id);
  }

  /**
   * A config as the original DCloud/SVM project wrote it (its dfs_contract): the OS as an object,
   * storage sizes in bytes, no lifecycle, and the store's own fields.
   */
  @Test
  void runsAConfigWrittenInTheOriginalProjectsFormat() {
    String id = create("""
        {"_id": {"$oid": "6456f0a2c1e4b7a9d2f3e811"}, "env-name": "original-format", "version": "2",
         "os": {"image-name": "tiny", "version": "1", "tags": "1"},
         "languages": [{"language-name": "shell", "libraries": []}],
         "resources": {"ram": "64M", "cpu": "0.5", "gpu": "0"},
         "storage": [{"target": "/workspace", "size": "1073741824"}],
         "command": ["sh", "-c", "exec sleep infinity"],
         "creation_time": {"$date": "2023-05-06T07:49:15.818Z"}}
        """);

    JsonNode running = awaitStatus(id, "RUNNING", UP_WITHIN);
    JsonNode os = running.get("spec").get("os");
    assertThat(os.get("image-name").asText()).as(running.toString()).isEqualTo("tiny");
    assertThat(os.get("version").asText()).isEqualTo("1");
    JsonNode volume = running.get("spec").get("storage").get(0);
    assertThat(volume.get("size").asText()).isEqualTo("1G");
    assertThat(volume.get("lifecycle").asText()).isEqualTo("temporary");
    List<String> mounts = new ArrayList<>();
    Docker.inspect(running.get("containerId").asText()).get("Mounts").forEach(m -> mounts.add(m.get("Destination").asText()));
    assertThat(mounts).contains("/workspace");

    Api.Response otherRelease = api.post("/api/v1/environments", """
        {"env-name": "original-wrong-tag", "os": {"image-name": "tiny", "version": "2"},
         "languages": [{"language-name": "shell", "libraries": []}]}""");
    assertThat(otherRelease.status()).as(otherRelease.body()).isEqualTo(422);
    assertThat(otherRelease.body()).contains("os.version").contains(TINY_IMAGE);
    deleteAndAwait(id);
  }

  @Test
  void refusesAtOnceWhatNoNodeCanEverHold() {
    Api.Response refused = api.post("/api/v1/environments", tinySpec("too-many-gpus", "").replace("\"gpu\": \"0\"", "\"gpu\": \"64\""));
    assertThat(refused.status()).isEqualTo(422);
    assertThat(refused.raw().headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(refused.json().get("errors").get(0).get("field").asText()).isEqualTo("resources");
    assertThat(refused.json().get("detail").asText()).contains("64 GPUs").contains("largest node");
    assertThat(api.get("/api/v1/environments?name=too-many-gpus").json().get("environments")).isEmpty();
  }

  @Test
  void restartRestoresEverythingAdoptsContainersAndRemovesOrphans() throws Exception {
    String kept = create(tinySpec("survivor", ""));
    String killed = create(tinySpec("killed-while-down", ""));
    JsonNode keptBefore = awaitStatus(kept, "RUNNING", UP_WITHIN);
    String killedContainer = awaitStatus(killed, "RUNNING", UP_WITHIN).get("containerId").asText();
    String keptContainer = keptBefore.get("containerId").asText();
    String startedAt = Docker.inspect(keptContainer).get("State").get("StartedAt").asText();

    dcloud.stopNode();
    Docker.run("kill", killedContainer);
    String orphan = Docker.run("run", "-d", "--label", "dcloud.env=deleted-meanwhile", "--label", "dcloud.node=" + NODE_ID,
        TINY_IMAGE, "sleep", "infinity");
    dcloud.startNode();
    api = dcloud.api();

    JsonNode keptAfter = awaitStatus(kept, "RUNNING", UP_WITHIN);
    assertThat(keptAfter.get("containerId").asText()).as("adopted, not recreated").isEqualTo(keptContainer);
    assertThat(Docker.inspect(keptContainer).get("State").get("StartedAt").asText()).as("not started twice").isEqualTo(startedAt);
    JsonNode killedAfter = awaitStatus(killed, "FAILED", UP_WITHIN);
    assertThat(killedAfter.get("reason").asText()).contains("137");
    await().atMost(UP_WITHIN).until(() -> !Docker.exists(orphan));
    // Adopting its container writes nothing: the list has it from the journal's ids, read at start.
    await().atMost(UP_WITHIN).untilAsserted(() ->
        assertThat(api.get("/api/v1/environments").body()).as("listed after the restart").contains(kept));
    assertThat(api.get("/api/v1/catalog").body()).as("catalog restored").contains("\"tiny\"");
    assertThat(api.get("/api/v1/templates").body()).contains("python-ml");
    deleteAndAwait(kept);
    deleteAndAwait(killed);
  }

  @Test
  void buildsARealDebianEnvironmentWithAPythonLibrary() {
    String id = create("""
        {"env-name": "numpy-check", "os": "debian",
         "languages": [{"language-name": "python", "libraries": ["numpy"]}],
         "resources": {"ram": "512M", "cpu": "1"},
         "command": ["python3", "-c", "import numpy; print('numpy-version', numpy.__version__)"]}
        """);
    awaitStatus(id, "STOPPED", DEBIAN_BUILD_WITHIN);
    Api.Response logs = api.get("/api/v1/environments/" + id + "/logs?tail=20&follow=false");
    assertThat(logs.body()).contains("numpy-version 1.");
    assertThat(api.get("/api/v1/environments/" + id + "/dockerfile").body()).contains("python3-numpy");
  }

  @Test
  void cordonQueuesNewWorkAndDrainMovesEnvironmentsOff() {
    String running = create(tinySpec("drained", ""));
    String firstContainer = awaitStatus(running, "RUNNING", UP_WITHIN).get("containerId").asText();

    Api.Response cordoned = api.post("/api/v1/nodes/" + NODE_ID + "/cordon", "");
    assertThat(cordoned.status()).isEqualTo(200);
    assertThat(cordoned.json().get("state").asText()).isEqualTo("CORDONED");
    String waiting = create(tinySpec("waits-for-uncordon", ""));
    awaitStatus(waiting, "QUEUED", UP_WITHIN);

    Api.Response draining = api.post("/api/v1/nodes/" + NODE_ID + "/drain", "");
    assertThat(draining.json().get("state").asText()).isEqualTo("DRAINING");
    JsonNode moved = awaitStatus(running, "QUEUED", UP_WITHIN);
    assertThat(historyStatuses(moved)).contains("STOPPING", "REQUESTED");
    await().atMost(UP_WITHIN).until(() -> !Docker.exists(firstContainer));

    assertThat(api.post("/api/v1/nodes/" + NODE_ID + "/uncordon", "").json().get("state").asText()).isEqualTo("UP");
    String secondContainer = awaitStatus(running, "RUNNING", UP_WITHIN).get("containerId").asText();
    assertThat(secondContainer).isNotEqualTo(firstContainer);
    awaitStatus(waiting, "RUNNING", UP_WITHIN);
    assertThat(api.post("/api/v1/nodes/no-such-node/cordon", "").status()).isEqualTo(404);
    deleteAndAwait(running);
    deleteAndAwait(waiting);
  }

  @Test
  void allocatesAdvertisedGpusByUuidAndPassesThemToDocker() {
    String id = create(tinySpec("gpu", "").replace("\"gpu\": \"0\"", "\"gpu\": \"1\", \"gpu-model\": \"A100\""));
    JsonNode failed = awaitStatus(id, "FAILED", UP_WITHIN);
    // Allocated by UUID, and Docker was asked for that device: it refuses only for want of a driver.
    assertThat(failed.get("history").toString()).contains("with GPUs GPU-it-0");
    assertThat(failed.get("reason").asText()).containsIgnoringCase("nvidia");
    assertThat(Docker.containersLabelled("dcloud.env=" + id)).as("a container that cannot start is removed").isEmpty();
    JsonNode node = api.get("/api/v1/nodes").json().get("nodes").get(0);
    assertThat(node.get("capacity").get("gpus")).hasSize(2);
    assertThat(node.get("gpusInUse")).as("released with the failed deploy").isEmpty();
    deleteAndAwait(id);
  }

  /** Routed gateway, environment, node: a shell (with and without a terminal) and files both ways; strangers get 404. */
  @Test
  void aShellAndFilesReachIntoARunningEnvironment() throws Exception {
    String id = create(tinySpec("shell", ""));
    awaitStatus(id, "RUNNING", UP_WITHIN);
    String bearer = api.request("/api/v1/environments").build().headers().firstValue("Authorization").orElseThrow();
    URI exec = URI.create(api.uri("/api/v1/environments/" + id + "/exec").toString().replaceFirst("^http", "ws"));

    ShellClient sh = ShellClient.open(api.client(), URI.create(exec + "?command=sh"), bearer);
    sh.stdin("echo hi\n");
    await().atMost(UP_WITHIN).until(() -> sh.output().contains("hi\n"));
    sh.control("{\"type\": \"eof\"}");
    assertThat(sh.closed().get(UP_WITHIN.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1000);
    assertThat(sh.texts()).containsExactly("{\"type\":\"exit\",\"exitCode\":0}");

    ShellClient tty = ShellClient.open(api.client(), URI.create(exec + "?command=sh&tty=true"), bearer);
    tty.control("{\"type\": \"resize\", \"cols\": 123, \"rows\": 45}");
    tty.stdin("stty size; exit 3\n");
    assertThat(tty.closed().get(UP_WITHIN.toSeconds(), TimeUnit.SECONDS)).isEqualTo(1000);
    assertThat(tty.output()).contains("45 123");
    assertThat(tty.texts()).containsExactly("{\"type\":\"exit\",\"exitCode\":3}");

    // A socket dropped without a word ends the session on the node, and the command with it.
    ShellClient dropped = ShellClient.open(api.client(),
        URI.create(exec + "?command=sh&command=-c&command=sleep%20600%3B%20echo&command=marker-dropped&tty=true"), bearer);
    String ps = "{\"command\": [\"ps\", \"-o\", \"args\"]}";
    await().atMost(UP_WITHIN).until(() -> api.post("/api/v1/environments/" + id + "/exec", ps).body().contains("marker-dropped"));
    dropped.abandon();
    await().atMost(UP_WITHIN).until(() -> !api.post("/api/v1/environments/" + id + "/exec", ps).body().contains("marker-dropped"));

    String files = "/api/v1/environments/" + id + "/files?path=";
    byte[] blob = new byte[200_000];
    new java.util.Random(11).nextBytes(blob);
    HttpResponse<String> put = api.client().send(api.request(files + "/home/dcloud/blob.bin")
        .header("Content-Type", "application/octet-stream").PUT(HttpRequest.BodyPublishers.ofByteArray(blob)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(put.statusCode()).as(put.body()).isEqualTo(201);
    assertThat(JSON.readTree(put.body()).get("bytes").asLong()).isEqualTo(blob.length);
    HttpResponse<byte[]> got = api.client().send(api.request(files + "/home/dcloud/blob.bin").GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(got.body()).isEqualTo(blob);
    assertThat(got.headers().firstValue("content-disposition")).hasValueSatisfying(v -> assertThat(v).contains("blob.bin"));

    byte[] tar = io.dcloud.deploy.TarArchive.create().file("src/main.py", "print('hi')\n").toBytes();
    HttpResponse<String> putTar = api.client().send(api.request(files + "/home/dcloud/project")
        .header("Content-Type", "application/x-tar").PUT(HttpRequest.BodyPublishers.ofByteArray(tar)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(putTar.statusCode()).as(putTar.body()).isEqualTo(201);
    HttpResponse<byte[]> gotTar = api.client().send(api.request(files + "/home/dcloud/project").GET().build(),
        HttpResponse.BodyHandlers.ofByteArray());
    assertThat(gotTar.headers().firstValue("content-type")).hasValue("application/x-tar");
    assertThat(new String(gotTar.body(), java.nio.charset.StandardCharsets.ISO_8859_1))
        .contains("project/src/main.py", "print('hi')");
    JsonNode owner = api.post("/api/v1/environments/" + id + "/exec",
        "{\"command\": [\"stat\", \"-c\", \"%u\", \"/home/dcloud/project/src/main.py\"]}").json();
    assertThat(owner.get("stdout").asText()).isEqualTo("1000\n");

    HttpResponse<String> notATar = api.client().send(api.request(files + "/home/dcloud/bad")
        .header("Content-Type", "application/x-tar").PUT(HttpRequest.BodyPublishers.ofString("not a tar".repeat(100))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(notATar.statusCode()).as(notATar.body()).isEqualTo(400);

    Api.Response missing = api.get(files + "/home/dcloud/nothing-here");
    assertThat(missing.status()).isEqualTo(404);
    assertThat(missing.json().get("errors").get(0).get("field").asText()).isEqualTo("path");
    Api.Response relative = api.get(files + "home/dcloud");
    assertThat(relative.status()).isEqualTo(400);
    assertThat(relative.json().get("errors").get(0).get("field").asText()).isEqualTo("path");

    String stranger = "Bearer " + signedInAs("mallory");
    HttpResponse<String> theirs = api.client().send(HttpRequest.newBuilder(api.uri(files + "/home/dcloud/blob.bin"))
        .header("Authorization", stranger).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(theirs.statusCode()).isEqualTo(404);
    Throwable refused = org.assertj.core.api.Assertions.catchThrowable(() -> ShellClient.open(api.client(), exec, stranger));
    java.net.http.WebSocketHandshakeException handshake = null;
    for (Throwable t = refused; t != null && handshake == null; t = t.getCause()) {
      handshake = t instanceof java.net.http.WebSocketHandshakeException h ? h : null;
    }
    assertThat(handshake).as("%s", refused).isNotNull();
    assertThat(handshake.getResponse().statusCode()).isEqualTo(404);
    deleteAndAwait(id);
  }

  /** A data scientist made by the admin, signed in: their token. */
  private static String signedInAs(String name) throws Exception {
    api.post("/api/v1/users", "{\"username\": \"" + name + "\", \"password\": \"password-of-" + name
        + "\", \"roles\": [\"data-scientist\"]}");
    HttpResponse<String> login = api.client().send(HttpRequest.newBuilder(api.uri("/api/v1/auth/login"))
        .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
            "{\"username\": \"" + name + "\", \"password\": \"password-of-" + name + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(login.statusCode()).as(login.body()).isEqualTo(200);
    return JSON.readTree(login.body()).get("token").asText();
  }

  @Test
  void aCassandraOutageIsA503AndDCloudRecoversWhenItReturns() {
    String before = create(tinySpec("before-outage", ""));
    awaitStatus(before, "RUNNING", UP_WITHIN);
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
    awaitStatus(after, "RUNNING", UP_WITHIN);
    assertThat(api.get("/api/v1/environments/" + before).json().get("status").asText()).isEqualTo("RUNNING");
    deleteAndAwait(before);
    deleteAndAwait(after);
  }
}
