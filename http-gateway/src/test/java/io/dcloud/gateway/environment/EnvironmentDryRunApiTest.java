package io.dcloud.gateway.environment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.Seeds;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.Scheduler;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /environments?dryRun=true} against the real actors: it answers what a create would
 * make and where it would go, refuses what a create refuses, and creates, reserves and holds nothing.
 * Worker nodes are played by gossiped statuses; each test's requests carry a label of their own.
 */
class EnvironmentDryRunApiTest {
  private static final String DRY_RUN = "/api/v1/environments?dryRun=true";
  private static final Duration GOSSIP_WAIT = Duration.ofSeconds(10);
  private static final long GIB = 1L << 30;

  private static GatewayTestCluster cluster;
  private static Api admin;

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("EnvironmentDryRunApiTest");
    admin = Api.admin(cluster.base);
    Seeds.uploadSeedDataset(admin);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static Api user(String name, String quota) {
    Api.Answer made = admin.post("/api/v1/users", Api.JSON,
        "{\"username\": \"" + name + "\", \"password\": \"secret-" + name + "\", \"roles\": [\"data-scientist\"]}");
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    if (quota != null) {
      Api.Answer set = admin.put("/api/v1/users/" + name + "/quota", Api.JSON, quota);
      assertThat(set.status()).as(set.body()).isEqualTo(200);
    }
    return new Api(cluster.base).signedIn(name, "secret-" + name);
  }

  /** The debian example (half a core, 512M) placed only on nodes labelled {@code pool=<pool>}. */
  private static String onPool(String name, String pool) {
    ObjectNode config = (ObjectNode) Api.parse(Seeds.debianEnvironment(name));
    config.putObject("constraints").put("pool", pool);
    return Api.write(config);
  }

  /** Dry runs until the placement's outcome is {@code outcome} (gossip reaches the scheduler a moment later). */
  private static JsonNode placementOnceIt(Api api, String body, String outcome) throws InterruptedException {
    long deadline = System.nanoTime() + GOSSIP_WAIT.toNanos();
    while (true) {
      Api.Answer answer = api.post(DRY_RUN, Api.JSON, body);
      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
      JsonNode placement = answer.json().path("placement");
      if (placement.path("outcome").asText().equals(outcome)) {
        return placement;
      }
      assertThat(System.nanoTime()).as("placement %s in time, last %s", outcome, placement).isLessThan(deadline);
      Thread.sleep(100);
    }
  }

  @Test
  void aValidRequestAnswersItsSpecYamlDockerfileAndPlacementAndCreatesNothing() throws InterruptedException {
    Api dora = user("dora", null);
    String pool = "fits-" + UUID.randomUUID();
    String nodeId = "dry-" + pool;
    cluster.gossip(nodeId, new Resources(4000, 8 * GIB, 0, 100 * GIB, null), Map.of("pool", pool));

    JsonNode placement = placementOnceIt(dora, onPool("preview", pool), "fits");

    assertThat(placement.path("node").asText()).isEqualTo(nodeId);
    assertThat(placement.path("gpus")).isEmpty();
    assertThat(placement.path("reason").asText()).contains("(spread)", nodeId, "3.5 cores");
    Api.Answer answer = dora.post(DRY_RUN, Api.JSON, onPool("preview", pool));
    JsonNode body = answer.json();
    assertThat(answer.contentType()).isEqualTo("application/json");
    assertThat(body.path("dryRun").asBoolean()).isTrue();
    assertThat(body.path("spec").path("env-name").asText()).isEqualTo("preview");
    assertThat(body.path("spec").path("resources").path("cpu").asText()).isEqualTo("0.5");
    assertThat(body.path("yaml").asText()).contains("env-name: \"preview\"", "pool: \"" + pool + "\"");
    assertThat(body.path("dockerfile").asText()).contains("\nFROM debian", "numpy");
    TestProbe<Scheduler.Nodes> nodes = cluster.testKit.createTestProbe();
    cluster.backends.scheduler().tell(new Scheduler.GetNodes(nodes.getRef()));
    assertThat(nodes.receiveMessage(GOSSIP_WAIT).nodes()).filteredOn(node -> node.status().nodeId().equals(nodeId))
        .singleElement().satisfies(node -> {
          assertThat(node.reserved()).isEqualTo(Resources.NONE);
          assertThat(node.environmentCount()).isZero();
        });

    // A real create of the same config makes the Dockerfile the dry run showed, and is the only one listed.
    Api.Answer created = dora.post("/api/v1/environments", Api.JSON, onPool("real", pool));
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String id = created.json().path("id").asText();
    assertThat(dora.get("/api/v1/environments/" + id + "/dockerfile").body()).isEqualTo(body.path("dockerfile").asText());
    long deadline = System.nanoTime() + GOSSIP_WAIT.toNanos();
    while (dora.get("/api/v1/environments").json().path("environments").size() == 0) {
      assertThat(System.nanoTime()).as("the real create listed in time").isLessThan(deadline);
      Thread.sleep(100);
    }
    assertThat(dora.get("/api/v1/environments").json().path("environments"))
        .extracting(environment -> environment.path("name").asText()).containsExactly("real");
  }

  @Test
  void placementSaysQueuedOnACordonedNodeAndNeverWithoutAMatchingNode() throws InterruptedException {
    String pool = "cordoned-" + UUID.randomUUID();
    String nodeId = "dry-" + pool;
    cluster.gossip(nodeId, new Resources(4000, 8 * GIB, 0, 100 * GIB, null), Map.of("pool", pool));
    placementOnceIt(admin, onPool("queued", pool), "fits");
    assertThat(admin.postEmpty("/api/v1/nodes/" + nodeId + "/cordon").status()).isEqualTo(200);

    JsonNode queued = placementOnceIt(admin, onPool("queued", pool), "queued");
    assertThat(queued.path("node").isNull()).isTrue();
    assertThat(queued.path("reason").asText()).contains("no node has room now", "cordoned", nodeId);

    JsonNode never = placementOnceIt(admin, onPool("never", "nowhere-" + pool), "never");
    assertThat(never.path("reason").asText()).contains("no node has the labels pool=nowhere-" + pool);
  }

  @Test
  void invalidInputIsTheSame422AsACreateNamingTheField() {
    String invalid = Seeds.environmentWith(config -> config.putObject("resources").put("cpu", "lots"));

    Api.Answer dryRun = admin.post(DRY_RUN, Api.JSON, invalid);
    Api.Answer create = admin.post("/api/v1/environments", Api.JSON, invalid);

    assertThat(dryRun.problem(422).path("errors")).isEqualTo(create.problem(422).path("errors"));
    assertThat(dryRun.reasonFor("resources.cpu")).isNotBlank();
    Api.Answer yaml = admin.post(DRY_RUN, Api.YAML, "env-name: [unclosed");
    assertThat(yaml.status()).as(yaml.body()).isBetween(400, 499);
  }

  @Test
  void theSeedsYamlIsAcceptedAsByACreate() {
    Api.Answer answer = admin.post(DRY_RUN, Api.YAML, Seeds.environmentYaml());

    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    assertThat(answer.json().path("spec").path("dataset")).isNotEmpty();
    assertThat(answer.json().path("dockerfile").asText()).contains("\nFROM ");
  }

  @Test
  void aDryRunPastTheQuotaIsRefusedAsACreateIsAndOneWithinItHoldsNothing() {
    Api emil = user("emil", "{\"cpu\": \"0.5\", \"environments\": 5}");
    for (int i = 0; i < 3; i++) {
      Api.Answer withinQuota = emil.post(DRY_RUN, Api.JSON, Seeds.debianEnvironment("edge"));
      assertThat(withinQuota.status()).as("dry run %d holds no quota: %s", i, withinQuota.body()).isEqualTo(200);
    }
    assertThat(emil.post("/api/v1/environments", Api.JSON, Seeds.debianEnvironment("edge")).status()).isEqualTo(202);

    Api.Answer dryRun = emil.post(DRY_RUN, Api.JSON, Seeds.debianEnvironment("over"));
    Api.Answer create = emil.post("/api/v1/environments", Api.JSON, Seeds.debianEnvironment("over"));

    assertThat(dryRun.problem(403).path("type").asText()).isEqualTo("urn:dcloud:problem:quota-exceeded");
    assertThat(dryRun.reasonFor("quota.cpu")).isEqualTo(create.reasonFor("quota.cpu")).isEqualTo("uses 0.5 of 0.5, this asks for 0.5");
  }

  @Test
  void dryRunIsTrueOrFalseAndFalseCreates() {
    Api.Answer maybe = admin.post("/api/v1/environments?dryRun=maybe", Api.JSON, Seeds.debianEnvironment("maybe"));
    assertThat(maybe.problem(400).path("errors").path(0).path("field").asText()).isEqualTo("dryRun");

    Api.Answer real = admin.post("/api/v1/environments?dryRun=false", Api.JSON, Seeds.debianEnvironment("real"));
    assertThat(real.status()).as(real.body()).isEqualTo(202);
  }

  @Test
  void aSchedulerThatDoesNotAnswerGivesAnUnknownPlacementNotAFailure() throws Exception {
    TestProbe<Scheduler.Command> silentScheduler = cluster.testKit.createTestProbe();
    ServerBinding binding = cluster.start(cluster.backends.withScheduler(silentScheduler.getRef()));
    try {
      Api.Answer answer = admin.at(GatewayTestCluster.uri(binding)).post(DRY_RUN, Api.JSON, Seeds.debianEnvironment("silent"));

      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
      assertThat(answer.json().path("placement").path("outcome").asText()).isEqualTo("unknown");
      assertThat(answer.json().path("placement").path("reason").asText()).contains("did not answer within");
      assertThat(answer.json().path("dockerfile").asText()).contains("\nFROM ");
    } finally {
      binding.terminate(Duration.ofSeconds(2)).toCompletableFuture().get();
    }
  }
}
