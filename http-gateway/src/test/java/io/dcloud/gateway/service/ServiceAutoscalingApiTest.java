package io.dcloud.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A service's autoscaling through the API, against the real service entities: set, shown, read back
 * in its definition, refused where it is wrong or the quota has no room, and turned off. (No worker
 * runs here: how load scales a service is ServiceIT's, on real containers.)
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceAutoscalingApiTest {
  private static final String ENVIRONMENT = """
      {"version": "1", "os": "ubuntu", "resources": {"ram": "256M", "cpu": "0.5"},
       "port-publish": [{"internal": {"ports": "8080", "protocol": "tcp"}}]}""";

  private GatewayTestCluster cluster;
  private Api admin;
  private Api alice;
  private Api bob;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("ServiceAutoscalingApiTest", Map.of());
    admin = Api.admin(cluster.base);
    for (String name : List.of("alice", "bob")) {
      admin.createUser(name, "app-developer");
    }
    alice = admin.signedIn("alice");
    bob = admin.signedIn("bob");
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private static String service(String name, String more) {
    return "{\"name\": \"" + name + "\", \"kind\": \"app\", \"environment\": " + ENVIRONMENT + ", \"port\": 8080, "
        + "\"readiness\": {\"path\": \"/ready\"}" + more + "}";
  }

  @Test
  void setShownReadBackRefusingAScaleByHandAndTurnedOffKeepingTheCount() {
    assertThat(alice.post("/api/v1/services", Api.JSON, service("auto", ", \"replicas\": 1")).status()).isEqualTo(201);

    Api.Answer set = alice.put("/api/v1/services/auto/autoscaling", Api.JSON,
        "{\"min-replicas\": 2, \"max-replicas\": 4, \"target-ongoing-requests\": 1.5, \"upscale-delay\": \"0s\"}");
    assertThat(set.status()).as(set.body()).isEqualTo(200);
    JsonNode autoscaling = set.json().path("autoscaling");
    assertThat(autoscaling.path("minReplicas").asInt()).isEqualTo(2);
    assertThat(autoscaling.path("maxReplicas").asInt()).isEqualTo(4);
    assertThat(autoscaling.path("targetOngoingRequests").asDouble()).isEqualTo(1.5);
    assertThat(autoscaling.path("upscaleDelay").asText()).isEqualTo("0s");
    assertThat(autoscaling.path("downscaleDelay").asText()).as("the default").isEqualTo("10m");
    assertThat(set.json().path("desiredReplicas").asInt()).as("raised to its least").isEqualTo(2);
    assertThat(set.json().path("version").asInt()).as("no new version").isEqualTo(1);

    JsonNode definition = alice.get("/api/v1/services/auto/definition").json();
    assertThat(definition.path("autoscaling").toString()).isEqualTo("{\"min-replicas\":2,\"max-replicas\":4,"
        + "\"target-ongoing-requests\":1.5,\"upscale-delay\":\"0s\",\"downscale-delay\":\"10m\"}");
    // Applied again as read back: nothing changes.
    Api.Answer applied = alice.put("/api/v1/services/auto", Api.JSON, definition.toString());
    assertThat(applied.status()).as(applied.body()).isEqualTo(200);
    assertThat(applied.json().path("version").asInt()).isEqualTo(1);

    Api.Answer byHand = alice.patch("/api/v1/services/auto", Api.JSON, "{\"replicas\": 3}");
    assertThat(byHand.status()).as(byHand.body()).isEqualTo(409);
    assertThat(byHand.json().path("detail").asText()).contains("scales itself between 2 and 4 replicas");

    assertThat(bob.put("/api/v1/services/auto/autoscaling", Api.JSON, "{\"min-replicas\": 1, \"max-replicas\": 2}")
        .status()).as("another's service").isEqualTo(404);
    // The audit trail is written after the answer.
    Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        admin.get("/api/v1/audit?user=alice").json().path("entries").findValuesAsText("action")).contains("service.autoscaling"));

    Api.Answer off = alice.delete("/api/v1/services/auto/autoscaling");
    assertThat(off.status()).as(off.body()).isEqualTo(200);
    assertThat(off.json().has("autoscaling")).isFalse();
    assertThat(off.json().has("load")).isFalse();
    assertThat(off.json().path("desiredReplicas").asInt()).as("the count stays").isEqualTo(2);
    assertThat(alice.patch("/api/v1/services/auto", Api.JSON, "{\"replicas\": 1}").status()).isEqualTo(200);
    assertThat(alice.delete("/api/v1/services/auto").status()).isEqualTo(202);
  }

  @Test
  void aDefinitionThatAutoscalesStartsAtItsLeastOrWithinItsBounds() {
    Api.Answer least = alice.post("/api/v1/services", Api.JSON, service("least",
        ", \"autoscaling\": {\"min-replicas\": 2, \"max-replicas\": 3}"));
    assertThat(least.status()).as(least.body()).isEqualTo(201);
    assertThat(least.json().path("desiredReplicas").asInt()).isEqualTo(2);
    assertThat(least.json().path("autoscaling").path("targetOngoingRequests").asDouble()).as("the default").isEqualTo(2);

    Api.Answer capped = alice.post("/api/v1/services", Api.JSON, service("capped",
        ", \"replicas\": 5, \"autoscaling\": {\"min-replicas\": 1, \"max-replicas\": 2}"));
    assertThat(capped.status()).as(capped.body()).isEqualTo(201);
    assertThat(capped.json().path("desiredReplicas").asInt()).isEqualTo(2);
    alice.delete("/api/v1/services/least");
    alice.delete("/api/v1/services/capped");
  }

  @Test
  void aServiceMayScaleToZeroAndItsDefinitionReadBackAppliesAgain() {
    Api.Answer none = alice.post("/api/v1/services", Api.JSON, service("zero",
        ", \"autoscaling\": {\"min-replicas\": 0, \"max-replicas\": 2}"));
    assertThat(none.status()).as(none.body()).isEqualTo(201);
    assertThat(none.json().path("desiredReplicas").asInt()).isZero();
    assertThat(none.json().path("replicas")).isEmpty();

    JsonNode definition = alice.get("/api/v1/services/zero/definition").json();
    assertThat(definition.path("replicas").asInt()).isZero();
    Api.Answer applied = alice.put("/api/v1/services/zero", Api.JSON, definition.toString());
    assertThat(applied.status()).as(applied.body()).isEqualTo(200);
    assertThat(applied.json().path("version").asInt()).isEqualTo(1);

    Api.Answer noMost = alice.put("/api/v1/services/zero/autoscaling", Api.JSON, "{\"min-replicas\": 0, \"max-replicas\": 0}");
    assertThat(noMost.errorFields()).containsExactly("max-replicas");
    assertThat(alice.patch("/api/v1/services/zero", Api.JSON, "{\"replicas\": 0}").errorFields())
        .as("by hand, at least one").containsExactly("replicas");
    alice.delete("/api/v1/services/zero");
  }

  @Test
  void wrongFieldsAre422NamingEach() {
    assertThat(alice.post("/api/v1/services", Api.JSON, service("wrong", ", \"replicas\": 1")).status()).isEqualTo(201);

    Api.Answer below = alice.put("/api/v1/services/wrong/autoscaling", Api.JSON, "{\"min-replicas\": 3, \"max-replicas\": 2}");
    below.problem(422);
    assertThat(below.errorFields()).containsExactly("max-replicas");
    assertThat(below.body()).contains("at least min-replicas");

    Api.Answer many = alice.put("/api/v1/services/wrong/autoscaling", Api.JSON, "{\"max-replicas\": 2, "
        + "\"target-ongoing-requests\": 0, \"upscale-delay\": \"5 minutes\", \"downscale-delay\": 10, \"scale\": 1}");
    assertThat(many.status()).isEqualTo(422);
    assertThat(many.errorFields()).containsExactlyInAnyOrder("min-replicas", "target-ongoing-requests", "upscale-delay",
        "downscale-delay", "scale");

    assertThat(alice.put("/api/v1/services/wrong/autoscaling", Api.JSON, "[1]").errorFields()).containsExactly("$");
    Api.Answer inDefinition = alice.post("/api/v1/services", Api.JSON, service("wrong-too",
        ", \"autoscaling\": {\"min-replicas\": 1, \"max-replicas\": 1000}"));
    assertThat(inDefinition.status()).isEqualTo(422);
    assertThat(inDefinition.errorFields()).containsExactly("autoscaling.max-replicas");
    assertThat(alice.get("/api/v1/services/wrong").json().has("autoscaling")).as("nothing changed").isFalse();
    alice.delete("/api/v1/services/wrong");
  }

  @Test
  void theQuotaMustHaveRoomForItsMost() {
    Api quinn = admin.newUserWithQuota("quinn", "app-developer", "{\"cpu\": \"1.5\", \"environments\": 3}");
    assertThat(quinn.post("/api/v1/services", Api.JSON, service("tight", ", \"replicas\": 1")).status()).isEqualTo(201);

    Api.Answer tooMany = quinn.put("/api/v1/services/tight/autoscaling", Api.JSON, "{\"min-replicas\": 1, \"max-replicas\": 4}");
    assertThat(tooMany.status()).as(tooMany.body()).isEqualTo(403);
    assertThat(tooMany.json().path("type").asText()).endsWith("quota-exceeded");
    assertThat(quinn.get("/api/v1/services/tight").json().has("autoscaling")).isFalse();

    assertThat(quinn.put("/api/v1/services/tight/autoscaling", Api.JSON, "{\"min-replicas\": 1, \"max-replicas\": 3}")
        .status()).isEqualTo(200);
    Api.Answer other = quinn.post("/api/v1/environments", Api.JSON, """
        {"env-name": "beside", "version": "1", "os": "ubuntu", "resources": {"ram": "256M", "cpu": "0.5"}}""");
    assertThat(other.status()).as("the room for its most is held: %s", other.body()).isEqualTo(403);
  }
}
