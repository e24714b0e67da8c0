package io.dcloud.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Calling services through the API, as far as a cluster without a worker goes: replicas never get
 * ready, so a call is the gateway's own 503 (with Retry-After); who may call, and what a bad predict
 * body and an app's predict get. Calls that reach replicas are ServiceCallIT's (app module).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceCallApiTest {
  private static final String SERVICE = "{\"name\": \"calls\", \"kind\": \"app\", \"environment\": "
      + "{\"os\": \"ubuntu\", \"resources\": {\"ram\": \"256M\", \"cpu\": \"0.5\"}, "
      + "\"port-publish\": [{\"internal\": {\"ports\": \"8080\"}}]}, \"port\": 8080, \"replicas\": 2, "
      + "\"readiness\": {\"path\": \"/ready\"}}";

  private GatewayTestCluster cluster;
  private Api alice;
  private Api erin;
  private Api bob;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("ServiceCallApiTest");
    Api admin = Api.admin(cluster.base);
    for (List<String> user : List.of(List.of("alice", "app-developer"), List.of("bob", "app-developer"),
        List.of("erin", "end-user"))) {
      admin.createUser(user.get(0), user.get(1));
    }
    alice = admin.signedIn("alice");
    bob = admin.signedIn("bob");
    erin = admin.signedIn("erin");
    assertThat(alice.post("/api/v1/services", Api.JSON, SERVICE).status()).isEqualTo(201);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  void withoutAReadyReplicaACallIs503WithRetryAfterForItsOwnerAndEndUsers() {
    for (Api caller : List.of(alice, erin)) {
      Api.Answer answer = caller.get("/api/v1/services/calls/call/some/path?q=1");
      assertThat(answer.problem(503).path("type").asText()).isEqualTo("urn:dcloud:problem:no-ready-replica");
      assertThat(answer.header("Retry-After")).isEqualTo("1");
    }
    assertThat(alice.post("/api/v1/services/calls/call", Api.JSON, "{}").status()).isEqualTo(503);
  }

  @Test
  void othersGetTheNotFoundOfAMissingService() {
    assertThat(bob.get("/api/v1/services/calls/call/ready").problem(404).path("detail").asText())
        .isEqualTo(erin.get("/api/v1/services/missing/call/ready").problem(404).path("detail").asText()
            .replace("missing", "calls"));
    assertThat(bob.get("/api/v1/services/calls/stats").status()).isEqualTo(404);
    // End users call services; their figures are the owner's.
    assertThat(erin.get("/api/v1/services/calls/stats").status()).isEqualTo(404);
  }

  @Test
  void predictTakesANonEmptyArrayOfInstancesAndOnlyForModels() {
    assertThat(alice.post("/api/v1/services/calls/predict", Api.JSON, "{\"instances\": []}").reasonFor("instances"))
        .contains("non-empty array");
    assertThat(alice.post("/api/v1/services/calls/predict", Api.JSON, "{\"instance\": 1}").reasonFor("instances"))
        .isNotEmpty();
    assertThat(alice.post("/api/v1/services/calls/predict", Api.JSON, "{\"instances\": [1]}").problem(409)
        .path("detail").asText()).contains("is an app");
  }

  @Test
  void statsListEachReplicaWithZerosBeforeAnyCallIsAnswered() {
    JsonNode stats = alice.get("/api/v1/services/calls/stats").json();

    assertThat(stats.path("count").asLong()).isZero();
    assertThat(stats.path("latencyMs").path("p99").asDouble()).isZero();
    assertThat(stats.path("replicas")).hasSize(2)
        .allSatisfy(replica -> assertThat(replica.path("id").asText()).isNotEmpty());
  }

  @Test
  void aPathThatOnlyStartsWithCallIsNoCall() {
    assertThat(alice.get("/api/v1/services/calls/callx").problem(404).path("type").asText())
        .isEqualTo("urn:dcloud:problem:route-not-found");
  }
}
