package io.dcloud.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.environment.EnvironmentDirectory;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.Seeds;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Quotas are enforced at create and start, reported in /users/me, and every change is audited. */
class QuotaAndAuditApiTest {
  private static GatewayTestCluster cluster;
  private static Api admin;

  @BeforeAll
  static void start() throws Exception {
    // Fifty creates at once all reach the quota check: a fresh gateway's admission (which starts
    // at 16 in flight and grows as creates are answered) would refuse some with 429 first.
    // A deleted user's environments are looked at again 2 s after the deletion, not the shipped 25 s.
    cluster = new GatewayTestCluster("quota-and-audit-api-test", java.util.Map.of(
        "dcloud.http.initial-creates-in-flight", 256, "dcloud.http.user-deletion-recheck-after", "2s"));
    admin = Api.admin(cluster.base);
    // A dataset's readers must exist: the users are made before they are named readers of the seed's dataset.
    for (String name : List.of("dana", "erin", "finn", "gail", "hugo", "ivan")) {
      Api.Answer made = admin.post("/api/v1/users", Api.JSON,
          "{\"username\": \"" + name + "\", \"password\": \"secret-" + name + "\", \"roles\": [\"data-scientist\"]}");
      assertThat(made.status()).as(made.body()).isEqualTo(201);
    }
    Seeds.uploadSeedDataset(admin, "dana", "erin", "finn", "gail", "hugo", "ivan");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  /** One of the users made at the start, with {@code quota} (when not null), signed in. */
  private static Api user(String name, String quota) {
    if (quota != null) {
      Api.Answer set = admin.put("/api/v1/users/" + name + "/quota", Api.JSON, quota);
      assertThat(set.status()).as(set.body()).isEqualTo(200);
    }
    return new Api(cluster.base).signedIn(name, "secret-" + name);
  }

  private static String oneCore(String name) {
    return Seeds.environmentWith(config -> {
      config.put("env-name", name);
      config.putObject("resources").put("cpu", "1").put("ram", "1G");
    });
  }

  @Test
  void aCreatePastTheQuotaIsRefusedNamingEachResourceAndNothingIsCreated() {
    Api dana = user("dana", "{\"cpu\": \"2\", \"environments\": 5}");
    assertThat(dana.post("/api/v1/environments", Api.JSON, oneCore("first")).status()).isEqualTo(202);
    assertThat(dana.post("/api/v1/environments", Api.JSON, oneCore("second")).status()).isEqualTo(202);

    Api.Answer third = dana.post("/api/v1/environments", Api.JSON, oneCore("third"));

    JsonNode problem = third.problem(403);
    assertThat(problem.path("type").asText()).isEqualTo("urn:dcloud:problem:quota-exceeded");
    assertThat(third.reasonFor("quota.cpu")).isEqualTo("uses 2 of 2, this asks for 1");
    assertThat(dana.get("/api/v1/environments").json().path("environments")).hasSize(2);
    JsonNode me = dana.get("/api/v1/users/me").json();
    assertThat(me.path("quota").path("cpu").asText()).isEqualTo("2");
    assertThat(me.path("usage").path("cpu").asText()).isEqualTo("2");
    assertThat(me.path("usage").path("environments").asInt()).isEqualTo(2);
    JsonNode asAdminSeesHer = admin.get("/api/v1/users/dana").json();
    assertThat(asAdminSeesHer.path("usage")).as("an admin's look: why was her create refused?").isEqualTo(me.path("usage"));
    assertThat(asAdminSeesHer.path("groups").isArray()).isTrue();
    assertThat(admin.get("/api/v1/users").json().path("users").get(0).has("usage")).as("not in the list").isFalse();
  }

  @Test
  void fiftyConcurrentCreatesAtTheEdgeOfTheQuotaAdmitExactlyWhatFits() {
    Api erin = user("erin", "{\"cpu\": \"10\", \"environments\": 100}");
    List<CompletableFuture<HttpResponse<String>>> creates = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      HttpRequest request = erin.request("/api/v1/environments").header("content-type", Api.JSON)
          .POST(HttpRequest.BodyPublishers.ofString(oneCore("edge-" + i))).build();
      creates.add(erin.http.sendAsync(request, HttpResponse.BodyHandlers.ofString()));
    }
    List<Integer> statuses = creates.stream().map(CompletableFuture::join).map(HttpResponse::statusCode).toList();

    assertThat(statuses.stream().filter(s -> s == 202).count()).as("admitted: %s", statuses).isEqualTo(10);
    assertThat(statuses.stream().filter(s -> s == 403).count()).as("refused: %s", statuses).isEqualTo(40);
    assertThat(erin.get("/api/v1/environments").json().path("environments")).hasSize(10);
  }

  @Test
  void aStoppedEnvironmentFreesItsCpuButItsStartIsCheckedAgain() {
    Api finn = user("finn", "{\"cpu\": \"1\"}");
    String first = finn.post("/api/v1/environments", Api.JSON, oneCore("one")).json().path("id").asText();
    assertThat(finn.postEmpty("/api/v1/environments/" + first + "/stop").status()).isEqualTo(202);
    String second = finn.post("/api/v1/environments", Api.JSON, oneCore("two")).json().path("id").asText();
    assertThat(second).isNotBlank();

    Api.Answer start = finn.postEmpty("/api/v1/environments/" + first + "/start");

    assertThat(start.problem(403).path("type").asText()).isEqualTo("urn:dcloud:problem:quota-exceeded");
    // A restart of a stopped one starts it: checked the same way.
    Api.Answer restart = finn.postEmpty("/api/v1/environments/" + first + "/restart");
    assertThat(restart.problem(403).path("type").asText()).isEqualTo("urn:dcloud:problem:quota-exceeded");
  }

  /** What a user owns is owned by name: a new user gets a deleted one's name only to inherit it, said out loud. */
  @Test
  void aDeletedUsersNameGoesToANewUserOnlyWhenItIsToInheritWhatTheyOwned() {
    String user = "{\"username\": \"hugo\", \"password\": \"secret-hugo\", \"roles\": [\"data-scientist\"]";
    Api.Answer created = user("hugo", null).post("/api/v1/environments", Api.JSON, oneCore("left-behind"));
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String id = created.json().path("id").asText();
    Api.Answer deleted = admin.delete("/api/v1/users/hugo");
    assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
    // Stopped first: it held (or waited for) a core of the cluster for nobody.
    assertThat(deleted.json().path("stoppedEnvironments").toString()).isEqualTo("[\"" + id + "\"]");
    Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      assertThat(admin.get("/api/v1/environments/" + id).json().path("status").asText()).isEqualTo("STOPPED");
      List<String> audited = new ArrayList<>();
      admin.get("/api/v1/audit?user=admin").json().path("entries").forEach(entry -> audited.add(
          entry.path("action").asText() + ":" + entry.path("target").asText() + ":" + entry.path("outcome").asText()));
      assertThat(audited).as("the admin's stop of it, and the deletion")
          .contains("environment.stop:" + id + ":ok", "user.delete:hugo:ok (stopped 1 environment(s))");
    });

    // The admin may start it again (to read its files, say): a deleted user's quota is not the end user's none.
    assertThat(admin.postEmpty("/api/v1/environments/" + id + "/start").status()).isEqualTo(202);

    Api.Answer again = admin.post("/api/v1/users", Api.JSON, user + "}");
    JsonNode problem = again.problem(409);
    assertThat(again.reasonFor("username")).contains("was deleted").contains("inheritDeleted");
    assertThat(problem.path("detail").asText()).contains("environments");
    admin.post("/api/v1/users", Api.JSON, user + ", \"inheritDeleted\": \"yes\"}").problem(422);
    assertThat(admin.get("/api/v1/users/hugo").status()).isEqualTo(404);

    assertThat(admin.post("/api/v1/users", Api.JSON, user + ", \"inheritDeleted\": true}").status()).isEqualTo(201);
    Api newHugo = new Api(cluster.base).signedIn("hugo", "secret-hugo");
    assertThat(newHugo.get("/api/v1/environments").json().path("environments").findValuesAsText("id")).contains(id);
  }

  /**
   * A create of the user's that passed its checks just before they were disabled reaches its
   * environment after the deletion listed theirs: it is stopped when the deletion looks again. One
   * an admin started after the deletion is the admin's to stop.
   */
  @Test
  void aUsersCreateThatArrivesAfterTheirDeletionIsStoppedWhenItLooksAgain() throws Exception {
    Api ivan = user("ivan", null);
    String running = ivan.post("/api/v1/environments", Api.JSON, oneCore("running")).json().path("id").asText();
    String kept = ivan.post("/api/v1/environments", Api.JSON, oneCore("kept")).json().path("id").asText();
    assertThat(ivan.postEmpty("/api/v1/environments/" + kept + "/stop").status()).isEqualTo(202);
    Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
        cluster.backends.folded().get(kept)).isInstanceOfSatisfying(EnvironmentDirectory.Known.class,
            known -> assertThat(known.view().status()).isEqualTo(EnvironmentStatus.STOPPED)));
    EnvironmentView model = ((EnvironmentDirectory.Known) cluster.backends.folded().get(running)).view();

    Api.Answer deleted = admin.delete("/api/v1/users/ivan");
    assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
    assertThat(deleted.json().path("stoppedEnvironments").toString()).isEqualTo("[\"" + running + "\"]");
    // Ivan's create, sent before the deletion, arrives now; the admin starts the stopped one to read its files.
    String late = UUID.randomUUID().toString();
    EnvironmentEntity.Reply reply = cluster.backends.environments().apply(late).<EnvironmentEntity.Reply>ask(
        replyTo -> new EnvironmentEntity.Create(model.spec(), model.image(), replyTo, "ivan", Instant.now().plusSeconds(3)),
        Duration.ofSeconds(3)).toCompletableFuture().get();
    assertThat(reply).isInstanceOf(EnvironmentEntity.Ok.class);
    assertThat(admin.postEmpty("/api/v1/environments/" + kept + "/start").status()).isEqualTo(202);

    Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
      assertThat(admin.get("/api/v1/environments/" + late).json().path("status").asText()).isEqualTo("STOPPED");
      List<String> audited = new ArrayList<>();
      admin.get("/api/v1/audit?user=admin").json().path("entries").forEach(entry -> audited.add(
          entry.path("action").asText() + ":" + entry.path("target").asText() + ":" + entry.path("outcome").asText()));
      assertThat(audited).contains("environment.stop:" + late + ":ok",
          "user.delete:ivan:ok (stopped 1 more environment(s) started as the user was deleted)");
    });
    assertThat(admin.get("/api/v1/environments/" + kept).json().path("status").asText())
        .as("started by the admin after the deletion").isNotIn("STOPPED", "STOPPING");
  }

  @Test
  void usersLoginsAndEnvironmentRequestsAreAuditedWithTheirActor() {
    Api gail = user("gail", null);
    new Api(cluster.base).post("/api/v1/auth/login", Api.JSON, "{\"username\": \"gail\", \"password\": \"wrong-password\"}");
    String id = gail.post("/api/v1/environments", Api.JSON, oneCore("audited")).json().path("id").asText();
    // Refused, and so no event says they were asked for: the gateway records them with their reason.
    String waiting = gail.post("/api/v1/environments", Api.JSON, oneCore("waiting")).json().path("id").asText();
    gail.post("/api/v1/environments/" + waiting + "/resize", Api.JSON, "{\"resources\": {\"cpu\": \"2\"}}").problem(409);
    gail.post("/api/v1/environments", Api.JSON, "{\"os\": \"debian\"}").problem(422);
    String nobodys = "00000000-0000-4000-8000-000000000016";
    gail.postEmpty("/api/v1/environments/" + nobodys + "/stop").problem(404);
    assertThat(gail.postEmpty("/api/v1/environments/" + id + "/stop").status()).isEqualTo(202);
    gail.delete("/api/v1/environments/" + id);

    org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      JsonNode entries = admin.get("/api/v1/audit?user=gail").json().path("entries");
      List<String> actions = new ArrayList<>();
      entries.forEach(entry -> actions.add(entry.path("action").asText() + ":" + entry.path("outcome").asText()));
      assertThat(actions).contains("login:ok", "login:denied", "environment.create:ok", "environment.stop:ok",
          "environment.delete:ok");
      List<String> refused = new ArrayList<>();
      entries.forEach(entry -> {
        if (entry.path("outcome").asText().startsWith("refused")) {
          refused.add(entry.path("action").asText() + " " + entry.path("target").asText() + " " + entry.path("outcome").asText());
        }
      });
      assertThat(refused).hasSize(3);
      assertThat(refused).anySatisfy(line -> assertThat(line).startsWith("environment.resize " + waiting + " refused (409): "));
      assertThat(refused).anySatisfy(line -> assertThat(line).startsWith("environment.create  refused (422): ")
          .contains("env-name"));
      assertThat(refused).anySatisfy(line -> assertThat(line).startsWith("environment.stop " + nobodys + " refused (404): "));
      for (JsonNode entry : entries) {
        if (entry.path("action").asText().startsWith("environment.")) {
          assertThat(entry.path("address").asText()).as("from where: %s", entry).isEqualTo("127.0.0.1");
        }
      }
      JsonNode created = admin.get("/api/v1/audit?user=admin").json().path("entries");
      assertThat(created.findValuesAsText("action")).contains("user.create");
      for (JsonNode entry : created) {
        if (entry.path("action").asText().equals("user.create")) {
          assertThat(entry.path("address").asText()).as("from where").isEqualTo("127.0.0.1");
        }
      }
    });
    assertThat(gail.get("/api/v1/audit").problem(403).path("type").asText()).isEqualTo("urn:dcloud:problem:forbidden");
  }
}
