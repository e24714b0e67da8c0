package io.dcloud.it;

import static io.dcloud.it.Envs.create;
import static io.dcloud.it.Envs.summary;
import static io.dcloud.it.Envs.tinySpec;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.it.ClusterHarness.Node;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

/**
 * A benchmark, not a CI test (Failsafe runs only *IT): {@code ./dcloud bench failover} runs it.
 * Three real {@code dcloud node} processes; each round SIGKILLs the worker that runs an environment
 * and times crash to RUNNING again on a survivor, then brings the worker back for the next round.
 */
class FailoverBenchmark {
  private static final int ROUNDS = Integer.getInteger("dcloud.bench.failover.rounds", 5);
  private static final Duration RUNNING_WITHIN = Duration.ofSeconds(120);
  private static final Duration REPLACED_WITHIN = Duration.ofSeconds(120);
  /** How often the benchmark looks: its figures are good to this much. */
  private static final Duration POLL = Duration.ofMillis(200);
  private static final int MAX_CREATES_PER_ROUND = 8;

  @Test
  void crashToReplacementRunning() throws Exception {
    List<Double> seconds = new ArrayList<>();
    try (ClusterHarness cluster = ClusterHarness.start(3)) {
      Node via = cluster.node(1); // holds the singletons and the API; the victims are the others
      for (int round = 1; round <= ROUNDS; round++) {
        Node victim = cluster.node(round % 2 == 0 ? 3 : 2);
        String id = environmentOn(via, victim, round);
        Instant killedAt = Instant.now();
        cluster.kill(victim);
        JsonNode replaced = awaitRunningAwayFrom(via, id, victim);
        double took = Duration.between(killedAt, Instant.now()).toMillis() / 1000.0;
        seconds.add(took);
        System.out.printf(Locale.ROOT, "FAILOVER round %d: SIGKILL %s -> %s RUNNING on %s after %.1f s%n",
            round, victim.name, id, replaced.get("node").asText(), took);
        cluster.restart(victim);
        cluster.awaitSeesAll(via);
        // The shards move back as the victim rejoins: a delete may meet one moving (503) and is sent again.
        await().atMost(RUNNING_WITHIN).pollInterval(POLL)
            .until(() -> via.api.delete("/api/v1/environments/" + id).status() < 300);
      }
    }
    List<Double> sorted = seconds.stream().sorted().toList();
    System.out.printf(Locale.ROOT, "RESULT failover rounds=%d p50_s=%.1f max_s=%.1f all_s=%s%n",
        sorted.size(), sorted.get((sorted.size() - 1) / 2), sorted.get(sorted.size() - 1), seconds);
  }

  /** Creates environments until one runs on {@code victim} (spread places one in three there); deletes the others. */
  private static String environmentOn(Node via, Node victim, int round) {
    List<String> elsewhere = new ArrayList<>();
    for (int i = 0; i < MAX_CREATES_PER_ROUND; i++) {
      String id = create(via, tinySpec("failover-" + round + "-" + i, "0.5", ""));
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
