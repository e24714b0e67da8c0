package io.dcloud.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.identity.UserRegistry;
import io.dcloud.scheduler.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.testkit.javadsl.TestEntityRef;
import org.apache.pekko.http.javadsl.ServerBinding;
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
  private static final Duration READ_SIDE_WAIT = Duration.ofSeconds(10);

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

  private String create(String body, String contentType) {
    Api.Answer created = api.post("/api/v1/environments", contentType, body);
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String id = created.json().path("id").asText();
    assertThat(created.header("location")).isEqualTo("/api/v1/environments/" + id);
    return id;
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
    String id = create(Seeds.environmentWith(config -> {
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
    String id = create(Seeds.environmentYaml(), Api.YAML);

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
    String id = create(Seeds.debianEnvironment("listed"), Api.JSON);

    cluster.testKit.createTestProbe().awaitAssert(READ_SIDE_WAIT, () -> {
      Api.Answer listing = api.get("/api/v1/environments?status=QUEUED&name=listed");
      assertThat(listing.status()).isEqualTo(200);
      assertThat(ids(listing.json().path("environments"))).contains(id);
      return null;
    });
    assertThat(ids(api.get("/api/v1/environments?name=nobody-has-this-name").json().path("environments"))).isEmpty();
    assertThat(ids(api.get("/api/v1/environments").json().path("environments"))).contains(id);
  }

  @Test
  void refusesAnUnknownStatusFilterListingTheValidOnes() {
    Api.Answer answer = api.get("/api/v1/environments?status=SLEEPING");

    answer.problem(400);
    assertThat(answer.reasonFor("status")).contains("RUNNING").contains("QUEUED").contains("DELETED");
  }

  @Test
  void stopStartAndDeleteAreIdempotent() {
    String id = create(Seeds.debianEnvironment("lifecycle"), Api.JSON);
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

    Api.Answer deleted = api.delete(path);
    assertThat(deleted.status()).isEqualTo(202);
    assertThat(deleted.json().path("status").asText()).isEqualTo("DELETED");
    Api.Answer deletedAgain = api.delete(path);
    assertThat(deletedAgain.status()).isEqualTo(202);
    assertThat(deletedAgain.json().path("status").asText()).isEqualTo("DELETED");

    api.postEmpty(path + "/stop").problem(409);
    assertThat(api.get(path).json().path("status").asText()).isEqualTo("DELETED");
  }

  /**
   * The entity not answering in time (its shard moving off a lost node, say) is played by a silent
   * probe in another gateway on the same cluster: its GET answers from the read side, marked stale.
   */
  @Test
  void aGetTheEntityDoesNotAnswerInTimeIsAnsweredStaleFromTheReadSide() throws Exception {
    String id = create(Seeds.debianEnvironment("read-while-moving"), Api.JSON);
    String path = "/api/v1/environments/" + id;
    cluster.testKit.createTestProbe().awaitAssert(READ_SIDE_WAIT, () -> {
      assertThat(ids(api.get("/api/v1/environments?status=QUEUED&name=read-while-moving").json().path("environments")))
          .containsExactly(id);
      return null;
    });
    Api.Answer freshAnswer = api.get(path);
    assertThat(freshAnswer.status()).isEqualTo(200);
    JsonNode fresh = freshAnswer.json();
    assertThat(fresh.has("stale")).as("a fresh answer has no stale flag").isFalse();
    assertThat(fresh.has("asOf")).isFalse();

    TestProbe<EnvironmentEntity.Command> silentEntity = cluster.testKit.createTestProbe();
    ServerBinding binding = cluster.start(cluster.backends.withEnvironments(
        environmentId -> TestEntityRef.of(EnvironmentEntity.TYPE_KEY, environmentId, silentEntity.getRef())));
    try {
      Api withoutEntity = Api.admin(GatewayTestCluster.uri(binding));
      Api.Answer staleAnswer = withoutEntity.get(path);

      assertThat(staleAnswer.status()).as(staleAnswer.body()).isEqualTo(200);
      silentEntity.expectMessageClass(EnvironmentEntity.Get.class);
      ObjectNode stale = (ObjectNode) staleAnswer.json();
      assertThat(stale.path("stale").isBoolean()).isTrue();
      assertThat(stale.path("stale").asBoolean()).isTrue();
      assertThat(Instant.parse(stale.path("asOf").asText())).isBeforeOrEqualTo(Instant.now());
      // The read side keeps only the latest step of the history; everything else is the entity's view.
      JsonNode history = fresh.path("history");
      assertThat(stale.path("history")).containsExactly(history.get(history.size() - 1));
      JsonNode expected = ((ObjectNode) fresh.deepCopy()).without(List.of("history"));
      JsonNode actual = stale.deepCopy().without(List.of("history", "stale", "asOf"));
      assertThat(actual).isEqualTo(expected);

      // Unknown to the read side too: no view to fall back on, and no proof it does not exist.
      withoutEntity.get("/api/v1/environments/" + UUID.randomUUID()).problem(503);
      // Commands need the entity itself: they wait the whole ask timeout and answer 503 as before.
      withoutEntity.postEmpty(path + "/stop").problem(503);
    } finally {
      binding.unbind();
    }
  }

  /**
   * A create the entity does not answer in time is a 503 that says how to find out what happened,
   * and the create it was sent carries the moment the gateway stopped waiting: delivered to the real
   * entity after that, it makes nothing (no environment appears behind the caller's back).
   */
  @Test
  void aCreateTheEntityDoesNotAnswerInTimeIs503AndMakesNothingWhenItArrivesLate() throws Exception {
    TestProbe<EnvironmentEntity.Command> silentEntity = cluster.testKit.createTestProbe();
    java.util.concurrent.atomic.AtomicReference<String> askedId = new java.util.concurrent.atomic.AtomicReference<>();
    ServerBinding binding = cluster.start(cluster.backends.withEnvironments(environmentId -> {
      askedId.set(environmentId);
      return TestEntityRef.of(EnvironmentEntity.TYPE_KEY, environmentId, silentEntity.getRef());
    }));
    try {
      Api withoutEntity = Api.admin(GatewayTestCluster.uri(binding));
      Instant before = Instant.now();
      Api.Answer answer = withoutEntity.send(withoutEntity.request("/api/v1/environments")
          .header("content-type", Api.JSON).header("Idempotency-Key", "late-" + UUID.randomUUID())
          .POST(java.net.http.HttpRequest.BodyPublishers.ofString(Seeds.debianEnvironment("arrives-late"))).build());
      Instant after = Instant.now();

      answer.problem(503);
      assertThat(answer.json().path("detail").asText()).contains("did not answer within", "Idempotency-Key");
      EnvironmentEntity.Create sent = silentEntity.expectMessageClass(EnvironmentEntity.Create.class);
      // A key's id may have been used (a retry's): the entity must read its journal.
      assertThat(sent.newId()).isFalse();
      // The ask's deadline less the time to write and answer the create (dcloud.http.create-answer-margin).
      Duration margin = cluster.settings().createAnswerMargin();
      assertThat(margin).isEqualTo(Duration.ofSeconds(1));
      assertThat(sent.notAfter()).isBetween(
          before.plus(GatewayTestCluster.ASK_TIMEOUT).minus(margin), after.plus(GatewayTestCluster.ASK_TIMEOUT).minus(margin));

      TestProbe<EnvironmentEntity.Reply> lateReply = cluster.testKit.createTestProbe();
      cluster.backends.environments().apply(askedId.get()).tell(
          new EnvironmentEntity.Create(sent.spec(), sent.recipe(), lateReply.getRef(), sent.owner(), sent.notAfter()));
      assertThat(lateReply.expectMessageClass(EnvironmentEntity.TooLate.class).reason()).contains("nothing was created");
      api.get("/api/v1/environments/" + askedId.get()).problem(404);
    } finally {
      binding.unbind();
    }
  }

  /** Only a create without a key has an id no environment can have (its entity skips reading the journal). */
  @Test
  void aCreateWithoutAnIdempotencyKeyIsSentUnderANewId() throws Exception {
    TestProbe<EnvironmentEntity.Command> entity = cluster.testKit.createTestProbe();
    ServerBinding binding = cluster.start(cluster.backends.withEnvironments(
        environmentId -> TestEntityRef.of(EnvironmentEntity.TYPE_KEY, environmentId, entity.getRef())));
    try {
      Api probed = Api.admin(GatewayTestCluster.uri(binding));
      java.util.concurrent.CompletableFuture<Api.Answer> answer = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> probed.post("/api/v1/environments", Api.JSON, Seeds.debianEnvironment("unkeyed")));

      EnvironmentEntity.Create sent = entity.expectMessageClass(EnvironmentEntity.Create.class);
      assertThat(sent.newId()).isTrue();
      sent.replyTo().tell(new EnvironmentEntity.Conflict("answered by the test"));
      answer.join().problem(409);
    } finally {
      binding.unbind();
    }
  }

  /**
   * The caller's quota is asked for while the scheduler is still deciding whether the request fits,
   * not after: on a cluster both are singletons, often on other nodes, and each ask a round trip.
   */
  @Test
  void aCreateAsksForTheQuotaWithoutWaitingForTheScheduler() throws Exception {
    TestProbe<Scheduler.Command> scheduler = cluster.testKit.createTestProbe();
    // The real registry, its questions seen on the way.
    TestProbe<UserRegistry.Command> users = cluster.testKit.createTestProbe();
    ActorRef<UserRegistry.Command> seenUsers = cluster.testKit.spawn(Behaviors.monitor(UserRegistry.Command.class, users.getRef(),
        Behaviors.receiveMessage(question -> {
          cluster.users.tell(question);
          return Behaviors.same();
        })));
    ServerBinding binding = cluster.start(cluster.backends.withScheduler(scheduler.getRef()).withUsers(seenUsers));
    try {
      Api probed = api.at(GatewayTestCluster.uri(binding));
      java.util.concurrent.CompletableFuture<Api.Answer> answer = java.util.concurrent.CompletableFuture.supplyAsync(
          () -> probed.post("/api/v1/environments", Api.JSON, Seeds.debianEnvironment("quota-early")));

      Scheduler.CheckFeasible feasible = scheduler.expectMessageClass(Scheduler.CheckFeasible.class);
      // Still unanswered: the quota's question comes all the same.
      List<UserRegistry.Command> seen = users.fishForMessage(Duration.ofSeconds(3), question ->
          question instanceof UserRegistry.GetUser ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
      UserRegistry.GetUser asked = (UserRegistry.GetUser) seen.get(seen.size() - 1);
      assertThat(asked.username()).isEqualTo("admin");
      feasible.replyTo().tell(new Scheduler.Feasibility(null));

      Api.Answer created = answer.join();
      assertThat(created.status()).as(created.body()).isEqualTo(202);
    } finally {
      binding.unbind();
    }
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
    api.delete(unknown).problem(404);
  }

  @Test
  void eventsStreamTheCurrentStatusThenLiveChangesUntilDeleted() throws Exception {
    String id = create(Seeds.debianEnvironment("watched"), Api.JSON);
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
    String id = create(Seeds.debianEnvironment("idle"), Api.JSON);
    String path = "/api/v1/environments/" + id;

    assertThat(api.get(path + "/stats").problem(409).path("detail").asText()).contains("not RUNNING");
    assertThat(api.get(path + "/logs?tail=10&follow=false").problem(409).path("detail").asText()).contains("no container");
  }

  @Test
  void logsRefuseATailOutOfRangeOrMalformed() {
    String id = create(Seeds.debianEnvironment("tailed"), Api.JSON);
    String path = "/api/v1/environments/" + id + "/logs";

    for (String query : List.of("?tail=-1", "?tail=100001", "?tail=abc")) {
      Api.Answer answer = api.get(path + query);
      answer.problem(400);
      assertThat(answer.errorFields()).as(query).containsExactly("tail");
    }
    Api.Answer badFollow = api.get(path + "?follow=perhaps");
    badFollow.problem(400);
    assertThat(badFollow.errorFields()).containsExactly("follow");
  }

  @Test
  void servesTheGeneratedDockerfile() {
    String id = create(Seeds.environmentJson(), Api.JSON);

    Api.Answer dockerfile = api.get("/api/v1/environments/" + id + "/dockerfile");

    assertThat(dockerfile.status()).isEqualTo(200);
    assertThat(dockerfile.contentType()).startsWith("text/plain");
    assertThat(dockerfile.body()).contains("FROM ").contains("RUN ").contains("numpy");
  }

  @Test
  void exportsAKubernetesManifestAsMultiDocumentYaml() {
    String id = create(Seeds.environmentJson(), Api.JSON);
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

  private static List<String> ids(JsonNode environments) {
    List<String> ids = new ArrayList<>();
    environments.forEach(e -> ids.add(e.path("id").asText()));
    return ids;
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
