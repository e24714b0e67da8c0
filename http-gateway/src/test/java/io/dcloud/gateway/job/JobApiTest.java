package io.dcloud.gateway.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Inference jobs through the API against the real job, service and dataset entities. No worker
 * exists, so a service's replicas never get ready and a job waits RUNNING with its input read;
 * submitting, checks, listing, the output's 409 and cancelling still go through (InferenceJobIT
 * runs one to its end).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class JobApiTest {
  private static final Duration WAIT = Duration.ofSeconds(15);
  private static final String ENVIRONMENT = """
      {"version": "1", "os": "ubuntu", "resources": {"ram": "256M", "cpu": "0.5"},
       "port-publish": [{"internal": {"ports": "8080", "protocol": "tcp"}}]}""";

  private GatewayTestCluster cluster;
  private Api admin;
  private Api alice;
  private Api bob;

  @BeforeAll
  void start() throws Exception {
    // Finished jobs kept 10 s: long enough for the checks that follow a cancel, short for the collection's.
    cluster = new GatewayTestCluster("JobApiTest", Map.of(
        "dcloud.jobs.finished.retention", "10s", "dcloud.jobs.finished.collect-interval", "1s"));
    admin = Api.admin(cluster.base);
    for (String name : List.of("alice", "bob")) {
      admin.createUser(name, "data-scientist");
    }
    alice = admin.signedIn("alice");
    bob = admin.signedIn("bob");
    assertThat(alice.post("/api/v1/services", Api.JSON, service("iris", "model")).status()).isEqualTo(201);
    assertThat(alice.post("/api/v1/services", Api.JSON, service("web", "app")).status()).isEqualTo(201);
    assertThat(alice.put("/api/v1/datasets/tables/iris/inputs", "application/x-ndjson",
        "{\"x\": [1, 2]}\n{\"x\": [3, 4]}\n\n{\"x\": [5, 6]}\n").status()).isEqualTo(201);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private static String service(String name, String kind) {
    return "{\"name\": \"" + name + "\", \"kind\": \"" + kind + "\", \"environment\": " + ENVIRONMENT
        + ", \"port\": 8080, \"replicas\": 1, \"readiness\": {\"path\": \"/ready\"}}";
  }

  private static String job(String service, String dataset, String more) {
    return "{\"service\": \"" + service + "\", \"input\": {\"dataset\": \"" + dataset + "\"}" + more + "}";
  }

  @Test
  void aSubmittedJobIsShownListedToItsOwnerOnlyHasNoOutputYetAndIsCancelledOnce() {
    Api.Answer submitted = alice.post("/api/v1/jobs", Api.JSON, job("iris", "tables/iris/inputs", ", \"batch-size\": 2"));

    assertThat(submitted.status()).as(submitted.body()).isEqualTo(202);
    JsonNode body = submitted.json();
    String id = body.path("id").asText();
    assertThat(submitted.header("location")).isEqualTo("/api/v1/jobs/" + id);
    assertThat(body.path("service").asText()).isEqualTo("iris");
    assertThat(body.path("owner").asText()).isEqualTo("alice");
    assertThat(body.path("status").asText()).isIn("QUEUED", "RUNNING");
    assertThat(body.path("input").path("dataset").asText()).isEqualTo("tables/iris/inputs");
    assertThat(body.path("input").path("version").asInt()).isEqualTo(1);
    assertThat(body.path("batchSize").asInt()).isEqualTo(2);
    assertThat(body.path("output").isNull()).isTrue();
    assertThat(body.path("createdAt").asText()).isNotBlank();
    // Read: three records (the blank line is none); no replica is ready, so none is done.
    Awaitility.await().atMost(WAIT).untilAsserted(() -> {
      JsonNode shown = alice.get("/api/v1/jobs/" + id).json();
      assertThat(shown.path("status").asText()).isEqualTo("RUNNING");
      assertThat(shown.path("progress").path("total").asInt()).isEqualTo(3);
      assertThat(shown.path("progress").path("done").asInt()).isZero();
      assertThat(shown.path("progress").path("etaSeconds").isNull()).isTrue();
      assertThat(shown.path("assignments")).isEmpty();
    });
    assertThat(alice.get("/api/v1/jobs").ids("jobs")).contains(id);
    assertThat(admin.get("/api/v1/jobs").ids("jobs")).contains(id);
    assertThat(bob.get("/api/v1/jobs").ids("jobs")).doesNotContain(id);
    bob.get("/api/v1/jobs/" + id).problem(404);
    bob.delete("/api/v1/jobs/" + id).problem(404);
    assertThat(alice.get("/api/v1/jobs/" + id + "/output").problem(409).path("detail").asText()).contains("RUNNING");

    Api.Answer cancelled = alice.delete("/api/v1/jobs/" + id);

    assertThat(cancelled.status()).as(cancelled.body()).isEqualTo(200);
    assertThat(cancelled.json().path("status").asText()).isEqualTo("CANCELLED");
    assertThat(cancelled.json().path("error").asText()).isEqualTo("cancelled by alice");
    assertThat(cancelled.json().path("finishedAt").asText()).isNotBlank();
    assertThat(alice.delete("/api/v1/jobs/" + id).problem(409).path("detail").asText()).contains("already CANCELLED");
    assertThat(alice.get("/api/v1/jobs/" + id + "/output").problem(409).path("detail").asText()).contains("CANCELLED");
  }

  @Test
  void aFinishedJobIsCollectedOnceItsRetentionHasPassed() {
    String id = alice.post("/api/v1/jobs", Api.JSON, job("iris", "tables/iris/inputs", "")).json().path("id").asText();
    assertThat(alice.delete("/api/v1/jobs/" + id).status()).isEqualTo(200);
    assertThat(alice.get("/api/v1/jobs").ids("jobs")).contains(id);

    Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .untilAsserted(() -> alice.get("/api/v1/jobs/" + id).problem(404));
    assertThat(alice.get("/api/v1/jobs").ids("jobs")).doesNotContain(id);
    assertThat(admin.get("/api/v1/jobs").ids("jobs")).doesNotContain(id);
  }

  @Test
  void jobsAreListedNewestFirstInPages() {
    assertThat(bob.post("/api/v1/services", Api.JSON, service("bobs-model", "model")).status()).isEqualTo(201);
    assertThat(bob.put("/api/v1/datasets/tables/bob/inputs", "application/x-ndjson", "{\"x\": [1, 2]}\n").status())
        .isEqualTo(201);
    List<String> submitted = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      Api.Answer job = bob.post("/api/v1/jobs", Api.JSON, job("bobs-model", "tables/bob/inputs", ""));
      assertThat(job.status()).as(job.body()).isEqualTo(202);
      submitted.add(job.json().path("id").asText());
    }

    JsonNode first = bob.get("/api/v1/jobs?limit=2").json();
    assertThat(first.path("jobs")).extracting(j -> j.path("id").asText()).containsExactly(submitted.get(2), submitted.get(1));
    JsonNode second = bob.get("/api/v1/jobs?limit=2&continue=" + first.path("continue").asText()).json();
    assertThat(second.path("jobs")).extracting(j -> j.path("id").asText()).containsExactly(submitted.get(0));
    assertThat(second.has("continue")).as("the last page").isFalse();
    String middle = submitted.get(1);
    assertThat(bob.get("/api/v1/jobs?idPrefix=" + middle.substring(0, 13).toUpperCase(java.util.Locale.ROOT)).ids("jobs"))
        .containsExactly(middle);
    assertThat(bob.get("/api/v1/jobs?idPrefix=not-hex").problem(400).toString()).contains("idPrefix");

    String gone = Base64.getUrlEncoder().withoutPadding().encodeToString("no-such-job".getBytes(StandardCharsets.UTF_8));
    Api.Answer expired = bob.get("/api/v1/jobs?limit=2&continue=" + gone);
    assertThat(expired.problem(410).path("type").asText()).isEqualTo("urn:dcloud:problem:continue-expired");
    assertThat(expired.errorFields()).containsExactly("continue");
    submitted.forEach(id -> assertThat(bob.delete("/api/v1/jobs/" + id).status()).isEqualTo(200));
  }

  @Test
  void badBodiesAre422NamingEachField() {
    Api.Answer answer = alice.post("/api/v1/jobs", Api.JSON,
        "{\"service\": \"Not A Name\", \"input\": {\"dataset\": \"only/two\", \"version\": 0}, \"batch-size\": 10001,"
            + " \"extra\": 1}");

    answer.problem(422);
    assertThat(answer.errorFields())
        .containsExactlyInAnyOrder("service", "input.dataset", "input.version", "batch-size", "extra");
    Api.Answer noInput = alice.post("/api/v1/jobs", Api.JSON, "{\"service\": \"iris\"}");
    noInput.problem(422);
    assertThat(noInput.errorFields()).containsExactly("input");
  }

  @Test
  void theServiceMustBeAModelOfTheCallersAndTheInputReadableWithThatVersion() {
    bob.post("/api/v1/jobs", Api.JSON, job("iris", "tables/iris/inputs", "")).problem(404);
    assertThat(alice.post("/api/v1/jobs", Api.JSON, job("web", "tables/iris/inputs", "")).problem(409)
        .path("detail").asText()).contains("is an app");
    alice.post("/api/v1/jobs", Api.JSON, job("no-such-service", "tables/iris/inputs", "")).problem(404);
    alice.post("/api/v1/jobs", Api.JSON, job("iris", "tables/iris/missing", "")).problem(404);
    Api.Answer noVersion = alice.post("/api/v1/jobs", Api.JSON,
        "{\"service\": \"iris\", \"input\": {\"dataset\": \"tables/iris/inputs\", \"version\": 7}}");
    noVersion.problem(404);
    assertThat(noVersion.errorFields()).containsExactly("version");
    alice.get("/api/v1/jobs/not-a-job-id").problem(404);
  }
}
