package io.dcloud.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Services through the API against the real service and environment entities. No worker exists,
 * so replicas stay REQUESTED or QUEUED; creating, scaling and deleting them still go through.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ServiceApiTest {
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
    // A secrets key: a definition read back shows secret-env too.
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    cluster = new GatewayTestCluster("ServiceApiTest", Map.of("dcloud.secrets.key", Base64.getEncoder().encodeToString(key)));
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

  private static String service(String name, int replicas) {
    return "{\"name\": \"" + name + "\", \"kind\": \"app\", \"environment\": " + ENVIRONMENT + ", \"port\": 8080, "
        + "\"replicas\": " + replicas + ", \"readiness\": {\"path\": \"/ready\"}}";
  }

  /** {@code object} (a JSON object's text) with one more field. */
  private static String withField(String object, String field) {
    return object.substring(0, object.lastIndexOf('}')) + ", " + field + "}";
  }

  /** Polls until {@code name}'s replicas are {@code count} environments of its owner that name the service. */
  private List<String> replicasOf(Api api, String name, int count) {
    return Awaitility.await("replicas of " + name + " to be " + count + " environments").atMost(WAIT).until(() -> {
      List<String> ids = new ArrayList<>();
      api.get("/api/v1/services/" + name).json().path("replicas").forEach(replica -> ids.add(replica.path("id").asText()));
      return ids.size() == count && ids.stream().allMatch(id -> api.get("/api/v1/environments/" + id).status() == 200)
          ? ids : null;
    }, Objects::nonNull);
  }

  @Test
  void createsShowsListsScalesAndDeletesAServiceWhoseReplicasAreEnvironments() {
    Api.Answer created = alice.post("/api/v1/services", Api.JSON, service("web", 2));

    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.header("location")).isEqualTo("/api/v1/services/web");
    JsonNode body = created.json();
    assertThat(body.path("name").asText()).isEqualTo("web");
    assertThat(body.path("kind").asText()).isEqualTo("app");
    assertThat(body.path("owner").asText()).isEqualTo("alice");
    assertThat(body.path("version").asInt()).isEqualTo(1);
    assertThat(body.path("desiredReplicas").asInt()).isEqualTo(2);
    assertThat(body.path("port").asInt()).isEqualTo(8080);
    assertThat(body.path("readiness").path("path").asText()).isEqualTo("/ready");
    assertThat(body.path("replicas")).hasSize(2);
    assertThat(body.path("replicas").get(0).path("ready").asBoolean(true)).isFalse();

    List<String> ids = replicasOf(alice, "web", 2);
    JsonNode replica = alice.get("/api/v1/environments/" + ids.get(0)).json();
    assertThat(replica.path("owner").asText()).isEqualTo("alice");
    assertThat(replica.path("name").asText()).startsWith("web-");
    assertThat(replica.path("service").asText()).isEqualTo("web");
    assertThat(replica.path("ready").asBoolean(true)).isFalse();

    JsonNode listed = alice.get("/api/v1/services").json().path("services");
    assertThat(listed).extracting(s -> s.path("name").asText()).contains("web");

    Api.Answer scaled = alice.patch("/api/v1/services/web", Api.JSON, "{\"replicas\": 1}");
    assertThat(scaled.status()).as(scaled.body()).isEqualTo(200);
    assertThat(scaled.json().path("desiredReplicas").asInt()).isEqualTo(1);
    assertThat(scaled.json().path("replicas")).extracting(r -> r.path("id").asText()).containsExactly(ids.get(0));

    Api.Answer deleted = alice.delete("/api/v1/services/web");
    assertThat(deleted.status()).as(deleted.body()).isEqualTo(202);
    assertThat(alice.get("/api/v1/services/web").status()).isEqualTo(404);
    Awaitility.await().atMost(WAIT).untilAsserted(() -> assertThat(alice.get("/api/v1/environments/" + ids.get(0)).json()
        .path("status").asText()).as("replica %s", ids.get(0)).isEqualTo("DELETED"));
  }

  @Test
  void theReplicasCountAgainstTheOwnersQuotaWhenCreatedAndScaled() {
    Api quinn = admin.newUserWithQuota("quinn", "app-developer", "{\"cpu\": \"1.5\", \"environments\": 3}");

    // Four replicas of half a core: 2 cores and 4 environments, over both limits.
    Api.Answer refused = quinn.post("/api/v1/services", Api.JSON, service("quota-web", 4));
    refused.problem(403);
    assertThat(refused.errorFields()).containsExactlyInAnyOrder("quota.cpu", "quota.environments");
    assertThat(refused.json().path("detail").asText()).contains("this service's 4 replicas");
    assertThat(quinn.get("/api/v1/services/quota-web").status()).as("nothing made").isEqualTo(404);

    Api.Answer created = quinn.post("/api/v1/services", Api.JSON, service("quota-web", 2));
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    replicasOf(quinn, "quota-web", 2);
    awaitEnvironmentsInUsage(quinn, 2);
    // Two held; a third fits, a fourth does not (and what is held counts once, not again).
    quinn.patch("/api/v1/services/quota-web", Api.JSON, "{\"replicas\": 4}").problem(403);
    Api.Answer scaled = quinn.patch("/api/v1/services/quota-web", Api.JSON, "{\"replicas\": 3}");
    assertThat(scaled.status()).as(scaled.body()).isEqualTo(200);
    replicasOf(quinn, "quota-web", 3);
    awaitEnvironmentsInUsage(quinn, 3);
    assertThat(quinn.delete("/api/v1/services/quota-web").status()).isEqualTo(202);
  }

  /**
   * A new version deployed while the last one still rolls (its surge replica never ready: no worker
   * here, as a broken version's would not be) needs no more room than the roll it takes over: its
   * service never holds more than the desired replicas and the one surge, and the surge replica
   * there is counted already, not a second time.
   */
  @Test
  void aNewVersionDuringARollFitsTheQuotaThatHeldTheRoll() {
    Api sam = admin.newUserWithQuota("sam", "app-developer", "{\"cpu\": \"1.5\", \"environments\": 3}");
    assertThat(sam.post("/api/v1/services", Api.JSON, service("rolling-web", 2)).status()).isEqualTo(201);
    awaitEnvironmentsInUsage(sam, 2);

    String second = service("rolling-web", 2).replace("\"256M\"", "\"300M\"");
    Api.Answer rolls = sam.put("/api/v1/services/rolling-web", Api.JSON, second);
    assertThat(rolls.status()).as(rolls.body()).isEqualTo(200);
    awaitEnvironmentsInUsage(sam, 3);

    Api.Answer third = sam.put("/api/v1/services/rolling-web", Api.JSON, second.replace("\"300M\"", "\"320M\""));
    assertThat(third.status()).as(third.body()).isEqualTo(200);
    assertThat(third.json().path("version").asInt()).isEqualTo(3);
    Api.Answer more = sam.put("/api/v1/services/rolling-web", Api.JSON,
        service("rolling-web", 3).replace("\"256M\"", "\"340M\""));
    more.problem(403);
    assertThat(more.errorFields()).as("a fourth environment at its peak").contains("quota.environments");
    assertThat(sam.delete("/api/v1/services/rolling-web").status()).isEqualTo(202);
  }

  @Test
  void twoServicesCreatedAtOnceCannotBothTakeTheRoomForOne() {
    Api rita = admin.newUserWithQuota("rita", "app-developer", "{\"cpu\": \"1\", \"environments\": 2}");

    // Each fits alone (two replicas of half a core); the quota holds room for one of them.
    List<CompletableFuture<Api.Answer>> both = Stream.of("rita-a", "rita-b")
        .map(name -> CompletableFuture.supplyAsync(() -> rita.post("/api/v1/services", Api.JSON, service(name, 2))))
        .toList();
    List<Integer> statuses = both.stream().map(CompletableFuture::join).map(Api.Answer::status).toList();
    assertThat(statuses).containsExactlyInAnyOrder(201, 403);
    // And a scale past it right after, before the replicas exist, is refused as well.
    String made = statuses.get(0) == 201 ? "rita-a" : "rita-b";
    rita.patch("/api/v1/services/" + made, Api.JSON, "{\"replicas\": 3}").problem(403);
    assertThat(rita.delete("/api/v1/services/" + made).status()).isEqualTo(202);
    // Deleted, it holds nothing: the other fits once its replicas (if any were made) are gone,
    // well before the hold's timeout (30 s) would have let it go.
    String other = made.equals("rita-a") ? "rita-b" : "rita-a";
    Awaitility.await().atMost(Duration.ofSeconds(15)).untilAsserted(() ->
        assertThat(rita.post("/api/v1/services", Api.JSON, service(other, 2)).status()).isEqualTo(201));
    assertThat(rita.delete("/api/v1/services/" + other).status()).isEqualTo(202);
  }

  @Test
  void aPutAppliesADefinitionMakingTheServiceOrRollingIt() {
    String definition = service("applied", 1);

    Api.Answer made = alice.put("/api/v1/services/applied", Api.JSON, definition);
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    assertThat(made.header("location")).isEqualTo("/api/v1/services/applied");
    Api.Answer same = alice.put("/api/v1/services/applied", Api.JSON, definition);
    assertThat(same.status()).as(same.body()).isEqualTo(200);
    assertThat(same.json().path("version").asInt()).as("nothing to roll").isEqualTo(1);

    // Without its name (the path's), more memory per replica: a new version, rolled with a surge of one.
    String next = definition.replace("\"name\": \"applied\", ", "").replace("\"256M\"", "\"300M\"");
    Api.Answer rolled = alice.put("/api/v1/services/applied", Api.JSON, next);
    assertThat(rolled.status()).as(rolled.body()).isEqualTo(200);
    assertThat(rolled.json().path("version").asInt()).isEqualTo(2);
    assertThat(rolled.json().path("replicas").findValuesAsText("version")).containsExactly("1", "2");
    assertThat(admin.get("/api/v1/audit?limit=50").body()).contains("service.update");

    Api.Answer renamed = alice.put("/api/v1/services/applied", Api.JSON, service("other-name", 1));
    renamed.problem(422);
    assertThat(renamed.errorFields()).containsExactly("name");
    assertThat(bob.put("/api/v1/services/applied", Api.JSON, definition).status()).as("another's name").isEqualTo(409);
    Api.Answer asModel = alice.put("/api/v1/services/applied", Api.JSON, definition.replace("\"app\"", "\"model\""));
    assertThat(asModel.status()).as(asModel.body()).isEqualTo(409);
    Api.Answer bad = alice.put("/api/v1/services/applied", Api.JSON, withField(definition, "\"surge\": -1"));
    bad.problem(422);
    assertThat(bad.errorFields()).containsExactly("surge");
    assertThat(alice.get("/api/v1/services/applied").json().path("version").asInt()).isEqualTo(2);
    assertThat(alice.delete("/api/v1/services/applied").status()).isEqualTo(202);
  }

  @Test
  void itsDefinitionReadBackAndAppliedAgainChangesNothingAndAnEditRollsIt() {
    String definition = withField(service("defined", 1).replace("\"port-publish\"",
        "\"env\": {\"GREETING\": \"hi\"}, \"secret-env\": {\"TOKEN\": \"s3cret\"}, \"port-publish\""),
        "\"surge\": 0");
    Api.Answer made = alice.post("/api/v1/services", Api.JSON, definition);
    assertThat(made.status()).as(made.body()).isEqualTo(201);

    Api.Answer read = alice.get("/api/v1/services/defined/definition");
    assertThat(read.status()).as(read.body()).isEqualTo(200);
    JsonNode shown = read.json();
    assertThat(shown.path("name").asText()).isEqualTo("defined");
    assertThat(shown.path("surge").asInt()).isZero();
    assertThat(shown.path("readiness").path("path").asText()).isEqualTo("/ready");
    assertThat(shown.path("environment").has("env-name")).as("DCloud names the replicas").isFalse();
    assertThat(shown.path("environment").path("env").path("GREETING").asText()).as("values never shown").isEqualTo("<set>");
    assertThat(shown.path("environment").path("secret-env").path("TOKEN").asText()).isEqualTo("<set>");
    assertThat(bob.get("/api/v1/services/defined/definition").status()).as("another's").isEqualTo(404);
    assertThat(admin.get("/api/v1/services/defined/definition").status()).isEqualTo(200);

    // Sent back as shown: each variable keeps its value, so nothing differs and nothing rolls.
    Api.Answer same = alice.put("/api/v1/services/defined", Api.JSON, shown.toString());
    assertThat(same.status()).as(same.body()).isEqualTo(200);
    assertThat(same.json().path("version").asInt()).isEqualTo(1);
    ((ObjectNode) shown.path("environment").path("env")).put("GREETING", "hello");
    Api.Answer edited = alice.put("/api/v1/services/defined", Api.JSON, shown.toString());
    assertThat(edited.json().path("version").asInt()).as(edited.body()).isEqualTo(2);
    ((ObjectNode) shown.path("environment").path("secret-env")).put("OTHER", "<set>");
    Api.Answer unknown = alice.put("/api/v1/services/defined", Api.JSON, shown.toString());
    unknown.problem(422);
    assertThat(unknown.errorFields()).containsExactly("environment.secret-env.OTHER");

    // A restart: the same definition as a new version, at the scale it has now; another's is a 404.
    assertThat(alice.patch("/api/v1/services/defined", Api.JSON, "{\"replicas\": 2}").status()).isEqualTo(200);
    Api.Answer restarted = alice.postEmpty("/api/v1/services/defined/restart");
    assertThat(restarted.status()).as(restarted.body()).isEqualTo(202);
    assertThat(restarted.json().path("version").asInt()).isEqualTo(3);
    assertThat(restarted.json().path("desiredReplicas").asInt()).as("its scale kept").isEqualTo(2);
    assertThat(alice.get("/api/v1/services/defined/definition").json().path("environment").path("env").path("GREETING")
        .asText()).as("its definition unchanged").isEqualTo("<set>");
    assertThat(bob.postEmpty("/api/v1/services/defined/restart").status()).isEqualTo(404);
    assertThat(alice.postEmpty("/api/v1/services/no-such-service/restart").status()).isEqualTo(404);
    assertThat(alice.delete("/api/v1/services/defined").status()).isEqualTo(202);
  }

  /** {@code spread}: preferred unless required; shown by the definition; a change of it rolls a new version. */
  @Test
  void aServicesSpreadIsPreferredUnlessRequiredAndAChangeOfItRolls() {
    Api.Answer plain = alice.post("/api/v1/services", Api.JSON, service("spread-soft", 1));
    assertThat(plain.status()).as(plain.body()).isEqualTo(201);
    assertThat(alice.get("/api/v1/services/spread-soft/definition").json().path("spread").asText()).isEqualTo("preferred");
    Api.Answer required = alice.post("/api/v1/services", Api.JSON,
        withField(service("spread-hard", 1), "\"spread\": \"required\""));
    assertThat(required.status()).as(required.body()).isEqualTo(201);
    JsonNode shown = alice.get("/api/v1/services/spread-hard/definition").json();
    assertThat(shown.path("spread").asText()).isEqualTo("required");
    assertThat(alice.get("/api/v1/services/spread-hard").json().path("spread").asText()).isEqualTo("required");
    assertThat(alice.get("/api/v1/services/spread-soft").json().path("spread").asText()).isEqualTo("preferred");

    ((ObjectNode) shown).put("spread", "preferred");
    Api.Answer relaxed = alice.put("/api/v1/services/spread-hard", Api.JSON, shown.toString());
    assertThat(relaxed.json().path("version").asInt()).as("its replicas are placed anew").isEqualTo(2);
    Api.Answer bad = alice.post("/api/v1/services", Api.JSON,
        withField(service("spread-bad", 1), "\"spread\": \"everywhere\""));
    bad.problem(422);
    assertThat(bad.errorFields()).containsExactly("spread");
    assertThat(bad.reasonFor("spread")).contains("must be required", "not \"everywhere\"");
    assertThat(alice.delete("/api/v1/services/spread-soft").status()).isEqualTo(202);
    assertThat(alice.delete("/api/v1/services/spread-hard").status()).isEqualTo(202);
  }

  @Test
  void aServicesSurgeIsOneUnlessSetToZero() {
    Api.Answer plain = alice.post("/api/v1/services", Api.JSON, service("surge-one", 1));
    assertThat(plain.json().path("surge").asInt()).as(plain.body()).isEqualTo(1);
    Api.Answer none = alice.post("/api/v1/services", Api.JSON, withField(service("surge-none", 1), "\"surge\": 0"));
    assertThat(none.json().path("surge").asInt()).as(none.body()).isZero();
    assertThat(alice.get("/api/v1/services/surge-none").json().path("surge").asInt()).isZero();

    Api.Answer bad = alice.post("/api/v1/services", Api.JSON, withField(service("surge-two", 1), "\"surge\": 2"));
    bad.problem(422);
    assertThat(bad.errorFields()).containsExactly("surge");
    assertThat(alice.get("/api/v1/services/surge-two").status()).isEqualTo(404);
    assertThat(alice.delete("/api/v1/services/surge-one").status()).isEqualTo(202);
    assertThat(alice.delete("/api/v1/services/surge-none").status()).isEqualTo(202);
  }

  /** A service's replicas are environments of its owner's in the quota's usage, once the read side counts them. */
  private static void awaitEnvironmentsInUsage(Api user, int environments) {
    Awaitility.await().atMost(WAIT).untilAsserted(() ->
        assertThat(user.get("/api/v1/users/me").json().path("usage").path("environments").asInt()).isEqualTo(environments));
  }

  /** A deleted user's environments are stopped; their service's replicas go on serving, the service theirs still. */
  @Test
  void deletingAUserStopsTheirEnvironmentsButNotTheirServicesReplicas() {
    Api carl = admin.newUserWithQuota("carl", "app-developer", "{\"cpu\": \"4\", \"environments\": 4}");
    assertThat(carl.post("/api/v1/services", Api.JSON, service("carls-web", 1)).status()).isEqualTo(201);
    String replica = replicasOf(carl, "carls-web", 1).get(0);
    Api.Answer created = carl.post("/api/v1/environments", Api.JSON, withField(ENVIRONMENT, "\"env-name\": \"notebook\""));
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String notebook = created.json().path("id").asText();
    // The deletion stops what the read side lists as theirs.
    awaitEnvironmentsInUsage(carl, 2);

    Api.Answer deleted = admin.delete("/api/v1/users/carl");

    assertThat(deleted.status()).as(deleted.body()).isEqualTo(200);
    assertThat(deleted.json().path("username").asText()).isEqualTo("carl");
    assertThat(deleted.json().path("stoppedEnvironments").toString()).isEqualTo("[\"" + notebook + "\"]");
    Awaitility.await().atMost(WAIT).untilAsserted(() ->
        assertThat(admin.get("/api/v1/environments/" + notebook).json().path("status").asText()).isEqualTo("STOPPED"));
    assertThat(admin.get("/api/v1/environments/" + replica).json().path("status").asText()).isNotEqualTo("STOPPED");
    assertThat(admin.get("/api/v1/services/carls-web").json().path("owner").asText()).isEqualTo("carl");
    assertThat(admin.delete("/api/v1/users/carl").status()).as("deleted already").isEqualTo(404);
    assertThat(admin.delete("/api/v1/services/carls-web").status()).isEqualTo(202);
  }

  @Test
  void aTakenNameIs409AndOthersServicesAre404ButAdminsSeeThem() {
    assertThat(alice.post("/api/v1/services", Api.JSON, service("taken", 1)).status()).isEqualTo(201);

    Api.Answer again = bob.post("/api/v1/services", Api.JSON, service("taken", 1));
    assertThat(again.status()).as(again.body()).isEqualTo(409);
    assertThat(bob.get("/api/v1/services/taken").status()).isEqualTo(404);
    assertThat(bob.patch("/api/v1/services/taken", Api.JSON, "{\"replicas\": 3}").status()).isEqualTo(404);
    assertThat(bob.delete("/api/v1/services/taken").status()).isEqualTo(404);
    assertThat(bob.get("/api/v1/services").json().path("services"))
        .extracting(s -> s.path("name").asText()).doesNotContain("taken");
    assertThat(admin.get("/api/v1/services/taken").json().path("owner").asText()).isEqualTo("alice");
    assertThat(admin.delete("/api/v1/services/taken").status()).isEqualTo(202);
  }

  @Test
  void aListingNamesTheCallersOwnServicesInPages() {
    admin.createUser("pam", "app-developer");
    Api pam = admin.signedIn("pam");
    for (String name : List.of("pam-c", "pam-a", "pam-b")) {
      assertThat(pam.post("/api/v1/services", Api.JSON, service(name, 1)).status()).isEqualTo(201);
    }
    assertThat(alice.post("/api/v1/services", Api.JSON, service("alices-own", 1)).status()).isEqualTo(201);

    JsonNode first = pam.get("/api/v1/services?limit=2").json();
    assertThat(first.path("services")).extracting(s -> s.path("name").asText()).containsExactly("pam-a", "pam-b");
    JsonNode second = pam.get("/api/v1/services?limit=2&continue=" + first.path("continue").asText()).json();
    assertThat(second.path("services")).extracting(s -> s.path("name").asText()).containsExactly("pam-c");
    assertThat(second.has("continue")).as("the last page").isFalse();
    assertThat(pam.get("/api/v1/services").json().path("services")).extracting(s -> s.path("name").asText())
        .containsExactly("pam-a", "pam-b", "pam-c");
    assertThat(admin.get("/api/v1/services").json().path("services")).extracting(s -> s.path("name").asText())
        .contains("pam-a", "alices-own");

    Api.Answer badLimit = pam.get("/api/v1/services?limit=0");
    badLimit.problem(400);
    assertThat(badLimit.errorFields()).containsExactly("limit");
    Api.Answer badToken = pam.get("/api/v1/services?limit=2&continue=%25%25");
    badToken.problem(400);
    assertThat(badToken.errorFields()).containsExactly("continue");
  }

  @Test
  void badFieldsAre422NamingEachOne() {
    String body = "{\"name\": \"Bad Name\", \"kind\": \"job\", \"environment\": {\"version\": \"1\", \"os\": \"ubuntu\","
        + " \"resources\": {\"ram\": \"lots\"}}, \"port\": 70000, \"replicas\": 0, \"readiness\": {\"path\": \"ready\"}}";
    Api.Answer refused = alice.post("/api/v1/services", Api.JSON, body);

    assertThat(refused.status()).as(refused.body()).isEqualTo(422);
    assertThat(refused.contentType()).isEqualTo("application/problem+json");
    assertThat(refused.json().path("errors")).extracting(e -> e.path("field").asText())
        .contains("name", "kind", "port", "replicas", "readiness.path", "environment.resources.ram");

    Api.Answer unpublished = alice.post("/api/v1/services", Api.JSON, service("unpublished", 1).replace("\"port\": 8080", "\"port\": 9090"));
    assertThat(unpublished.status()).as(unpublished.body()).isEqualTo(422);
    assertThat(unpublished.json().path("errors").get(0).path("field").asText()).isEqualTo("port");

    Api.Answer badScale = alice.patch("/api/v1/services/nothing-here", Api.JSON, "{\"replicas\": -1}");
    assertThat(badScale.status()).isEqualTo(422);
    assertThat(badScale.json().path("errors").get(0).path("field").asText()).isEqualTo("replicas");
  }

  @Test
  void aModelsBatchingIsSetAtCreationAndChangedLiveWhileAnAppHasNone() {
    String model = withField(service("batched", 1).replace("\"app\"", "\"model\""),
        "\"batching\": {\"max-size\": 8, \"max-wait-ms\": 5}");
    Api.Answer created = alice.post("/api/v1/services", Api.JSON, model);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    assertThat(created.json().path("batching").path("maxSize").asInt()).isEqualTo(8);
    assertThat(created.json().path("batching").path("maxWaitMs").asInt()).isEqualTo(5);

    Api.Answer changed = alice.put("/api/v1/services/batched/batching", Api.JSON, "{\"max-size\": 32, \"max-wait-ms\": 20}");
    assertThat(changed.status()).as(changed.body()).isEqualTo(200);
    assertThat(changed.json().path("batching").path("maxSize").asInt()).isEqualTo(32);
    assertThat(changed.json().path("version").asInt()).as("no new version").isEqualTo(1);
    assertThat(alice.get("/api/v1/services/batched").json().path("batching").path("maxWaitMs").asInt()).isEqualTo(20);
    Api.Answer off = alice.put("/api/v1/services/batched/batching", Api.JSON, "{\"max-size\": 1}");
    assertThat(off.json().path("batching").isNull()).as(off.body()).isTrue();

    assertThat(bob.put("/api/v1/services/batched/batching", Api.JSON, "{\"max-size\": 2}").status()).isEqualTo(404);
    Api.Answer bad = alice.put("/api/v1/services/batched/batching", Api.JSON,
        "{\"max-size\": 0, \"max-wait-ms\": 20000, \"size\": 3}");
    assertThat(bad.status()).as(bad.body()).isEqualTo(422);
    assertThat(bad.json().path("errors")).extracting(e -> e.path("field").asText())
        .containsExactlyInAnyOrder("max-size", "max-wait-ms", "size");

    assertThat(alice.post("/api/v1/services", Api.JSON, service("plain-app", 1)).status()).isEqualTo(201);
    Api.Answer app = alice.put("/api/v1/services/plain-app/batching", Api.JSON, "{\"max-size\": 4}");
    assertThat(app.status()).as(app.body()).isEqualTo(409);
    Api.Answer appWithBatching = alice.post("/api/v1/services", Api.JSON,
        withField(service("batched-app", 1), "\"batching\": {\"max-size\": 8}"));
    assertThat(appWithBatching.status()).as(appWithBatching.body()).isEqualTo(422);
    assertThat(appWithBatching.json().path("errors").get(0).path("field").asText()).isEqualTo("batching");
  }
}
