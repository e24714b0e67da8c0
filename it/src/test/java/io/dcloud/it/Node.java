package io.dcloud.it;

import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One {@code dcloud node} process of a {@link ClusterHarness} cluster, alive or not: its name, id,
 * ports, zone and log file never change, so that a node started again comes back as the same node.
 * Its stdout and stderr go to its log file, with a line of the harness's at each start and signal.
 */
final class Node {
  /** The admin's password every node of a test cluster is started with (DCLOUD_ADMIN_PASSWORD). */
  static final String ADMIN_PASSWORD = "dcloud-it-admin";
  private static final Duration UP_WITHIN = Duration.ofSeconds(120);

  private static final Logger LOG = LoggerFactory.getLogger(Node.class);
  private static final Duration KILL_WITHIN = Duration.ofSeconds(15);
  /** A SIGTERMed node leaves the cluster (coordinated shutdown) before it exits. */
  private static final Duration STOP_WITHIN = Duration.ofSeconds(60);
  private static final int LOG_TAIL_LINES = 60;

  final int index;
  /** The node's cluster (Artery) address: 127.0.0.1, or 127.0.0.{index} when the cluster has one loopback address per node. */
  final String host;
  final String name;
  final String id;
  final String zone;
  final int clusterPort;
  final int httpPort;
  final Path logFile;
  final Api api;
  /** The id by which the cluster lists this node: a node process with hollow workers is no worker itself, its first hollow node stands for it. */
  private final String listedId;
  private Process process;

  /** Node {@code index} of the run {@code runId}, logging into {@code runDir}; {@code hollow}: it runs hollow workers instead of its own. */
  Node(int index, String host, String runId, Path runDir, int clusterPort, int httpPort, boolean hollow) {
    this.index = index;
    this.host = host;
    this.name = "n" + index;
    this.id = runId + "-" + name;
    this.zone = "z" + index;
    this.clusterPort = clusterPort;
    this.httpPort = httpPort;
    this.logFile = runDir.resolve(name + ".log");
    this.api = new Api(httpPort);
    this.listedId = hollow ? id + "-hollow-0001" : id;
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  long pid() {
    return process.pid();
  }

  /** The exit code of a node that is no longer running. */
  int exitValue() {
    return process.exitValue();
  }

  /**
   * The node's own cgroup (v2), relative to the cgroup2 root, when the cluster has one loopback
   * address per node: the node's sockets carry it, so iptables' {@code -m cgroup --path} can tell
   * its outgoing connections (whose source address is 127.0.0.1 whatever its own) from the others'.
   */
  String cgroup() {
    return "dcloud-" + id;
  }

  /** Starts the process {@code command} (see {@link NodeCommand}) in {@code workDir}; does not wait for it. */
  void launch(List<String> command, Path workDir) throws IOException {
    NodeLogs.append(logFile, "==== " + String.join(" ", command));
    ProcessBuilder builder = new ProcessBuilder(command);
    // The first node of the cluster creates the admin with it; every Api signs in with it.
    builder.environment().put("DCLOUD_ADMIN_PASSWORD", ADMIN_PASSWORD);
    process = builder
        .directory(workDir.toFile())
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(logFile.toFile()))
        .redirectInput(ProcessBuilder.Redirect.PIPE)
        .start();
  }

  /** Waits until its API answers; fails at once if the process exits first. */
  void awaitHealthy() {
    await("health of " + this).atMost(UP_WITHIN).pollInterval(Duration.ofMillis(250)).until(() -> {
      if (!alive()) {
        throw new AssertionError(this + " exited with " + process.exitValue() + "; log tail:\n" + logTail());
      }
      try {
        return api.get("/api/v1/health").status() == 200;
      } catch (IllegalStateException notYet) {
        return false;
      }
    });
  }

  /** Waits until its {@code /nodes} lists each of {@code others} (and, once nodes have a state, UP). */
  void awaitSeesUp(List<Node> others) {
    Set<String> expected = new HashSet<>(others.stream().map(n -> n.listedId).toList());
    await(this + " sees " + others.stream().map(n -> n.name).toList() + " UP").atMost(UP_WITHIN).pollInterval(Duration.ofMillis(250))
        .ignoreExceptions().until(() -> {
          Set<String> up = new HashSet<>();
          for (JsonNode listed : api.nodes()) {
            boolean stateUp = !listed.hasNonNull("state") || "UP".equals(listed.get("state").asText());
            if (stateUp && listed.path("available").asBoolean(true)) {
              up.add(listed.get("id").asText());
            }
          }
          return up.containsAll(expected);
        });
  }

  /** SIGKILL ({@link Process#destroyForcibly()} on Linux): no shutdown hook, no leaving the cluster. */
  void kill() throws InterruptedException {
    if (!alive()) {
      throw new IllegalStateException(this + " is not running");
    }
    LOG.info("SIGKILL {}", this);
    process.destroyForcibly();
    if (!process.waitFor(KILL_WITHIN.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError(this + " still runs " + KILL_WITHIN + " after SIGKILL");
    }
    int exit = process.exitValue();
    if (exit != 128 + 9) {
      throw new AssertionError(this + " exited with " + exit + ", not 137 (SIGKILL)");
    }
    NodeLogs.append(logFile, "==== killed with SIGKILL by the test at " + Instant.now() + " ====");
  }

  /**
   * SIGTERM ({@link Process#destroy()}): the node runs its coordinated shutdown (leaves the cluster,
   * hands its shards over) and exits; {@link #awaitExitAfterSigterm} waits for that.
   */
  void sigterm() {
    if (!alive()) {
      throw new IllegalStateException(this + " is not running");
    }
    LOG.info("SIGTERM {}", this);
    NodeLogs.append(logFile, "==== SIGTERM by the test at " + Instant.now() + " ====");
    process.destroy();
  }

  void awaitExitAfterSigterm() throws InterruptedException {
    if (!process.waitFor(STOP_WITHIN.toSeconds(), TimeUnit.SECONDS)) {
      throw new AssertionError(this + " still runs " + STOP_WITHIN + " after SIGTERM; log tail:\n" + logTail());
    }
    LOG.info("{} exited with {} after SIGTERM", name, process.exitValue());
    NodeLogs.append(logFile, "==== exited with " + process.exitValue() + " after SIGTERM ====");
  }

  /** SIGKILL with no questions asked, for tearing a cluster down; {@link #awaitGone} waits for it. */
  void destroyForcibly() {
    if (alive()) {
      process.destroyForcibly();
    }
  }

  /** Waits, at most as long as a SIGKILL may take, until the process (if it was ever started) has exited. */
  void awaitGone() throws InterruptedException {
    if (process != null) {
      process.waitFor(KILL_WITHIN.toSeconds(), TimeUnit.SECONDS);
    }
  }

  /** Whether the node has written {@code text} to its log (false while there is no log to read). */
  boolean hasLogged(String text) {
    try {
      return Files.exists(logFile) && Files.readString(logFile, StandardCharsets.UTF_8).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  /** The last lines of its log, for a failure's report. */
  String logTail() {
    return NodeLogs.tail(logFile, LOG_TAIL_LINES);
  }

  /** The header and last lines of its log, for a failed test's report. */
  String logTailReport() {
    return "\n======== " + this + ": last " + LOG_TAIL_LINES + " lines of " + logFile + '\n' + logTail();
  }

  @Override
  public String toString() {
    return name + " (" + id + ", cluster " + host + ":" + clusterPort + ", http " + httpPort + (alive() ? "" : ", dead") + ")";
  }
}
