package io.dcloud.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.ModelUploads;
import io.dcloud.gateway.model.ModelServiceBody;
import io.dcloud.gateway.service.ModelDeployRoutes;
import java.time.Duration;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * {@code POST /models/{name}/deploy} against the real model, dataset and service entities (no worker:
 * replicas never become ready, so a roll stays at its first new replica).
 */
class ModelDeployApiTest {
  private static GatewayTestCluster cluster;
  private static Api admin;
  private static Api alice;
  private static Api bob;

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("ModelDeployApiTest");
    admin = Api.admin(cluster.base);
    for (String user : new String[] {"alice", "bob"}) {
      admin.createUser(user, "data-scientist");
    }
    alice = admin.signedIn("alice");
    bob = admin.signedIn("bob");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static void push(Api api, String name, String more) {
    String config = "{\"name\": \"" + name + "\", \"runtime\": {\"language-name\": \"python\", \"libraries\": "
        + "[\"scikit-learn\"]}, \"replicas\": 2" + more + "}";
    Api.Answer pushed = ModelUploads.push(api, "m.joblib", new byte[] {1, 2, 3}, ModelUploads.CONTRACT, config, Api.JSON);
    assertThat(pushed.status()).as(pushed.body()).isEqualTo(201);
  }

  @Test
  void theFirstDeployCreatesTheServiceAndTheNextRollsItToTheNewVersion() {
    push(alice, "iris", ", \"batching\": {\"max-size\": 8, \"max-wait-ms\": 5}");
    push(alice, "iris", "");

    Api.Answer first = alice.post("/api/v1/models/iris/deploy", Api.JSON, "{\"version\": 1}");

    assertThat(first.status()).as(first.body()).isEqualTo(201);
    assertThat(first.header("location")).isEqualTo("/api/v1/services/iris");
    JsonNode created = first.json();
    assertThat(created.path("kind").asText()).isEqualTo("model");
    assertThat(created.path("owner").asText()).isEqualTo("alice");
    assertThat(created.path("version").asInt()).isEqualTo(1);
    assertThat(created.path("desiredReplicas").asInt()).isEqualTo(2);
    assertThat(created.path("port").asInt()).isEqualTo(ModelServiceBody.PORT);
    assertThat(created.path("batching").path("maxSize").asInt()).isEqualTo(8);
    Api.Answer scaled = alice.patch("/api/v1/services/iris", Api.JSON, "{\"replicas\": 3}");
    assertThat(scaled.status()).as(scaled.body()).isEqualTo(200);

    Api.Answer latest = alice.postEmpty("/api/v1/models/iris/deploy");

    assertThat(latest.status()).as(latest.body()).isEqualTo(200);
    JsonNode rolling = latest.json();
    assertThat(rolling.path("version").asInt()).isEqualTo(2);
    assertThat(rolling.path("batching").isNull()).as("version 2's config has none").isTrue();
    assertThat(rolling.path("desiredReplicas").asInt()).as("the scale since the first deploy, not the config's 2")
        .isEqualTo(3);
    assertThat(rolling.path("replicas").findValuesAsText("version")).containsExactly("1", "1", "1", "2");

    Api.Answer again = alice.post("/api/v1/models/iris/deploy", Api.JSON, "{\"version\": 2}");
    assertThat(again.status()).as(again.body()).isEqualTo(200);
    assertThat(again.json().path("version").asInt()).as("the same version again changes nothing").isEqualTo(2);
    Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(admin.get("/api/v1/audit?user=alice").json().path("entries").findValuesAsText("action"))
            .contains(ModelDeployRoutes.ACTION));
  }

  @Test
  void aMissingVersionIs404AndABadBodyIs422NamingTheField() {
    push(alice, "bounds", "");

    Api.Answer missing = alice.post("/api/v1/models/bounds/deploy", Api.JSON, "{\"version\": 9}");
    assertThat(missing.status()).as(missing.body()).isEqualTo(404);
    assertThat(missing.json().path("errors").get(0).path("field").asText()).isEqualTo("version");

    Api.Answer text = alice.post("/api/v1/models/bounds/deploy", Api.JSON, "{\"version\": \"two\"}");
    assertThat(text.status()).as(text.body()).isEqualTo(422);
    assertThat(text.json().path("errors").get(0).path("field").asText()).isEqualTo("version");
    Api.Answer unknown = alice.post("/api/v1/models/bounds/deploy", Api.JSON, "{\"versoin\": 1}");
    assertThat(unknown.status()).as(unknown.body()).isEqualTo(422);
    assertThat(unknown.json().path("errors").get(0).path("field").asText()).isEqualTo("versoin");

    assertThat(alice.postEmpty("/api/v1/models/no-such-model/deploy").status()).isEqualTo(404);
    assertThat(bob.postEmpty("/api/v1/models/bounds/deploy").status()).as("not bob's to see").isEqualTo(404);
  }

  @Test
  void aNameHeldByAnAppOrByAnotherUsersServiceIs409() {
    push(alice, "clash", "");
    String app = "{\"name\": \"clash\", \"kind\": \"app\", \"environment\": {\"version\": \"1\", \"os\": \"ubuntu\","
        + " \"port-publish\": [{\"internal\": {\"ports\": \"8080\", \"protocol\": \"tcp\"}}]}, \"port\": 8080,"
        + " \"readiness\": {\"path\": \"/\"}}";
    assertThat(alice.post("/api/v1/services", Api.JSON, app).status()).isEqualTo(201);

    Api.Answer overApp = alice.postEmpty("/api/v1/models/clash/deploy");
    assertThat(overApp.status()).as(overApp.body()).isEqualTo(409);
    assertThat(alice.get("/api/v1/services/clash").json().path("kind").asText()).isEqualTo("app");

    push(alice, "bobs", "");
    assertThat(bob.post("/api/v1/services", Api.JSON, app.replace("clash", "bobs")).status()).isEqualTo(201);
    Api.Answer overOthers = alice.postEmpty("/api/v1/models/bobs/deploy");
    assertThat(overOthers.status()).as(overOthers.body()).isEqualTo(409);
  }
}
