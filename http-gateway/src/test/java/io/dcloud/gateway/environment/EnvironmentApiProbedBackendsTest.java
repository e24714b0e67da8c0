package io.dcloud.gateway.environment;

import static io.dcloud.gateway.environment.EnvironmentApiRequests.READ_SIDE_WAIT;
import static io.dcloud.gateway.environment.EnvironmentApiRequests.create;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.ConfigFactory;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.Seeds;
import io.dcloud.gateway.common.GatewaySettings;
import io.dcloud.identity.UserRegistry;
import io.dcloud.scheduler.Scheduler;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
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
 * The environment API in a second gateway on the same cluster whose environment entity, scheduler
 * or user registry is a probe: what the gateway asks them, and how it answers when they do not.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnvironmentApiProbedBackendsTest {
  private GatewayTestCluster cluster;
  private Api api;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("EnvironmentApiProbedBackendsTest");
    api = Api.admin(cluster.base);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  /**
   * The entity not answering in time (its shard moving off a lost node, say) is played by a silent
   * probe in another gateway on the same cluster: its GET answers from the read side, marked stale.
   */
  @Test
  void aGetTheEntityDoesNotAnswerInTimeIsAnsweredStaleFromTheReadSide() throws Exception {
    String id = create(api, Seeds.debianEnvironment("read-while-moving"), Api.JSON);
    String path = "/api/v1/environments/" + id;
    cluster.testKit.createTestProbe().awaitAssert(READ_SIDE_WAIT, () -> {
      assertThat(api.get("/api/v1/environments?status=QUEUED&name=read-while-moving").ids("environments"))
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
   * While a gateway refuses creates its reads wait for an entity only briefly: a silent entity's
   * environment is answered from the read side at once, though read-ask-timeout is ten minutes, and
   * one the read side has not heard of waits for its entity again, whose answer is the one given.
   */
  @Test
  void whileTheGatewayShedsCreatesAReadWaitsForItsEntityOnlyBriefly() throws Exception {
    String id = createdAndListed("read-while-shedding");
    try (Shedding shedding = shedding("50ms")) {
      Api.Answer answer = shedding.api.get("/api/v1/environments/" + id);

      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
      assertThat(answer.json().path("stale").asBoolean()).isTrue();
      assertThat(answer.json().path("name").asText()).isEqualTo("read-while-shedding");
      shedding.entity.expectMessageClass(EnvironmentEntity.Get.class);

      String unheardOf = UUID.randomUUID().toString();
      CompletableFuture<Api.Answer> fresh = CompletableFuture.supplyAsync(() -> shedding.api.get("/api/v1/environments/" + unheardOf));
      shedding.entity.expectMessageClass(EnvironmentEntity.Get.class);
      shedding.entity.expectMessageClass(EnvironmentEntity.Get.class).replyTo().tell(new EnvironmentEntity.NotFound(unheardOf));
      fresh.get(READ_SIDE_WAIT.toSeconds(), TimeUnit.SECONDS).problem(404);
    }
  }

  /** With a zero wait the entity of an environment the read side knows is not asked at all while shedding. */
  @Test
  void whileTheGatewayShedsCreatesAZeroWaitAnswersFromTheReadSideWithoutAskingTheEntity() throws Exception {
    String id = createdAndListed("read-from-read-side");
    try (Shedding shedding = shedding("0s")) {
      Api.Answer answer = shedding.api.get("/api/v1/environments/" + id);

      assertThat(answer.status()).as(answer.body()).isEqualTo(200);
      assertThat(answer.json().path("stale").asBoolean()).isTrue();
      assertThat(answer.json().path("name").asText()).isEqualTo("read-from-read-side");
      // The first question the entity gets is about the next read, of an environment the read side has not heard of.
      String unheardOf = UUID.randomUUID().toString();
      CompletableFuture<Api.Answer> fresh = CompletableFuture.supplyAsync(() -> shedding.api.get("/api/v1/environments/" + unheardOf));
      EnvironmentEntity.Get asked = shedding.entity.expectMessageClass(EnvironmentEntity.Get.class);
      assertThat(shedding.entityIds).containsExactly(unheardOf);
      asked.replyTo().tell(new EnvironmentEntity.NotFound(unheardOf));
      fresh.get(READ_SIDE_WAIT.toSeconds(), TimeUnit.SECONDS).problem(404);
    }
  }

  private String createdAndListed(String name) {
    String id = create(api, Seeds.debianEnvironment(name), Api.JSON);
    cluster.testKit.createTestProbe().awaitAssert(READ_SIDE_WAIT, () -> {
      assertThat(api.get("/api/v1/environments?name=" + name).ids("environments")).containsExactly(id);
      return null;
    });
    return id;
  }

  /** A second gateway that has refused a create (so it sheds for the whole test), with a silent scheduler and entities. */
  private record Shedding(Api api, TestProbe<EnvironmentEntity.Command> entity, List<String> entityIds, ServerBinding binding)
      implements AutoCloseable {
    @Override
    public void close() {
      binding.unbind();
    }
  }

  private Shedding shedding(String readAskTimeoutWhileShedding) throws Exception {
    TestProbe<Scheduler.Command> silentScheduler = cluster.testKit.createTestProbe();
    TestProbe<EnvironmentEntity.Command> silentEntity = cluster.testKit.createTestProbe();
    List<String> entityIds = new CopyOnWriteArrayList<>();
    GatewaySettings settings = GatewaySettings.fromConfig(ConfigFactory.parseString("""
            dcloud.http.read-ask-timeout = 10m
            dcloud.http.read-ask-timeout-while-shedding = %s
            # Shedding lasts as long as the Retry-After given: the whole test.
            dcloud.http.create-retry-after = 10m
            """.formatted(readAskTimeoutWhileShedding)).withFallback(cluster.system().settings().config()))
        .withMaxCreatesInFlight(1);
    ServerBinding binding = cluster.start(cluster.backends.withScheduler(silentScheduler.getRef()).withEnvironments(environmentId -> {
      entityIds.add(environmentId);
      return TestEntityRef.of(EnvironmentEntity.TYPE_KEY, environmentId, silentEntity.getRef());
    }), settings);
    Api api = Api.admin(GatewayTestCluster.uri(binding));
    CompletableFuture.runAsync(() -> api.post("/api/v1/environments", Api.JSON, Seeds.debianEnvironment("admitted")));
    silentScheduler.expectMessageClass(Scheduler.CheckFeasible.class);
    api.post("/api/v1/environments", Api.JSON, Seeds.debianEnvironment("refused")).problem(429);
    entityIds.clear();
    return new Shedding(api, silentEntity, entityIds, binding);
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
}
