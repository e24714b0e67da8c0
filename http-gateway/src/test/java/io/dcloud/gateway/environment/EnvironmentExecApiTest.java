package io.dcloud.gateway.environment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.Seeds;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code POST /environments/{id}/exec} at the gateway: bad bodies are 422 naming the field, a
 * group member who sees the environment may not run commands in it (403), a stranger is told it
 * does not exist (404), and an environment that is not RUNNING (this cluster has no worker) is a
 * 409 that says so; every attempt that reached the environment is audited.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnvironmentExecApiTest {
  private static final Duration REPLICATED = Duration.ofSeconds(10);

  private GatewayTestCluster cluster;
  private Api admin;
  private Api alice;
  private String path;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("EnvironmentExecApiTest");
    admin = Api.admin(cluster.base);
    for (String name : List.of("alice", "bob", "carol")) {
      admin.createUser(name, "data-scientist");
    }
    admin.post("/api/v1/groups", Api.JSON, "{\"name\": \"exec-lab\", \"members\": [\"alice\", \"bob\"]}");
    alice = signedIn("alice");
    String id = alice.post("/api/v1/environments", Api.JSON, Seeds.debianEnvironment("exec")).json().path("id").asText();
    path = "/api/v1/environments/" + id + "/exec";
    assertThat(alice.put("/api/v1/environments/" + id + "/sharing", Api.JSON, "{\"groups\": [\"exec-lab\"]}").status())
        .isEqualTo(200);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private Api signedIn(String name) {
    return new Api(cluster.base).signedIn(name);
  }

  @Test
  void badBodiesAreRefusedNamingTheField() {
    assertThat(alice.post(path, Api.JSON, "{}").errorFields()).containsExactly("command");
    assertThat(alice.post(path, Api.JSON, "{\"command\": []}").errorFields()).containsExactly("command");
    assertThat(alice.post(path, Api.JSON, "{\"command\": \"ls\"}").errorFields()).containsExactly("command");
    assertThat(alice.post(path, Api.JSON, "{\"command\": [\"ls\", 7]}").errorFields()).containsExactly("command[1]");
    assertThat(alice.post(path, Api.JSON, "{\"command\": [\"\"]}").errorFields()).containsExactly("command[0]");
    assertThat(alice.post(path, Api.JSON, "{\"command\": [\"ls\"], \"stdin\": 3}").errorFields()).containsExactly("stdin");
    Api.Answer tooLong = alice.post(path, Api.JSON, "{\"command\": [\"sleep\", \"1\"], \"timeout\": \"11m\"}");
    tooLong.problem(422);
    assertThat(tooLong.reasonFor("timeout")).contains("at most 10m");
    assertThat(tooLong.errorFields()).containsExactly("timeout");
    assertThat(alice.post(path, Api.JSON, "{\"command\": [\"ls\"], \"timeout\": \"soon\"}").errorFields())
        .containsExactly("timeout");
    assertThat(alice.post(path, Api.JSON, "{\"command\": [\"ls\"], \"user\": \"root\"}").errorFields())
        .containsExactly("user");
  }

  @Test
  void onlyTheOwnerOrAnAdminMayRunCommandsAndNotInAnEnvironmentThatIsNotRunning() {
    String body = "{\"command\": [\"sh\", \"-c\", \"echo hi\"], \"stdin\": \"x\", \"timeout\": \"5s\"}";

    JsonNode notRunning = alice.post(path, Api.JSON, body).problem(409);
    assertThat(notRunning.path("detail").asText()).contains("not RUNNING");
    admin.post(path, Api.JSON, body).problem(409);
    assertThat(signedIn("bob").post(path, Api.JSON, body).problem(403).path("detail").asText()).contains("alice");
    signedIn("carol").post(path, Api.JSON, body).problem(404);

    Awaitility.await().atMost(REPLICATED).untilAsserted(() -> {
      JsonNode entries = admin.get("/api/v1/audit?user=bob").json().path("entries");
      assertThat(entries.findValuesAsText("action")).contains("environment.exec");
      assertThat(entries.findValuesAsText("outcome")).contains("forbidden");
      assertThat(entries.findParents("action").stream()
          .filter(entry -> entry.path("action").asText().equals("environment.exec"))
          .map(entry -> entry.path("address").asText()))
          .as("from where, as every other record says").containsOnly("127.0.0.1");
      assertThat(admin.get("/api/v1/audit?user=alice").json().path("entries").findValuesAsText("outcome"))
          .contains("refused");
    });
  }
}
