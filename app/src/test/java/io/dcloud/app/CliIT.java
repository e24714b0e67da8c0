package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.app.InProcessCli.Result;
import io.dcloud.cli.common.ExitCodes;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line against DCloud as `dcloud dev` runs it (embedded Cassandra, real Docker, one node):
 * an environment made, followed to RUNNING, run in, read and removed with {@code dcloud env ...}.
 */
@Tag("docker") @Tag("cassandra")
class CliIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration UP_WITHIN = Duration.ofSeconds(90);

  @TempDir
  Path config;

  private static OneNodeDCloud dcloud;

  @BeforeAll
  static void startDCloud() throws Exception {
    dcloud = OneNodeDCloud.start("cli-it-node", Map.of());
  }

  @AfterAll
  static void stopDCloud() {
    if (dcloud != null) {
      dcloud.close();
    }
  }

  private Result cli(String stdin, String... args) {
    return InProcessCli.run(Map.of("XDG_CONFIG_HOME", config.toString()), stdin, args);
  }

  /** Signs the CLI in to the node's gateway as the admin. */
  private void signIn() {
    Result login = cli(OneNodeDCloud.ADMIN_PASSWORD + "\n", "login", "--api", dcloud.api().uri("").toString(),
        "-u", "admin", "--password-stdin");
    assertThat(login.status()).as("%s", login).isZero();
  }

  /** Waits until {@code dcloud env get} says the environment is in {@code status}. */
  private void awaitStatus(String id, String status) {
    await().atMost(UP_WITHIN).untilAsserted(() ->
        assertThat(JSON.readTree(ok("env", "get", id, "-o", "json").out()).path("status").asText()).isEqualTo(status));
  }

  private Result ok(String... args) {
    Result result = cli("", args);
    assertThat(result.status()).as("%s", result).isZero();
    return result;
  }

  @Test
  void createsFollowsExecsReadsLogsStopsStartsAndRemovesAnEnvironment() throws Exception {
    signIn();
    Path spec = Files.writeString(config.resolve("spec.json"), EnvironmentSpecs.tinySpec("from-cli", ""));

    Result created = ok("env", "create", "-f", spec.toString());
    String id = created.out().strip();
    assertThat(created.err()).as("the progress line").contains("RUNNING");
    JsonNode running = JSON.readTree(ok("env", "get", id, "-o", "json").out());
    assertThat(running.path("status").asText()).isEqualTo("RUNNING");
    assertThat(running.path("name").asText()).isEqualTo("from-cli");
    Result dryRun = ok("env", "create", "-f", spec.toString(), "--dry-run");
    assertThat(dryRun.out()).as("the node is up: it ran this one").contains("== Dockerfile ==", "fits on " + dcloud.nodeId());

    assertThat(ok("env", "exec", id, "--", "echo", "hi").out()).isEqualTo("hi\n");
    Result failing = cli("", "env", "exec", id, "--", "sh", "-c", "echo oops >&2; exit 3");
    assertThat(failing.status()).as("the command's own exit status").isEqualTo(3);
    assertThat(failing.err()).isEqualTo("oops\n");
    assertThat(cli("shout", "env", "exec", id, "-i", "--", "tr", "a-z", "A-Z").out()).isEqualTo("SHOUT");

    assertThat(ok("env", "logs", id, "--tail", "10").out()).contains("hello-from-dcloud");
    assertThat(ok("env", "logs", id, "--since", "1h", "-t").out().lines())
        .as("each line after the time the engine says it was written")
        .anySatisfy(line -> assertThat(line).matches("\\d{4}-\\d\\d-\\d\\dT\\S+Z .*hello-from-dcloud.*"));
    assertThat(ok("env", "logs", id, "--since", "2099-01-01T00:00:00Z").out()).as("nothing written since").isEmpty();

    Result stopped = ok("env", "stop", id, "--wait");
    assertThat(stopped.out()).as("followed until its container has stopped").isEqualTo(id + " STOPPED\n");
    assertThat(stopped.err()).as("the progress line").contains("STOPPING");
    Result started = ok("env", "start", id);
    assertThat(started.out().strip()).as("followed until it runs again").isEqualTo(id);
    assertThat(started.err()).as("the progress line").contains("RUNNING");
    assertThat(JSON.readTree(ok("env", "get", id, "-o", "json").out()).path("status").asText()).isEqualTo("RUNNING");
    Result restarted = ok("env", "restart", id);
    assertThat(restarted.out().strip()).as("stopped, started and followed until it runs again").isEqualTo(id);
    assertThat(restarted.err()).as("the progress line").contains("STOPPING", "RUNNING");
    assertThat(JSON.readTree(ok("env", "get", id, "-o", "json").out()).path("history").findValuesAsText("message"))
        .as("one request, carried through by DCloud").contains("restart requested by admin", "stopped to restart");
    Result resized = ok("env", "resize", id, "--cpu", "1", "--ram", "96M");
    assertThat(resized.out()).as("changed as it runs, followed until its node applied them").isEqualTo(id + " RUNNING\n");
    assertThat(resized.err()).contains("its container's limits are now 1 core, 96 MiB RAM");
    JsonNode limits = Docker.inspect(JSON.readTree(ok("env", "get", id, "-o", "json").out()).path("containerId").asText())
        .get("HostConfig");
    assertThat(limits.get("NanoCpus").asLong()).isEqualTo(1_000_000_000L);
    assertThat(limits.get("Memory").asLong()).isEqualTo(96L << 20);

    assertThat(ok("env", "rm", id, "--wait").out()).as("followed until it is gone").isEqualTo(id + " DELETED\n");
    Result gone = cli("", "env", "exec", id, "--", "echo", "hi");
    assertThat(gone.status()).as("%s", gone).isEqualTo(ExitCodes.REFUSED);
  }

  /**
   * {@code nodes get} shows the node and the environment on it; {@code nodes drain --wait}: followed
   * until the node holds none of its environments (with no other node, they wait in the queue);
   * uncordoned, they run there again.
   */
  @Test
  void drainsTheNodeFollowingItUntilItHoldsNoEnvironment() throws Exception {
    signIn();
    Path spec = Files.writeString(config.resolve("drained.json"), EnvironmentSpecs.tinySpec("drained", ""));
    String id = ok("env", "create", "-f", spec.toString()).out().strip();
    String node = dcloud.nodeId();
    Result shown = ok("nodes", "get", node);
    assertThat(shown.out()).as("the node, its resources, runtime and environments")
        .contains("RESOURCE", "CAPACITY", "RESERVED", "IN USE", "RUNTIME", id, "drained");
    assertThat(cli("", "nodes", "get", "no-such-node").status()).isEqualTo(ExitCodes.NOT_FOUND);
    try {
      Result drained = ok("nodes", "drain", node, "--wait");
      assertThat(drained.err()).contains(node + ": drained, no environment left on it");
      assertThat(drained.out()).contains("DRAINING").containsPattern(" 0\\n");
      awaitStatus(id, "QUEUED");
    } finally {
      ok("nodes", "uncordon", node);
    }
    awaitStatus(id, "RUNNING");
    ok("env", "rm", id);
  }

  /**
   * {@code services logs}: every replica's lines after its short id, at once and followed until the
   * replicas are gone (the service deleted: their streams end, and so does the command).
   */
  @Test
  void printsAndFollowsTheLogsOfEveryReplicaOfAService() throws Exception {
    signIn();
    Path definition = Files.writeString(config.resolve("service.json"), """
        {"name": "cli-logs", "kind": "app", "port": 8080, "replicas": 2, "readiness": {"path": "/"}, "environment": %s}
        """.formatted(EnvironmentSpecs.tinySpec("cli-logs", ", \"port-publish\": [{\"internal\": {\"ports\": \"8080\"}}]")));
    ok("services", "create", "-f", definition.toString());
    List<String> prefixes = await().atMost(UP_WITHIN).until(() -> {
      JsonNode replicas = JSON.readTree(ok("services", "get", "cli-logs", "-o", "json").out()).path("replicas");
      List<String> running = new java.util.ArrayList<>();
      replicas.forEach(r -> {
        if (r.path("status").asText().equals("RUNNING")) {
          running.add(r.path("id").asText().substring(0, 8) + " | hello-from-dcloud");
        }
      });
      return running;
    }, running -> running.size() == 2);

    assertThat(ok("services", "logs", "cli-logs", "--tail", "5").out().lines())
        .containsExactlyInAnyOrderElementsOf(prefixes);

    java.io.ByteArrayOutputStream followed = new java.io.ByteArrayOutputStream();
    CompletableFuture<Result> following = CompletableFuture.supplyAsync(() -> InProcessCli.run(
        Map.of("XDG_CONFIG_HOME", config.toString()), "", followed, "services", "logs", "cli-logs", "-f"));
    await().atMost(UP_WITHIN).until(() -> followed.toString(StandardCharsets.UTF_8).lines().toList()
        .containsAll(prefixes));
    ok("services", "rm", "cli-logs");
    Result ended = following.get(UP_WITHIN.toSeconds(), TimeUnit.SECONDS);
    assertThat(ended.status()).as("the streams ended with their containers: %s", ended).isZero();
  }

  /**
   * {@code nodes volumes} and {@code nodes rm-volume}: a persistent volume kept when its environment
   * is deleted, its files mounted again by a new environment naming it, then removed.
   */
  @Test
  void listsANodesVolumesMountsOneADeletedEnvironmentKeptAgainAndRemovesIt() throws Exception {
    signIn();
    Path spec = Files.writeString(config.resolve("kept.json"), EnvironmentSpecs.tinySpec("keeps-data",
        ", \"storage\": [{\"target\": \"/data\", \"size\": \"16M\", \"lifecycle\": \"persistent\"}]"));
    String id = ok("env", "create", "-f", spec.toString()).out().strip();
    String volume = "dcloud-" + dcloud.nodeId() + "-" + id + "-0";
    ok("env", "exec", id, "--", "sh", "-c", "echo written-before > /data/kept.txt");
    assertThat(ok("env", "stats", id).out()).as("its container's usage now").contains("CPU %", "MEM USAGE / LIMIT", "MiB");
    assertThat(ok("env", "stats").out()).as("every running one's, as docker stats").contains("NAME", "keeps-data", "MiB");
    JsonNode everyRunning = JSON.readTree(ok("env", "stats", "-o", "json").out()).path("environments");
    assertThat(everyRunning.findValues("id").stream().map(JsonNode::asText)).contains(id);
    assertThat(everyRunning.findValues("memory")).as("each sampled").isNotEmpty();

    Result attached = ok("nodes", "volumes", dcloud.nodeId());
    assertThat(attached.out()).contains("NAME", "STATE", volume, "ATTACHED", "/data", "keeps-data", "admin", "RUNNING");
    Result refused = cli("", "nodes", "rm-volume", dcloud.nodeId(), volume);
    assertThat(refused.status()).as("%s", refused).isEqualTo(ExitCodes.REFUSED);
    assertThat(refused.err()).contains("belongs to environment " + id);

    ok("env", "rm", id);
    awaitStatus(id, "DELETED");
    JsonNode orphaned = JSON.readTree(ok("nodes", "volumes", dcloud.nodeId(), "--state", "ORPHANED", "-o", "json").out());
    assertThat(orphaned.path("volumes")).singleElement().satisfies(kept -> {
      assertThat(kept.path("name").asText()).isEqualTo(volume);
      assertThat(kept.path("inUse").asBoolean()).isFalse();
      assertThat(kept.path("removable").asBoolean()).isTrue();
      assertThat(kept.path("usedBytes").asLong()).as("its file's bytes, as the engine counts them")
          .isGreaterThanOrEqualTo("written-before\n".length());
      assertThat(kept.path("environment").path("status").asText()).isEqualTo("DELETED");
    });

    Path again = Files.writeString(config.resolve("again.json"), EnvironmentSpecs.tinySpec("mounts-it-again",
        ", \"storage\": [{\"target\": \"/back\", \"volume\": \"" + volume + "\"}]"));
    // Two creates naming it at once (before either environment is listed anywhere): its node promises it to one.
    String body = Files.readString(again);
    List<CompletableFuture<Api.Response>> racing = List.of(
        CompletableFuture.supplyAsync(() -> dcloud.api().post("/api/v1/environments", body)),
        CompletableFuture.supplyAsync(() -> dcloud.api().post("/api/v1/environments", body)));
    List<Api.Response> answers = racing.stream().map(CompletableFuture::join).toList();
    assertThat(answers).extracting(Api.Response::status).as("%s", answers).containsExactlyInAnyOrder(202, 422);
    Api.Response loser = answers.stream().filter(answer -> answer.status() == 422).findFirst().orElseThrow();
    assertThat(loser.body()).contains("storage[0].volume");
    String second = answers.stream().filter(answer -> answer.status() == 202).findFirst().orElseThrow()
        .json().path("id").asText();
    awaitStatus(second, "RUNNING");
    assertThat(ok("env", "exec", second, "--", "cat", "/back/kept.txt").out()).isEqualTo("written-before\n");
    JsonNode mounting = JSON.readTree(ok("env", "get", second, "-o", "json").out());
    assertThat(mounting.path("persistentVolumes").toString()).contains(volume);
    assertThat(mounting.path("spec").path("storage").get(0).path("size").asText()).as("its environment's").isEqualTo("16M");
    assertThat(dcloud.managementApi().get("/metrics").body()).containsPattern("(?m)^dcloud_volumes_kept_mounted_total [1-9]");
    assertThat(ok("nodes", "volumes", dcloud.nodeId()).out()).contains(volume, "ATTACHED", second);
    assertThat(ok("volumes", "ls").out()).contains("NODE", dcloud.nodeId(), volume, "ATTACHED", second);
    JsonNode everywhere = dcloud.api().get("/api/v1/volumes").json();
    assertThat(everywhere.path("volumes").toString()).contains(volume, "\"mountedBy\":\"" + second + "\"");
    assertThat(everywhere.path("unreachable")).isEmpty();
    assertThat(dcloud.api().post("/api/v1/users", "{\"username\": \"vol-other\", \"password\": \"vol-other-secret\","
        + " \"roles\": [\"data-scientist\"]}").status()).isEqualTo(201);
    assertThat(dcloud.api().as("vol-other", "vol-other-secret").get("/api/v1/volumes").body())
        .as("another user's volumes are not theirs to see").doesNotContain(volume);
    Result taken = cli("", "nodes", "rm-volume", dcloud.nodeId(), volume);
    assertThat(taken.status()).as("%s", taken).isEqualTo(ExitCodes.REFUSED);
    Result twice = cli("", "env", "create", "-f", again.toString());
    assertThat(twice.status()).as("%s", twice).isNotZero();
    assertThat(twice.err()).contains("storage[0].volume", "is mounted by a container");
    // Drained, it waits for its volume's node (no container meanwhile), and the volume stays its alone.
    ok("nodes", "drain", dcloud.nodeId());
    awaitStatus(second, "QUEUED");
    Result whileQueued = cli("", "env", "create", "-f", again.toString());
    assertThat(whileQueued.status()).as("%s", whileQueued).isNotZero();
    assertThat(whileQueued.err()).contains("is mounted again by environment " + second + " (QUEUED, waiting for a place on node " + dcloud.nodeId() + ")");
    ok("nodes", "uncordon", dcloud.nodeId());
    awaitStatus(second, "RUNNING");
    assertThat(ok("env", "exec", second, "--", "cat", "/back/kept.txt").out()).as("back where its data is")
        .isEqualTo("written-before\n");
    ok("env", "rm", second);
    awaitStatus(second, "DELETED");

    // A user removes their own volumes, once no environment holds them, and never another's.
    Api other = dcloud.api().as("vol-other", "vol-other-secret");
    Api.Response made = other.post("/api/v1/environments", EnvironmentSpecs.tinySpec("others-data",
        ", \"storage\": [{\"target\": \"/data\", \"size\": \"16M\", \"lifecycle\": \"persistent\"}]"));
    assertThat(made.status()).as(made.body()).isEqualTo(202);
    String othersId = made.json().path("id").asText();
    String othersVolume = "/api/v1/volumes/" + dcloud.nodeId() + "/dcloud-" + dcloud.nodeId() + "-" + othersId + "-0";
    await().atMost(UP_WITHIN).untilAsserted(() -> assertThat(
        other.get("/api/v1/environments/" + othersId).json().path("status").asText()).isEqualTo("RUNNING"));
    assertThat(other.delete(othersVolume).status()).as("its environment holds it").isEqualTo(409);
    assertThat(other.delete("/api/v1/volumes/" + dcloud.nodeId() + "/" + volume).status()).as("not theirs").isEqualTo(404);
    assertThat(other.delete("/api/v1/environments/" + othersId).status()).isEqualTo(202);
    await().atMost(UP_WITHIN).untilAsserted(() -> assertThat(
        other.get("/api/v1/environments/" + othersId).json().path("status").asText()).isEqualTo("DELETED"));
    assertThat(other.delete(othersVolume).status()).isEqualTo(204);

    assertThat(ok("volumes", "rm", dcloud.nodeId(), volume).out()).contains("removed volume " + volume);
    assertThat(ok("nodes", "volumes", dcloud.nodeId()).out()).doesNotContain(volume);
    assertThat(cli("", "nodes", "rm-volume", dcloud.nodeId(), volume).status()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  /**
   * {@code env exec -t} for real: the built jar under a pseudo-terminal ({@code script}), so it
   * finds a terminal, puts it in raw mode and talks over the exec WebSocket; and {@code env cp}
   * of a file and a folder, both ways.
   */
  @Test
  void execsInteractivelyUnderAPseudoTerminalAndCopiesFilesBothWays() throws Exception {
    signIn();
    Path spec = Files.writeString(config.resolve("spec.json"), EnvironmentSpecs.tinySpec("cli-tty", ""));
    String id = ok("env", "create", "-f", spec.toString()).out().strip();

    Path jar = Path.of(System.getProperty("user.dir")).resolveSibling("cli/target/dcloud-cli.jar");
    assertThat(jar).as("cli's package phase made it").exists();
    String inner = "java -jar " + jar + " env exec -t " + id + " -- sh -c 'echo ready; read line; echo got-$line; exit 5'";
    ProcessBuilder script = new ProcessBuilder("script", "-qec", inner, "/dev/null").redirectErrorStream(true);
    script.environment().put("XDG_CONFIG_HOME", config.toString());
    Process terminal = script.start();
    StringBuffer screen = new StringBuffer();
    CompletableFuture<Void> shown = CompletableFuture.runAsync(() -> {
      try {
        byte[] buffer = new byte[4096];
        for (int read; (read = terminal.getInputStream().read(buffer)) >= 0; ) {
          screen.append(new String(buffer, 0, read, StandardCharsets.UTF_8));
        }
      } catch (java.io.IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
    // Typed once the command runs, as a user types at its prompt: CI once lost a line typed before
    // the CLI had even started (never reproduced since; see the note of 2026-12-03).
    await().atMost(UP_WITHIN).until(() -> screen.toString().contains("ready"));
    terminal.getOutputStream().write("hello\n".getBytes(StandardCharsets.UTF_8));
    terminal.getOutputStream().flush();
    assertThat(terminal.waitFor(UP_WITHIN.toSeconds(), TimeUnit.SECONDS)).as("the session ended: %s", screen).isTrue();
    terminal.getOutputStream().close();
    shown.get(UP_WITHIN.toSeconds(), TimeUnit.SECONDS);
    assertThat(screen.toString()).contains("got-hello");
    assertThat(terminal.exitValue()).as("the command's exit status, through script -e").isEqualTo(5);

    Path file = Files.writeString(config.resolve("payload.txt"), "payload");
    ok("env", "cp", file.toString(), id + ":/tmp/");
    assertThat(ok("env", "exec", id, "--", "cat", "/tmp/payload.txt").out()).isEqualTo("payload");
    Path tree = Files.createDirectories(config.resolve("tree/sub"));
    Files.writeString(tree.resolve("deep.txt"), "deep");
    ok("env", "cp", config.resolve("tree").toString(), id + ":/tmp/tree");
    assertThat(ok("env", "exec", id, "--", "cat", "/tmp/tree/sub/deep.txt").out()).isEqualTo("deep");

    Path back = config.resolve("back");
    assertThat(ok("env", "cp", id + ":/tmp/tree", back.toString()).err()).contains("copied " + id + ":/tmp/tree into " + back);
    assertThat(back.resolve("sub/deep.txt")).hasContent("deep");
    assertThat(ok("env", "cp", id + ":/tmp/payload.txt", config.resolve("payload-back.txt").toString()).err())
        .as("as an upload says where it went").contains("payload-back.txt (7 bytes)");
    assertThat(config.resolve("payload-back.txt")).hasContent("payload");
    Result missing = cli("", "env", "cp", id + ":/tmp/no-such-file", config.resolve("x").toString());
    assertThat(missing.status()).as("%s", missing).isEqualTo(ExitCodes.NOT_FOUND);

    ok("env", "rm", id);
  }
}
