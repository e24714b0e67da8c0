package io.dcloud.it;

import static io.dcloud.it.Envs.createWhenAvailable;
import static io.dcloud.it.Envs.fullId;
import static io.dcloud.it.Envs.summary;
import static io.dcloud.it.Envs.tinySpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A benchmark, not a CI test (Failsafe runs only *IT): {@code ./dcloud bench failover} runs it.
 * Three real {@code dcloud node} processes with the shipped failure detection and downing; each
 * round SIGKILLs the worker that runs an environment and times crash to RUNNING again on a
 * survivor, while a {@link ReadProbe} reads the environment from a survivor every
 * {@value #READ_EVERY_MS} ms. Then it brings the worker back, which must remove its stale container
 * so that exactly one runs. It fails (after its RESULT line) when a read went unanswered or an
 * environment ends up running twice.
 */
class FailoverBenchmark {
  private static final int ROUNDS = Integer.getInteger("dcloud.bench.failover.rounds", 5);
  private static final Duration RUNNING_WITHIN = Duration.ofSeconds(120);
  private static final Duration REPLACED_WITHIN = Duration.ofSeconds(120);
  private static final Duration STALE_CONTAINER_REMOVED_WITHIN = Duration.ofSeconds(60);
  /** How often the benchmark looks: its figures are good to this much. */
  private static final Duration POLL = Duration.ofMillis(200);
  private static final long READ_EVERY_MS = 20;
  private static final int MAX_CREATES_PER_ROUND = 8;

  @Test
  void crashToReplacementRunning() throws Exception {
    List<Double> seconds = new ArrayList<>();
    List<String> violations = new ArrayList<>();
    int reads = 0;
    int failedReads = 0;
    long slowestReadMs = 0;
    long longestReadGapMs = 0;
    try (ClusterHarness cluster = ClusterHarness.start(3)) {
      Node via = cluster.node(1); // holds the singletons and the API; the victims are the others
      for (int round = 1; round <= ROUNDS; round++) {
        Node victim = cluster.node(round % 2 == 0 ? 3 : 2);
        String id = environmentOn(via, victim, round);
        String oldContainer = fullId(via.api.environment(id).get("containerId").asText());
        ReadProbe.Figures read;
        JsonNode replaced;
        Instant killedAt;
        try (ReadProbe probe = ReadProbe.start(via.api, "/api/v1/environments/" + id, READ_EVERY_MS)) {
          killedAt = Instant.now();
          cluster.kill(victim);
          replaced = awaitRunningAwayFrom(via, id, victim);
          read = probe.stop();
        }
        double took = Duration.between(killedAt, Instant.now()).toMillis() / 1000.0;
        seconds.add(took);
        reads += read.answered() + read.failed();
        failedReads += read.failed();
        slowestReadMs = Math.max(slowestReadMs, read.slowestMs());
        longestReadGapMs = Math.max(longestReadGapMs, read.longestGapMs());
        System.out.printf(Locale.ROOT,
            "FAILOVER round %d: SIGKILL %s -> %s RUNNING on %s after %.1f s; reads %d answered, %d failed %s, p99 %.1f ms, slowest %d ms, longest gap %d ms%n",
            round, victim.name, id, replaced.get("node").asText(), took, read.answered(), read.failed(),
            read.firstFailures(), read.p99Ms(), read.slowestMs(), read.longestGapMs());
        if (read.failed() > 0) {
          violations.add("round " + round + ": " + read.failed() + " reads of " + id + " failed, e.g. " + read.firstFailures());
        }
        cluster.restart(victim);
        cluster.awaitSeesAll(via);
        String container = fullId(replaced.get("containerId").asText());
        try {
          // The killed process left its container running under the same Docker Engine; back, it removes it.
          await().atMost(STALE_CONTAINER_REMOVED_WITHIN).pollInterval(POLL)
              .until(() -> Docker.runningLabelled("dcloud.env=" + id), List.of(container)::equals);
        } catch (ConditionTimeoutException e) {
          violations.add("round " + round + ": " + id + " runs in " + Docker.runningLabelled("dcloud.env=" + id)
              + " (the replacement is " + container + ", the old one " + oldContainer + ")");
        }
        // The shards move back as the victim rejoins: a delete may meet one moving (503) and is sent again.
        await().atMost(RUNNING_WITHIN).pollInterval(POLL)
            .until(() -> via.api.delete("/api/v1/environments/" + id).status() < 300);
      }
    }
    List<Double> sorted = seconds.stream().sorted().toList();
    System.out.printf(Locale.ROOT,
        "RESULT failover rounds=%d p50_s=%.1f max_s=%.1f all_s=%s reads=%d failed_reads=%d slowest_read_ms=%d longest_read_gap_ms=%d violations=%d%n",
        sorted.size(), sorted.get((sorted.size() - 1) / 2), sorted.get(sorted.size() - 1), seconds,
        reads, failedReads, slowestReadMs, longestReadGapMs, violations.size());
    assertThat(violations).as("unanswered reads and environments running twice").isEmpty();
  }
  /** Creates environments until one runs on {@code victim} (spread places one in three there); deletes the others. */
  private static String environmentOn(Node via, Node victim, int round) {
    List<String> elsewhere = new ArrayList<>();
    for (int i = 0; i < MAX_CREATES_PER_ROUND; i++) {
      String id = createWhenAvailable(via, tinySpec("failover-" + round + "-" + i, "0.5", ""), RUNNING_WITHIN);
      JsonNode running = Envs.awaitStatus(via, id, "RUNNING", RUNNING_WITHIN);
      if (victim.id.equals(running.get("node").asText())) {
        elsewhere.forEach(other -> via.api.delete("/api/v1/environments/" + other));
        return id;
      }
      elsewhere.add(id);
    }
    throw new AssertionError("no environment landed on " + victim + " in " + MAX_CREATES_PER_ROUND + " creates");
  }

  private static JsonNode awaitRunningAwayFrom(Node via, String id, Node victim) throws InterruptedException {
    Instant deadline = Instant.now().plus(REPLACED_WITHIN);
    JsonNode env = null;
    while (Instant.now().isBefore(deadline)) {
      try {
        env = via.api.environment(id);
        if ("RUNNING".equals(env.get("status").asText()) && !victim.id.equals(env.get("node").asText())) {
          return env;
        }
      } catch (RuntimeException | AssertionError notAnsweringYet) {
        // 503 while the killed node's shards move to the survivors: ask again.
      }
      Thread.sleep(POLL.toMillis()); // the benchmark's sampling interval, not synchronisation
    }
    throw new AssertionError(id + " not RUNNING away from " + victim + " within " + REPLACED_WITHIN + ": "
        + (env == null ? "no answer" : summary(env)));
  }
}
