package io.dcloud.it;

import static io.dcloud.it.Envs.awaitStatus;
import static io.dcloud.it.Envs.create;
import static io.dcloud.it.Envs.fullId;
import static io.dcloud.it.Envs.historyStatuses;
import static io.dcloud.it.Envs.summary;
import static io.dcloud.it.Envs.tinySpec;
import static io.dcloud.it.NodeStates.assertNodeGone;
import static io.dcloud.it.NodeStates.assertNodeUpAndAvailable;
import static io.dcloud.it.WorkerLoad.busiest;
import static io.dcloud.it.WorkerLoad.hosted;
import static io.dcloud.it.WorkerLoad.runningEnvironments;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A DCloud cluster of three real {@code dcloud node} processes on 127.0.0.1 (every role on each,
 * zones z1..z3, one embedded Cassandra, this machine's Docker Engine), driven through their HTTP
 * APIs and broken with SIGKILL.
 *
 * <p>The tests share one cluster and run in any order: before each, the harness restores it (starts
 * again whatever node the previous test killed, deletes every environment left), and a test that
 * needs a dead node kills one of its own. A node that comes back joins as the youngest member, so
 * the tests ask the harness which node is the oldest (where the singletons live) instead of
 * assuming n1.
 *
 * <p>All nodes share one Docker Engine, so every node sees every container: assertions about
 * containers go by the {@code dcloud.node} and {@code dcloud.env} labels. A SIGKILLed node's
 * containers keep running (nobody is left to stop them) until the node comes back.
 */
@Tag("cluster")
class ClusterIT {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterIT.class);
  private static final Duration RUNNING_WITHIN = Duration.ofSeconds(60);
  private static final Duration REPLACED_WITHIN = Duration.ofSeconds(90);
  private static final Duration RETURNING_NODE_CLEANS_WITHIN = Duration.ofSeconds(60);
  /** The statuses in which an environment holds a place the scheduler reserved on its node. */
  private static final Set<String> PLACED_STATUSES =
      Set.of("PLACED", "PREPARING", "BUILDING", "STARTING", "RUNNING", "STOPPING");

  private static ClusterHarness cluster;

  @RegisterExtension
  static final NodeLogsOnFailure LOGS_ON_FAILURE = new NodeLogsOnFailure(() -> cluster);

  @BeforeAll
  static void useTheSharedCluster() throws Exception {
    cluster = ClusterHarness.shared();
  }

  @BeforeEach
  void restoreCluster() throws IOException {
    cluster.restore();
  }

  // ------------------------------------------------------------------ tests

  @Test
  void everyNodeAnswersForTheWholeCluster() {
    Map<String, String> zoneById = new HashMap<>();
    cluster.nodes().forEach(n -> zoneById.put(n.id, n.zone));

    for (Node asked : cluster.nodes()) {
      JsonNode nodes = asked.api.nodes();
      List<String> ids = new ArrayList<>();
      for (JsonNode node : nodes) {
        String id = node.get("id").asText();
        ids.add(id);
        JsonNode capacity = node.get("capacity");
        assertThat(capacity.get("cpus").asDouble()).as("cpus of %s via %s", id, asked.name).isPositive();
        assertThat(capacity.get("memoryBytes").asLong()).as("memory of %s via %s", id, asked.name).isPositive();
        assertThat(node.get("labels").path("zone").asText()).as("zone of %s via %s", id, asked.name)
            .isEqualTo(zoneById.get(id));
      }
      assertThat(ids).as("/nodes via %s", asked.name).containsExactlyInAnyOrderElementsOf(zoneById.keySet());
    }

    String id = create(cluster.node(1), tinySpec("seen-everywhere", "0.5", ""));
    for (Node other : List.of(cluster.node(2), cluster.node(3))) {
      JsonNode seen = other.api.environment(id);
      assertThat(seen.get("id").asText()).isEqualTo(id);
      assertThat(seen.get("name").asText()).isEqualTo("seen-everywhere");
    }
    JsonNode running = awaitStatus(cluster.node(2), id, "RUNNING", RUNNING_WITHIN);
    assertThat(running.get("node").asText()).isIn(zoneById.keySet());
    assertThat(cluster.node(3).api.environment(id).get("containerId").asText())
        .isEqualTo(running.get("containerId").asText());
    deleteAndAwait(cluster.node(1), id);
  }

  @Test
  void placementSpreadsAndHonoursLabelConstraints() {
    Node via = cluster.node(1);
    List<String> spread = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      spread.add(create(via, tinySpec("spread-" + i, "0.5", "")));
    }
    Set<String> hosts = new HashSet<>();
    for (String id : spread) {
      hosts.add(awaitStatus(via, id, "RUNNING", RUNNING_WITHIN).get("node").asText());
    }
    assertThat(hosts).as("spread over the nodes").hasSizeGreaterThanOrEqualTo(2);

    String pinned = create(via, tinySpec("pinned-z3", "0.5", ", \"constraints\": {\"zone\": \"z3\"}"));
    JsonNode pinnedRunning = awaitStatus(via, pinned, "RUNNING", RUNNING_WITHIN);
    assertThat(pinnedRunning.get("node").asText()).isEqualTo(cluster.node(3).id);
    assertThat(Docker.nodeOf(pinnedRunning.get("containerId").asText())).isEqualTo(cluster.node(3).id);

    Api.Response refused = via.api.post("/api/v1/environments",
        tinySpec("pinned-nowhere", "0.5", ", \"constraints\": {\"zone\": \"nowhere\"}"));
    assertThat(refused.status()).as(refused.body()).isEqualTo(422);
    assertThat(refused.contentType()).isEqualTo("application/problem+json");
    assertThat(refused.json().get("status").asInt()).isEqualTo(422);
    assertThat(refused.json().get("detail").asText()).contains("zone");

    spread.forEach(id -> deleteAndAwait(via, id));
    deleteAndAwait(via, pinned);
  }

  @Test
  void aKilledWorkerIsDetectedAndItsEnvironmentsAreReplacedOnTheSurvivors() throws Exception {
    // The oldest holds the singletons and serves the API here; the victim is another node
    // (killingTheSchedulerNodeLosesNothing kills the oldest).
    Node via = cluster.oldest();
    List<Node> workers = othersThan(via);
    Map<String, JsonNode> running = runningEnvironments(via, workers, "survivor-", RUNNING_WITHIN);
    Node victim = busiest(running, workers);
    assertThat(hosted(running, victim)).as("environments on %s among %s", victim.name, running.keySet()).isPositive();
    String never = create(via, tinySpec("never-restarted", "0.5",
        ", \"restart-policy\": \"never\", \"constraints\": {\"zone\": \"" + victim.zone + "\"}"));
    String neverContainer = fullId(awaitStatus(via, never, "RUNNING", RUNNING_WITHIN).get("containerId").asText());

    Map<String, String> onVictim = new LinkedHashMap<>();
    Map<String, String> elsewhere = new LinkedHashMap<>();
    running.forEach((id, env) -> (victim.id.equals(env.get("node").asText()) ? onVictim : elsewhere)
        .put(id, fullId(env.get("containerId").asText())));
    LOG.info("Killing {}: it runs {} (+ never-restarted {}); elsewhere {}", victim, onVictim.keySet(), never, elsewhere.keySet());

    Instant killedAt = Instant.now();
    cluster.kill(victim);
    List<Node> survivors = cluster.aliveNodes();

    Milestones milestones = new Milestones(killedAt);
    for (Node survivor : survivors) {
      milestones.add(survivor.name + " sees " + victim.name + " UNREACHABLE, DOWN or gone",
          () -> assertNodeGone(survivor, victim));
    }
    onVictim.forEach((id, oldContainer) -> {
      milestones.add(id + " went through LOST", () ->
          assertThat(historyStatuses(via.api.environment(id))).contains("LOST"));
      milestones.add(id + " RUNNING again on a survivor with a new container of its own", () -> {
        JsonNode env = via.api.environment(id);
        assertThat(env.get("status").asText()).as(summary(env)).isEqualTo("RUNNING");
        assertThat(env.get("node").asText()).as(summary(env)).isNotEqualTo(victim.id);
        assertThat(env.get("containerId").asText()).as("new container (the dead node's is %s): %s", oldContainer, summary(env))
            .isNotEqualTo(oldContainer);
        assertThat(Docker.nodeOf(env.get("containerId").asText())).as("dcloud.node label of %s", summary(env))
            .isEqualTo(env.get("node").asText());
      });
    });
    milestones.add(never + " (restart-policy never) is LOST", () ->
        assertThat(via.api.environment(never).get("status").asText()).isEqualTo("LOST"));
    Map<String, Duration> met = milestones.awaitAll(REPLACED_WITHIN);
    LOG.info("After SIGKILL of {}: {}", victim.name, met);

    // Once the others are back, the never-restarted one still is LOST, and the rest never moved.
    JsonNode neverAfter = via.api.environment(never);
    assertThat(neverAfter.get("status").asText()).as(summary(neverAfter)).isEqualTo("LOST");
    assertThat(Docker.containersLabelled("dcloud.env=" + never)).as("never re-placed: no new container")
        .containsOnly(neverContainer);
    elsewhere.forEach((id, container) -> {
      JsonNode env = via.api.environment(id);
      assertThat(env.get("status").asText()).as(summary(env)).isEqualTo("RUNNING");
      assertThat(fullId(env.get("containerId").asText())).as("undisturbed: %s", summary(env)).isEqualTo(container);
    });
  }

  @Test
  void aWorkerThatComesBackRemovesContainersOfEnvironmentsPlacedElsewhere() throws Exception {
    // A worker of its own to kill: not the oldest, whose loss would move the singletons too.
    Node via = cluster.oldest();
    List<Node> workers = othersThan(via);
    Map<String, JsonNode> running = runningEnvironments(via, workers, "returning-", RUNNING_WITHIN);
    Node node = busiest(running, workers);
    Map<String, String> movedEnvs = new LinkedHashMap<>();
    running.forEach((id, env) -> {
      if (node.id.equals(env.get("node").asText())) {
        movedEnvs.put(id, fullId(env.get("containerId").asText()));
      }
    });
    assertThat(movedEnvs).as("environments on %s among %s", node.name, running.keySet()).isNotEmpty();
    LOG.info("Killing {} to bring it back: it runs {}", node, movedEnvs.keySet());
    cluster.kill(node);
    // The re-placement is what aKilledWorkerIsDetectedAndItsEnvironmentsAreReplacedOnTheSurvivors
    // checks; here it is only awaited, as the precondition of the return.
    await("environments of the killed " + node.name + " RUNNING elsewhere").atMost(REPLACED_WITHIN)
        .pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> movedEnvs.keySet().forEach(id -> {
          JsonNode env = via.api.environment(id);
          assertThat(env.get("status").asText()).as(summary(env)).isEqualTo("RUNNING");
          assertThat(env.get("node").asText()).as(summary(env)).isNotEqualTo(node.id);
        }));
    List<String> leftovers = Docker.containersLabelled("dcloud.node=" + node.id);
    assertThat(leftovers).as("precondition: the SIGKILLed node's old containers still exist")
        .containsAll(movedEnvs.values());

    Instant restartedAt = Instant.now();
    cluster.restart(node);
    Milestones milestones = new Milestones(restartedAt)
        .add(node.name + " is UP in /nodes of every node", () -> {
          for (Node asked : cluster.aliveNodes()) {
            assertNodeUpAndAvailable(asked, node);
          }
        });
    movedEnvs.forEach((id, oldContainer) -> milestones.add(
        "the old container of " + id + " is gone from " + node.name,
        () -> assertThat(Docker.containersLabelled("dcloud.node=" + node.id)).doesNotContain(oldContainer)));
    Map<String, Duration> met = milestones.awaitAll(RETURNING_NODE_CLEANS_WITHIN);
    LOG.info("After restart of {}: {}", node.name, met);

    for (String id : movedEnvs.keySet()) {
      JsonNode env = via.api.environment(id);
      assertThat(env.get("status").asText()).as("still running where it was re-placed: %s", summary(env)).isEqualTo("RUNNING");
      assertThat(env.get("node").asText()).as(summary(env)).isNotEqualTo(node.id);
      assertThat(Docker.containersLabelled("dcloud.env=" + id))
          .as("the one container of %s, the one the API shows: %s", id, summary(env))
          .containsExactly(fullId(env.get("containerId").asText()));
    }
  }

  @Test
  void killingTheSchedulerNodeLosesNothing() throws Exception {
    Node oldest = cluster.oldest();
    List<Node> survivors = othersThan(oldest);
    Node via = survivors.get(0);
    Set<String> survivorIds = Set.copyOf(survivors.stream().map(n -> n.id).toList());
    String survivorNames = String.join(" or ", survivors.stream().map(n -> n.name).toList());

    List<String> accepted = Collections.synchronizedList(new ArrayList<>());
    List<String> notAccepted = Collections.synchronizedList(new ArrayList<>());
    CompletableFuture<Void> creating = CompletableFuture.runAsync(() -> {
      for (int i = 0; i < 10; i++) {
        String name = "in-flight-" + i;
        try {
          Api.Response response = via.api.post("/api/v1/environments", tinySpec(name, "0.2", ""));
          if (response.status() == 202) {
            accepted.add(response.json().get("id").asText());
          } else {
            notAccepted.add(name + ": " + response.status() + " " + response.body());
          }
        } catch (RuntimeException e) {
          notAccepted.add(name + ": " + e);
        }
      }
    });
    await("3 environments accepted before the kill").atMost(RUNNING_WITHIN).until(() -> accepted.size() >= 3 || creating.isDone());
    Instant killedAt = Instant.now();
    cluster.kill(oldest);
    creating.get(3, TimeUnit.MINUTES);
    LOG.info("Accepted {} ({}), not accepted: {}", accepted.size(), accepted, notAccepted);
    assertThat(accepted).as("202s (not accepted: %s)", notAccepted).hasSizeGreaterThanOrEqualTo(3).doesNotHaveDuplicates();

    Milestones milestones = new Milestones(killedAt);
    for (String id : accepted) {
      milestones.add(id + " RUNNING on " + survivorNames, () -> {
        JsonNode env = via.api.environment(id);
        assertThat(env.get("status").asText()).as(summary(env)).isEqualTo("RUNNING");
        assertThat(env.get("node").asText()).as(summary(env)).isIn(survivorIds);
      });
      // The dead oldest node cannot remove what ran there before the kill: its containers are not counted.
      milestones.add(id + " has exactly one container on the survivors, the one the API shows", () -> {
        JsonNode env = via.api.environment(id);
        List<String> containers = new ArrayList<>(Docker.containersLabelled("dcloud.env=" + id));
        containers.removeAll(Docker.containersLabelled("dcloud.node=" + oldest.id));
        assertThat(containers).as("containers labelled dcloud.env=%s, not on the dead %s; API: %s", id, oldest.name, summary(env))
            .containsExactly(fullId(env.get("containerId").asText()));
      });
    }
    // A place reserved twice (or left on the dead node) makes the scheduler's count differ from what is there.
    milestones.add("the scheduler holds one place per environment on the survivors, none on the dead node", () -> {
      Map<String, List<String>> placements = new HashMap<>();
      for (JsonNode node : via.api.nodes()) {
        String nodeId = node.get("id").asText();
        if (nodeId.equals(oldest.id)) {
          assertThat(node.path("environmentCount").asInt()).as("places left on the dead %s", oldest.name).isZero();
          continue;
        }
        List<String> placed = new ArrayList<>();
        via.api.get("/api/v1/environments?node=" + nodeId).json().path("environments").forEach(env -> {
          if (PLACED_STATUSES.contains(env.path("status").asText())) {
            placed.add(env.path("id").asText());
            placements.computeIfAbsent(env.path("id").asText(), k -> new ArrayList<>()).add(nodeId);
          }
        });
        assertThat(node.path("environmentCount").asInt()).as("places reserved on %s, holding %s", nodeId, placed)
            .isEqualTo(placed.size());
      }
      for (String id : accepted) {
        assertThat(placements.get(id)).as("nodes holding %s", id).hasSize(1);
      }
    });
    Map<String, Duration> met = milestones.awaitAll(REPLACED_WITHIN);
    LOG.info("After SIGKILL of the oldest node: {}", met);
  }

  /**
   * A container whose restart is due while the member holding its environment's entity crashes is
   * restarted all the same. The entity's reminder of the restart lived in that member's memory, and
   * a node's report to it while the member was unreachable was lost: after the member's removal
   * the waking singleton starts every waiting entity where its shard now lives, and each node tells
   * again of its containers that are down. Every container here exits once, 3 s after its first
   * start (code 3, restart-policy on-failure), on the oldest node, which survives; the entities live
   * wherever their shards do, some on the killed one.
   */
  @Test
  void restartsDueWhenTheMemberHoldingTheirEntitiesCrashesStillHappen() throws Exception {
    Node via = cluster.oldest();
    Node victim = othersThan(via).get(0);
    List<String> created = new ArrayList<>();
    List<String> entitiesOnVictim = new ArrayList<>();
    for (int batch = 0; batch < 6 && entitiesOnVictim.isEmpty(); batch++) {
      List<String> ids = new ArrayList<>();
      for (int i = 0; i < 4; i++) {
        ids.add(create(via, exitsOnceSpec("exits-once-" + batch + "-" + i, via.zone)));
      }
      created.addAll(ids);
      // Each entity says its first step where it lives.
      await("the entities of " + ids + " logged where they live").atMost(RUNNING_WITHIN).until(() ->
          ids.stream().allMatch(id -> cluster.aliveNodes().stream().anyMatch(n -> n.hasLogged("Environment " + id + " is REQUESTED"))));
      ids.stream().filter(id -> victim.hasLogged("Environment " + id + " is REQUESTED")).forEach(entitiesOnVictim::add);
    }
    assertThat(entitiesOnVictim).as("entities on %s among %s", victim.name, created).isNotEmpty();
    // Until every container whose entity is on the victim has exited once, while the victim holds
    // their restarts' reminders (due 10 s after each exit: the shipped back-off).
    Set<String> pending = new HashSet<>();
    await("the containers of " + entitiesOnVictim + " exited once").atMost(RUNNING_WITHIN).pollInterval(Duration.ofMillis(200))
        .ignoreExceptions().untilAsserted(() -> {
          pending.clear();
          for (String id : entitiesOnVictim) {
            JsonNode env = via.api.environment(id);
            assertThat(env.path("restartAt").isTextual() || env.path("restarts").asInt() > 0).as(summary(env)).isTrue();
            if (env.path("restartAt").isTextual()) {
              pending.add(id);
            }
          }
          assertThat(pending).isNotEmpty();
        });
    LOG.info("Killing {}: the entities of {} live there, restarts pending for {}", victim, entitiesOnVictim, pending);
    Instant killedAt = Instant.now();
    cluster.kill(victim);

    // Read from the read side only: a GET of one environment asks its entity, and so would wake it.
    Milestones milestones = new Milestones(killedAt);
    for (String id : created) {
      milestones.add(id + " restarted once and RUNNING", () -> {
        JsonNode env = listed(via, id);
        assertThat(env.path("status").asText()).as("%s", env).isEqualTo("RUNNING");
        assertThat(env.path("restarts").asInt()).as("%s", env).isEqualTo(1);
      });
    }
    Map<String, Duration> met = milestones.awaitAll(REPLACED_WITHIN);
    LOG.info("After SIGKILL of {}, which held the entities of {}: {}", victim.name, entitiesOnVictim, met);
    for (String id : created) {
      JsonNode env = via.api.environment(id);
      assertThat(Docker.containersLabelled("dcloud.env=" + id)).as("restarted in place: %s", summary(env))
          .containsExactly(fullId(env.get("containerId").asText()));
    }
  }

  // ------------------------------------------------------------------ helpers

  /** A busybox environment on {@code zone} whose container exits with code 3 once, 3 s after its first start. */
  private static String exitsOnceSpec(String name, String zone) {
    return """
        {"env-name": "%s", "os": "%s", "languages": [{"language-name": "shell", "libraries": []}],
         "resources": {"ram": "64M", "cpu": "0.05", "gpu": "0"}, "restart-policy": "on-failure",
         "constraints": {"zone": "%s"},
         "command": ["sh", "-c", "if [ -e /tmp/ran ]; then exec sleep infinity; fi; touch /tmp/ran; sleep 3; exit 3"]}
        """.formatted(name, ClusterSetup.TINY_OS, zone);
  }

  /** The environment as {@code via}'s read side lists it (no message to its entity). */
  private static JsonNode listed(Node via, String id) {
    Api.Response response = via.api.get("/api/v1/environments?limit=500");
    assertThat(response.status()).as(response.body()).isEqualTo(200);
    for (JsonNode env : response.json().path("environments")) {
      if (id.equals(env.path("id").asText())) {
        return env;
      }
    }
    throw new AssertionError(id + " not listed by " + via.name);
  }

  private static void deleteAndAwait(Node via, String id) {
    assertThat(via.api.delete("/api/v1/environments/" + id).status()).isEqualTo(202);
    awaitStatus(via, id, "DELETED", RUNNING_WITHIN);
  }

  /** The running nodes but {@code node}. */
  private static List<Node> othersThan(Node node) {
    return cluster.aliveNodes().stream().filter(n -> n != node).toList();
  }
}
