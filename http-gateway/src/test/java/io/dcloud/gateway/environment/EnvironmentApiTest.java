package io.dcloud.gateway.environment;

import static io.dcloud.gateway.environment.EnvironmentApiRequests.READ_SIDE_WAIT;
import static io.dcloud.gateway.environment.EnvironmentApiRequests.create;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.Seeds;
import io.dcloud.gateway.SseReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The environment lifecycle through the API against the real entities. No worker exists, so a
 * new environment stays REQUESTED or QUEUED; stop, start and delete still go through.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnvironmentApiTest {
  private static final Duration EVENT_WAIT = Duration.ofSeconds(10);

  private GatewayTestCluster cluster;
  private Api api;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("EnvironmentApiTest");
    api = Api.admin(cluster.base);
    Seeds.uploadSeedDataset(api);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  void createsTheSeedExampleFromJsonAndShowsIt() {
    Api.Answer created = api.post("/api/v1/environments", Api.JSON, Seeds.environmentJson());

    assertThat(created.status()).as(created.body()).isEqualTo(202);
    assertThat(created.contentType()).isEqualTo("application/json");
    JsonNode environment = created.json();
    String id = environment.path("id").asText();
    assertThat(created.header("location")).isEqualTo("/api/v1/environments/" + id);
    assertThat(environment.path("name").asText()).isEqualTo("fjasldf");
    assertThat(environment.path("status").asText()).isEqualTo("REQUESTED");
    assertThat(environment.path("image").asText()).startsWith("dcloud/env-ubuntu:");
    assertThat(environment.path("resources").path("ram").asText()).isEqualTo("1G");
    assertThat(environment.path("resources").path("cpu").asText()).isEqualTo("1");
    assertThat(environment.path("resources").path("gpu").asInt()).isEqualTo(1);
    assertThat(environment.path("resources").path("storage").asText()).isEqualTo("54G");
    assertThat(environment.path("createdAt").isTextual()).as("ISO-8601 text, not a timestamp").isTrue();
    assertThat(environment.path("spec").path("port-publish")).hasSize(2);
    assertThat(environment.path("links").path("events").asText()).isEqualTo("/api/v1/environments/" + id + "/events");

    Api.Answer shown = api.get("/api/v1/environments/" + id);
    assertThat(shown.status()).isEqualTo(200);
    assertThat(shown.json().path("status").asText()).isIn("REQUESTED", "QUEUED");
    assertThat(shown.json().path("spec").path("env-name").asText()).isEqualTo("fjasldf");
    assertThat(shown.json().path("history")).isNotEmpty();
    assertThat(shown.json().path("history").get(0).path("status").asText()).isEqualTo("REQUESTED");
  }

  /** The original DCloud/SVM project's form: os as an image object, volume sizes in bytes, no lifecycle. */
  @Test
  void createsTheOriginalProjectsFormAndShowsTheOsRelease() {
    String id = create(api, Seeds.environmentWith(config -> {
      config.put("env-name", "original-form");
      config.putObject("os").put("image-name", "ubuntu").put("version", "22.04").put("tags", "22.04");
      config.putArray("storage").addObject().put("target", "/workspace").put("size", "10737418240");
    }), Api.JSON);

    JsonNode spec = api.get("/api/v1/environments/" + id).json().path("spec");
    assertThat(spec.path("os").path("image-name").asText()).isEqualTo("ubuntu");
    assertThat(spec.path("os").path("version").asText()).isEqualTo("22.04");
    assertThat(spec.path("os").path("tags").asText()).isEqualTo("22.04");
    assertThat(spec.path("storage").get(0).path("size").asText()).isEqualTo("10G");
    assertThat(spec.path("storage").get(0).path("lifecycle").asText()).isEqualTo("temporary");
  }

  @Test
  void createsTheSeedExampleFromYaml() {
    String id = create(api, Seeds.environmentYaml(), Api.YAML);

    JsonNode shown = api.get("/api/v1/environments/" + id).json();
    assertThat(shown.path("name").asText()).isEqualTo("fjasldf-yaml");
    assertThat(shown.path("status").asText()).isIn("REQUESTED", "QUEUED");
    assertThat(shown.path("spec").path("storage").get(0).path("target").asText()).isEqualTo("/target");
  }

  @Test
  void acceptsTheOtherYamlMediaTypes() {
    for (String type : List.of("application/x-yaml", "text/yaml", "application/json; charset=utf-8")) {
      String body = type.contains("json") ? Seeds.debianEnvironment("typed-json") : "env-name: typed-yaml\nos: debian\n";
      assertThat(api.post("/api/v1/environments", type, body).status()).as(type).isEqualTo(202);
    }
  }

  @Test
  void listsEnvironmentsFromTheDirectoryFilteredByStatusAndName() {
    String id = create(api, Seeds.debianEnvironment("listed"), Api.JSON);

    cluster.testKit.createTestProbe().awaitAssert(READ_SIDE_WAIT, () -> {
      Api.Answer listing = api.get("/api/v1/environments?status=QUEUED&name=listed");
      assertThat(listing.status()).isEqualTo(200);
      assertThat(listing.ids("environments")).contains(id);
      return null;
    });
    assertThat(api.get("/api/v1/environments?name=nobody-has-this-name").ids("environments")).isEmpty();
    assertThat(api.get("/api/v1/environments").ids("environments")).contains(id);
  }

  @Test
  void listsTheEnvironmentsWhoseIdStartsWithAPrefixInAnyCase() {
    String id = create(api, Seeds.debianEnvironment("prefixed"), Api.JSON);
    String prefix = id.substring(0, 6);

    cluster.testKit.createTestProbe().awaitAssert(READ_SIDE_WAIT, () -> {
      assertThat(api.get("/api/v1/environments?idPrefix=" + prefix).ids("environments")).contains(id);
      return null;
    });
    assertThat(api.get("/api/v1/environments?idPrefix=" + prefix.toUpperCase(java.util.Locale.ROOT)).ids("environments"))
        .allMatch(listed -> listed.startsWith(prefix))
        .contains(id);
    assertThat(api.get("/api/v1/environments?idPrefix=" + id).ids("environments")).containsExactly(id);
    String otherStart = (id.charAt(0) == '0' ? "1" : "0") + id.substring(1);
    assertThat(api.get("/api/v1/environments?idPrefix=" + otherStart).ids("environments")).isEmpty();
  }

  @Test
  void refusesAnIdPrefixNoIdCouldStartWith() {
    for (String prefix : List.of("", "xyz", "0a1b%2F", "0".repeat(37))) {
      Api.Answer answer = api.get("/api/v1/environments?idPrefix=" + prefix);
      answer.problem(400);
      assertThat(answer.reasonFor("idPrefix")).as(prefix).contains("hex digits and dashes");
    }
  }

  @Test
  void listsInPagesThatAContinueTokenLinks() {
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      created.add(create(api, Seeds.debianEnvironment("paged"), Api.JSON));
    }
    cluster.testKit.createTestProbe().awaitAssert(READ_SIDE_WAIT, () -> {
      assertThat(api.get("/api/v1/environments?name=paged").ids("environments")).containsExactlyInAnyOrderElementsOf(created);
      return null;
    });
    List<String> whole = api.get("/api/v1/environments?name=paged").ids("environments");
    assertThat(api.get("/api/v1/environments?name=paged").json().has("continue")).as("no limit: one page").isFalse();

    List<String> paged = new ArrayList<>();
    String path = "/api/v1/environments?name=paged&limit=2";
    int pages = 0;
    while (path != null) {
      Api.Answer page = api.get(path);
      assertThat(page.status()).as(page.body()).isEqualTo(200);
      assertThat(page.ids("environments")).hasSizeLessThanOrEqualTo(2);
      paged.addAll(page.ids("environments"));
      pages++;
      path = page.json().has("continue")
          ? "/api/v1/environments?name=paged&limit=2&continue=" + page.json().get("continue").asText()
          : null;
    }
    assertThat(paged).containsExactlyElementsOf(whole);
    assertThat(pages).isEqualTo(3);
  }

  @Test
  void refusesALimitOrContinueTokenItCannotUse() {
    for (String limit : List.of("0", "1001", "ten", "-1")) {
      Api.Answer answer = api.get("/api/v1/environments?limit=" + limit);
      answer.problem(400);
      assertThat(answer.reasonFor("limit")).as(limit).contains("1 to 1000");
    }
    for (String token : List.of("not-base64!", "bm90IGEgcG9zaXRpb24", "")) {
      Api.Answer answer = api.get("/api/v1/environments?limit=2&continue=" + token);
      answer.problem(400);
      assertThat(answer.reasonFor("continue")).as(token).contains("previous page");
    }
  }

  @Test
  void refusesAnUnknownStatusFilterListingTheValidOnes() {
    Api.Answer answer = api.get("/api/v1/environments?status=SLEEPING");

    answer.problem(400);
    assertThat(answer.reasonFor("status")).contains("RUNNING").contains("QUEUED").contains("DELETED");
  }

  @Test
  void stopStartAndDeleteAreIdempotent() {
    String id = create(api, Seeds.debianEnvironment("lifecycle"), Api.JSON);
    String path = "/api/v1/environments/" + id;

    Api.Answer stopped = api.postEmpty(path + "/stop");
    assertThat(stopped.status()).isEqualTo(202);
    assertThat(stopped.json().path("status").asText()).isEqualTo("STOPPED");
    Api.Answer stoppedAgain = api.postEmpty(path + "/stop");
    assertThat(stoppedAgain.status()).isEqualTo(202);
    assertThat(stoppedAgain.json().path("status").asText()).isEqualTo("STOPPED");

    Api.Answer started = api.postEmpty(path + "/start");
    assertThat(started.status()).isEqualTo(202);
    assertThat(started.json().path("status").asText()).isIn("REQUESTED", "QUEUED");
    assertThat(api.postEmpty(path + "/start").status()).isEqualTo(202);
    // Waiting for a place, a restart changes nothing: it starts once placed.
    Api.Answer restarted = api.postEmpty(path + "/restart");
    assertThat(restarted.status()).isEqualTo(202);
    assertThat(restarted.json().path("status").asText()).isIn("REQUESTED", "QUEUED");
    assertThat(restarted.json().path("history").findValuesAsText("message")).noneMatch(m -> m.contains("restart"));

    Api.Answer deleted = api.delete(path);
    assertThat(deleted.status()).isEqualTo(202);
    assertThat(deleted.json().path("status").asText()).isEqualTo("DELETED");
    Api.Answer deletedAgain = api.delete(path);
    assertThat(deletedAgain.status()).isEqualTo(202);
    assertThat(deletedAgain.json().path("status").asText()).isEqualTo("DELETED");

    api.postEmpty(path + "/stop").problem(409);
    api.postEmpty(path + "/restart").problem(409);
    assertThat(api.get(path).json().path("status").asText()).isEqualTo("DELETED");
  }

  @Test
  void aStoppedEnvironmentIsResizedForItsNextStartAndOneOnItsWayIsNot() {
    String id = create(api, Seeds.debianEnvironment("resized"), Api.JSON);
    String path = "/api/v1/environments/" + id;
    api.postEmpty(path + "/stop");

    Api.Answer resized = api.post(path + "/resize", Api.JSON, "{\"resources\": {\"cpu\": 2, \"ram\": \"3GB\"}}");
    assertThat(resized.status()).isEqualTo(202);
    assertThat(resized.json().path("status").asText()).isEqualTo("STOPPED");
    assertThat(resized.json().path("resources").path("cpu").asText()).isEqualTo("2");
    assertThat(resized.json().path("history").findValuesAsText("message"))
        .contains("resized to 2 cores, 3 GiB RAM by admin");

    Api.Answer invalid = api.post(path + "/resize", Api.JSON, "{\"resources\": {\"cpu\": -1, \"storage\": \"99GB\"}}");
    invalid.problem(422);
    assertThat(invalid.reasonFor("resources.cpu")).contains("is negative");
    assertThat(invalid.reasonFor("resources.storage")).contains("cannot change");

    api.postEmpty(path + "/start");
    Api.Answer waiting = api.post(path + "/resize", Api.JSON, "{\"resources\": {\"cpu\": 1}}");
    assertThat(waiting.problem(409).path("detail").asText()).contains("resize it once it runs or has stopped");
    api.post("/api/v1/environments/0b7c8a52-3f57-4c53-9d3c-5f0c1f7b9a11/resize", Api.JSON, "{\"resources\": {\"cpu\": 1}}")
        .problem(404);
  }

  @Test
  void unknownEnvironmentsAreNotFound() {
    String unknown = "/api/v1/environments/0b7c8a52-3f57-4c53-9d3c-5f0c1f7b9a11";
    for (String path : List.of(unknown, unknown + "/stats", unknown + "/logs", unknown + "/events",
        unknown + "/dockerfile", unknown + "/manifest?format=kubernetes", "/api/v1/environments/not-an-id")) {
      api.get(path).problem(404);
    }
    api.postEmpty(unknown + "/stop").problem(404);
    api.postEmpty(unknown + "/start").problem(404);
    api.postEmpty(unknown + "/restart").problem(404);
    api.delete(unknown).problem(404);
  }

  @Test
  void eventsStreamTheCurrentStatusThenLiveChangesUntilDeleted() throws Exception {
    String id = create(api, Seeds.debianEnvironment("watched"), Api.JSON);
    String path = "/api/v1/environments/" + id;

    try (SseReader events = new SseReader(api, path + "/events")) {
      assertThat(events.status()).isEqualTo(200);
      assertThat(events.contentType()).startsWith("text/event-stream");
      SseReader.Event first = events.next(EVENT_WAIT);
      assertThat(first.type()).isEqualTo("status");
      assertThat(Api.parse(first.data()).path("id").asText()).isEqualTo(id);

      assertThat(api.postEmpty(path + "/stop").status()).isEqualTo(202);
      SseReader.Event stopped = events.until(e -> Api.parse(e.data()).path("status").asText().equals("STOPPED"), EVENT_WAIT);
      assertThat(stopped.type()).isEqualTo("status");
      assertThat(Api.parse(stopped.data()).path("environmentId").asText()).isEqualTo(id);

      assertThat(api.delete(path).status()).isEqualTo(202);
      events.until(e -> Api.parse(e.data()).path("status").asText().equals("DELETED"), EVENT_WAIT);
      assertThat(events.endsWithin(EVENT_WAIT)).as("the stream completes after DELETED").isTrue();
    }
  }

  @Test
  void statsAndLogsOfAnEnvironmentThatIsNotRunningAreAConflict() {
    String id = create(api, Seeds.debianEnvironment("idle"), Api.JSON);
    String path = "/api/v1/environments/" + id;

    assertThat(api.get(path + "/stats").problem(409).path("detail").asText()).contains("not RUNNING");
    assertThat(api.get(path + "/logs?tail=10&follow=false").problem(409).path("detail").asText()).contains("no container");
  }

  @Test
  void logsRefuseATailOutOfRangeOrMalformedAndASinceThatIsNoInstant() {
    String id = create(api, Seeds.debianEnvironment("tailed"), Api.JSON);
    String path = "/api/v1/environments/" + id + "/logs";

    for (String query : List.of("?tail=-1", "?tail=100001", "?tail=abc")) {
      Api.Answer answer = api.get(path + query);
      answer.problem(400);
      assertThat(answer.errorFields()).as(query).containsExactly("tail");
    }
    Api.Answer badFollow = api.get(path + "?follow=perhaps");
    badFollow.problem(400);
    assertThat(badFollow.errorFields()).containsExactly("follow");
    Api.Answer badSince = api.get(path + "?since=10m");
    assertThat(badSince.problem(400).path("errors").toString()).contains("ISO-8601 instant", "10m");
    assertThat(badSince.errorFields()).containsExactly("since");
    Api.Answer badTimestamps = api.get(path + "?timestamps=perhaps");
    badTimestamps.problem(400);
    assertThat(badTimestamps.errorFields()).containsExactly("timestamps");
    assertThat(api.get(path + "?since=2026-12-07T10:00:00Z&timestamps=true").problem(409).path("detail").asText())
        .as("well formed: it has no container to read yet").contains("no container");
  }

  @Test
  void servesTheGeneratedDockerfile() {
    String id = create(api, Seeds.environmentJson(), Api.JSON);

    Api.Answer dockerfile = api.get("/api/v1/environments/" + id + "/dockerfile");

    assertThat(dockerfile.status()).isEqualTo(200);
    assertThat(dockerfile.contentType()).startsWith("text/plain");
    assertThat(dockerfile.body()).contains("FROM ").contains("RUN ").contains("numpy");
  }

  @Test
  void exportsAKubernetesManifestAsMultiDocumentYaml() {
    String id = create(api, Seeds.environmentJson(), Api.JSON);
    String path = "/api/v1/environments/" + id + "/manifest";

    Api.Answer manifest = api.get(path + "?format=kubernetes");

    assertThat(manifest.status()).as(manifest.body()).isEqualTo(200);
    assertThat(manifest.contentType()).startsWith("application/yaml");
    assertThat(manifest.body()).startsWith("---").contains("Deployment").contains("Service");
    assertThat(manifest.body().split("(?m)^---").length - 1).as("one document per object").isEqualTo(2);

    assertThat(api.get(path).problem(400).path("errors").get(0).path("field").asText()).isEqualTo("format");
    assertThat(api.get(path + "?format=helm").problem(400).path("errors").get(0).path("field").asText())
        .isEqualTo("format");
  }

  @Test
  void aRetriedCreateWithTheSameIdempotencyKeyIsTheSameEnvironment() {
    String key = "retry-" + java.util.UUID.randomUUID();
    String body = Seeds.debianEnvironment("idempotent");
    java.util.function.Function<String, Api.Answer> post = json -> api.send(api.request("/api/v1/environments")
        .header("content-type", Api.JSON).header("Idempotency-Key", key)
        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(json)).build());

    Api.Answer first = post.apply(body);
    Api.Answer retried = post.apply(body);
    assertThat(first.status()).isEqualTo(202);
    assertThat(retried.status()).isEqualTo(202);
    assertThat(retried.json().get("id").asText()).isEqualTo(first.json().get("id").asText());

    Api.Answer otherBody = post.apply(Seeds.debianEnvironment("another-name"));
    otherBody.problem(409);
  }
}
