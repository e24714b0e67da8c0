package io.dcloud.it;

import static io.dcloud.it.Envs.awaitStatus;
import static io.dcloud.it.Envs.create;
import static io.dcloud.it.Envs.fullId;
import static io.dcloud.it.Envs.summary;
import static io.dcloud.it.Envs.tinySpec;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The whole cluster stopped (SIGTERM to every node, each leaves and exits) and started again with the
 * same names and ports: everything DCloud knew is in Cassandra, so every environment comes back with
 * its status, its node and its very container (adopted, not recreated: Docker's {@code StartedAt} is
 * unchanged), and the catalog and templates are intact.
 */
@Tag("cluster")
class ClusterRestartIT {
  private static final Logger LOG = LoggerFactory.getLogger(ClusterRestartIT.class);
  private static final Duration RUNNING_WITHIN = Duration.ofSeconds(60);
  private static final Duration BACK_WITHIN = Duration.ofSeconds(90);
  private static final int ENVIRONMENTS = 4;
  private static final String TEMPLATE = "it-restart-tiny";

  private static ClusterHarness cluster;

  @RegisterExtension
  static final NodeLogsOnFailure LOGS_ON_FAILURE = new NodeLogsOnFailure(() -> cluster);

  @BeforeAll
  static void useTheSharedCluster() throws Exception {
    cluster = ClusterHarness.shared();
  }


  /** What one environment looked like before the restart. */
  private record Before(String status, String node, String containerId, String startedAt) {}

  @Test
  void aStoppedAndRestartedClusterAdoptsEveryContainerAndKeepsCatalogAndTemplates() throws Exception {
    Node via = cluster.node(1);
    Api.Response template = via.api.post("/api/v1/templates", """
        {"name": "%s", "description": "survives a whole-cluster restart", "spec": %s}
        """.formatted(TEMPLATE, tinySpec("from-template", "0.25", "")));
    assertThat(template.status()).as(template.body()).isIn(200, 201);

    Map<String, Before> before = new LinkedHashMap<>();
    for (int i = 0; i < ENVIRONMENTS; i++) {
      // Created through every node's API in turn.
      Node through = cluster.node(1 + i % 3);
      String id = create(through, tinySpec("restart-" + i, "0.25", ""));
      before.put(id, null);
    }
    for (String id : before.keySet()) {
      JsonNode env = awaitStatus(via, id, "RUNNING", RUNNING_WITHIN);
      String container = fullId(env.get("containerId").asText());
      before.put(id, new Before("RUNNING", env.get("node").asText(), container,
          Docker.inspect(container).get("State").get("StartedAt").asText()));
    }
    Set<String> hosts = new HashSet<>();
    before.values().forEach(b -> hosts.add(b.node()));
    assertThat(hosts).as("spread over the nodes: %s", before).hasSizeGreaterThanOrEqualTo(2);
    JsonNode catalogBefore = via.api.get("/api/v1/catalog").json();
    JsonNode templatesBefore = via.api.get("/api/v1/templates").json();
    assertThat(catalogBefore.toString()).contains("\"" + ClusterSetup.TINY_OS + "\"");
    assertThat(templatesBefore.toString()).contains(TEMPLATE);
    LOG.info("Before the restart: {}", before);

    Instant stoppedAt = Instant.now();
    cluster.stopAll(cluster.nodes());
    Duration stopping = Duration.between(stoppedAt, Instant.now());
    for (Node node : cluster.nodes()) {
      assertThat(node.alive()).isFalse();
    }
    // Nobody is left to stop them: the containers still run while DCloud is down.
    before.forEach((id, b) -> assertThat(Docker.inspect(b.containerId()).get("State").get("Running").asBoolean())
        .as("container of %s while the cluster is down", id).isTrue());

    Instant restartedAt = Instant.now();
    cluster.restartAll();
    Duration restarting = Duration.between(restartedAt, Instant.now());

    Milestones milestones = new Milestones(restartedAt);
    for (Node asked : cluster.nodes()) {
      before.forEach((id, b) -> milestones.add(id + " via " + asked.name + ": same status, node and container", () -> {
        JsonNode env = asked.api.environment(id);
        assertThat(env.get("status").asText()).as(summary(env)).isEqualTo(b.status());
        assertThat(env.get("node").asText()).as(summary(env)).isEqualTo(b.node());
        assertThat(fullId(env.get("containerId").asText())).as(summary(env)).isEqualTo(b.containerId());
      }));
      milestones.add("GET /environments via " + asked.name + " lists all " + ENVIRONMENTS, () -> {
        Set<String> listed = new HashSet<>();
        asked.api.get("/api/v1/environments").json().get("environments").forEach(e -> listed.add(e.get("id").asText()));
        assertThat(listed).containsAll(before.keySet());
      });
      milestones.add("catalog and templates via " + asked.name + " as before", () -> {
        assertThat(asked.api.get("/api/v1/catalog").json()).isEqualTo(catalogBefore);
        assertThat(asked.api.get("/api/v1/templates").json()).isEqualTo(templatesBefore);
      });
    }
    Map<String, Duration> met = milestones.awaitAll(BACK_WITHIN);
    LOG.info("Stopping took {}, starting {}; after the restart: {}", stopping, restarting, met);

    before.forEach((id, b) -> {
      JsonNode state = Docker.inspect(b.containerId()).get("State");
      assertThat(state.get("Running").asBoolean()).as("container of %s runs", id).isTrue();
      assertThat(state.get("StartedAt").asText()).as("adopted, not restarted: container of %s", id).isEqualTo(b.startedAt());
      assertThat(Docker.containersLabelled("dcloud.env=" + id)).as("the one container of %s", id)
          .containsExactly(b.containerId());
    });

    // And DCloud works after the restart: the template still makes environments.
    Api.Response fromTemplate = cluster.node(2).api.post("/api/v1/templates/" + TEMPLATE + "/environments", "{}");
    assertThat(fromTemplate.status()).as(fromTemplate.body()).isEqualTo(202);
    awaitStatus(cluster.node(3), fromTemplate.json().get("id").asText(), "RUNNING", RUNNING_WITHIN);
  }
}
