package io.dcloud.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.Seeds;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Sessions and tokens end to end: cookie sessions need the CSRF header to change anything; a
 * signed-out session, and the tokens of a user disabled or given other roles, stop working
 * (revocations travel through Distributed Data, so their refusal is awaited); failed sign-ins do
 * not tell a wrong name from a wrong password, and a burst of them is throttled; API tokens work
 * until revoked. The throttle counts failures per client address too, and every request here comes
 * from 127.0.0.1: the burst runs last so the other tests can still sign in.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SignInAndTokensApiTest {
  private static final Duration REVOCATION_WAIT = Duration.ofSeconds(10);
  private static final String LOGIN = "/api/v1/auth/login";

  private GatewayTestCluster cluster;
  private Api admin;
  private Api anonymous;
  /** Counts what the gateway counts in the global registry, which has no registry of its own here. */
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeAll
  void start() throws Exception {
    Metrics.addRegistry(meters);
    cluster = new GatewayTestCluster("SignInAndTokensApiTest");
    admin = Api.admin(cluster.base);
    anonymous = new Api(cluster.base);
    for (String name : List.of("cora", "dina", "tom", "rita", "theo")) {
      admin.createUser(name, "data-scientist");
    }
  }

  @AfterAll
  void stop() {
    cluster.close();
    Metrics.removeRegistry(meters);
  }

  private Api.Answer login(String username, String password) {
    return anonymous.post(LOGIN, Api.JSON, "{\"username\": \"" + username + "\", \"password\": \"" + password + "\"}");
  }

  /** A request authenticated only by the session cookie, as a browser sends it. */
  private HttpRequest.Builder withCookie(String path, String token) {
    return HttpRequest.newBuilder(cluster.base.resolve(path)).timeout(Api.REQUEST_TIMEOUT)
        .header("Cookie", "dcloud_session=" + token);
  }

  @Test
  @Order(1)
  void aCookieSessionChangesNothingWithoutItsCsrfTokenAndReadsWithTheCookieAlone() {
    Api.Answer signedIn = login("cora", Api.passwordOf("cora"));
    assertThat(signedIn.status()).isEqualTo(200);
    String setCookie = signedIn.header("set-cookie");
    assertThat(setCookie).startsWith("dcloud_session=" + signedIn.json().path("token").asText()).contains("HttpOnly");
    String token = signedIn.json().path("token").asText();
    String csrf = signedIn.json().path("csrfToken").asText();
    String environment = Seeds.debianEnvironment("cookie");

    Api.Answer read = anonymous.send(withCookie("/api/v1/users/me", token).GET().build());
    assertThat(read.status()).as(read.body()).isEqualTo(200);
    assertThat(read.json().path("username").asText()).isEqualTo("cora");

    Api.Answer withoutCsrf = anonymous.send(withCookie("/api/v1/environments", token)
        .header("content-type", Api.JSON).POST(BodyPublishers.ofString(environment)).build());
    assertThat(withoutCsrf.problem(403).path("type").asText()).isEqualTo("urn:dcloud:problem:csrf-token-missing");
    assertThat(withoutCsrf.errorFields()).containsExactly("X-CSRF-Token");

    Api.Answer wrongCsrf = anonymous.send(withCookie("/api/v1/environments", token).header("X-CSRF-Token", csrf + "x")
        .header("content-type", Api.JSON).POST(BodyPublishers.ofString(environment)).build());
    assertThat(wrongCsrf.problem(403).path("type").asText()).isEqualTo("urn:dcloud:problem:csrf-token-missing");
    assertThat(anonymous.send(withCookie("/api/v1/environments", token).GET().build()).json().path("environments"))
        .as("nothing was created by the refused requests").isEmpty();

    Api.Answer withCsrf = anonymous.send(withCookie("/api/v1/environments", token).header("X-CSRF-Token", csrf)
        .header("content-type", Api.JSON).POST(BodyPublishers.ofString(environment)).build());
    assertThat(withCsrf.status()).as(withCsrf.body()).isEqualTo(202);
  }

  @Test
  @Order(2)
  void aSignedOutSessionIsRefusedAfterwards() {
    Api dina = anonymous.signedIn("dina");
    assertThat(dina.get("/api/v1/users/me").status()).isEqualTo(200);

    Api.Answer logout = dina.postEmpty("/api/v1/auth/logout");

    assertThat(logout.status()).isEqualTo(204);
    assertThat(logout.header("set-cookie")).startsWith("dcloud_session=;");
    Awaitility.await().atMost(REVOCATION_WAIT).untilAsserted(() ->
        assertThat(dina.get("/api/v1/users/me").problem(401).path("type").asText())
            .isEqualTo("urn:dcloud:problem:unauthenticated"));
    assertThat(anonymous.signedIn("dina").get("/api/v1/users/me").status())
        .as("signing out ends that session, not the user's next one").isEqualTo(200);
  }

  @Test
  @Order(3)
  void aDisabledUsersTokensStopWorkingAndTheyCannotSignIn() {
    Api tom = anonymous.signedIn("tom");
    String apiToken = tom.post("/api/v1/users/me/tokens", Api.JSON, "{\"name\": \"script\"}").json().path("token").asText();
    assertThat(getAs(apiToken, "/api/v1/users/me").status()).isEqualTo(200);

    Api.Answer disabled = admin.send(admin.request("/api/v1/users/tom").header("content-type", Api.JSON)
        .method("PATCH", BodyPublishers.ofString("{\"disabled\": true}")).build());

    assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
    assertThat(disabled.json().path("disabled").asBoolean()).isTrue();
    Awaitility.await().atMost(REVOCATION_WAIT).untilAsserted(() -> {
      tom.get("/api/v1/users/me").problem(401);
      getAs(apiToken, "/api/v1/users/me").problem(401);
    });
    assertThat(login("tom", Api.passwordOf("tom")).problem(401).path("detail").asText()).isEqualTo("wrong username or password");
  }

  @Test
  @Order(4)
  void aUserWhoseRolesChangeSignsInAgainToActOnTheNewOnes() {
    Api rita = anonymous.signedIn("rita");
    assertThat(rita.post("/api/v1/environments", Api.JSON, Seeds.debianEnvironment("before")).status()).isEqualTo(202);

    Api.Answer demoted = admin.send(admin.request("/api/v1/users/rita").header("content-type", Api.JSON)
        .method("PATCH", BodyPublishers.ofString("{\"roles\": [\"end-user\"]}")).build());

    assertThat(demoted.status()).as(demoted.body()).isEqualTo(200);
    Awaitility.await().atMost(REVOCATION_WAIT).untilAsserted(() -> rita.get("/api/v1/users/me").problem(401));
    Api again = anonymous.signedIn("rita");
    assertThat(again.get("/api/v1/users/me").json().path("roles").get(0).asText()).isEqualTo("end-user");
    assertThat(again.post("/api/v1/environments", Api.JSON, Seeds.debianEnvironment("after")).problem(403)
        .path("type").asText()).isEqualTo("urn:dcloud:problem:forbidden");
  }

  @Test
  @Order(5)
  void aWrongUsernameAndAWrongPasswordAnswerAlike() {
    double deniedBefore = logins("denied");
    Api.Answer unknownUser = login("nobody-here", "some-password");
    Api.Answer wrongPassword = login("theo", "not-theos-password");

    JsonNode unknown = unknownUser.problem(401);
    JsonNode wrong = wrongPassword.problem(401);
    assertThat(wrong.path("type").asText()).isEqualTo(unknown.path("type").asText());
    assertThat(wrong.path("detail").asText()).isEqualTo(unknown.path("detail").asText());
    assertThat(wrongPassword.body()).doesNotContain("theo").doesNotContain("not-theos-password");
    assertThat(logins("denied")).as("dcloud_auth_logins_total{outcome=denied}").isEqualTo(deniedBefore + 2);
  }

  private double logins(String outcome) {
    Counter counter = meters.find("dcloud.auth.logins").tag("outcome", outcome).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  @Order(6)
  void anApiTokenIsABearerListedWithoutItsSecretUntilItIsRevoked() {
    Api theo = anonymous.signedIn("theo");
    Api.Answer issued = theo.post("/api/v1/users/me/tokens", Api.JSON, "{\"name\": \"ci\", \"expiresIn\": \"30d\"}");
    assertThat(issued.status()).as(issued.body()).isEqualTo(201);
    String id = issued.json().path("id").asText();
    String secret = issued.json().path("token").asText();

    assertThat(getAs(secret, "/api/v1/users/me").json().path("username").asText()).isEqualTo("theo");
    Api.Answer created = anonymous.send(anonymous.request("/api/v1/environments").header("Authorization", "Bearer " + secret)
        .header("content-type", Api.JSON).POST(BodyPublishers.ofString(Seeds.debianEnvironment("by-token"))).build());
    assertThat(created.status()).as("an API token needs no CSRF header: it is no cookie; %s", created.body()).isEqualTo(202);
    Api.Answer listed = theo.get("/api/v1/users/me/tokens");
    assertThat(listed.json().path("tokens").findValuesAsText("id")).containsExactly(id);
    assertThat(listed.json().path("tokens").get(0).path("name").asText()).isEqualTo("ci");
    assertThat(listed.json().path("tokens").get(0).has("token")).isFalse();
    assertThat(listed.body()).doesNotContain(secret);

    assertThat(theo.delete("/api/v1/users/me/tokens/" + id).status()).isEqualTo(204);

    Awaitility.await().atMost(REVOCATION_WAIT).untilAsserted(() -> getAs(secret, "/api/v1/users/me").problem(401));
    assertThat(theo.get("/api/v1/users/me/tokens").json().path("tokens")).isEmpty();
    theo.delete("/api/v1/users/me/tokens/" + id).problem(404);
  }

  @Test
  @Order(7)
  void aBurstOfWrongPasswordsIsThrottledWithRetryAfter() {
    List<Integer> statuses = new ArrayList<>();
    Api.Answer last = null;
    for (int i = 0; i < 8; i++) {
      last = login("theo", "wrong-password-" + i);
      statuses.add(last.status());
    }

    assertThat(statuses).as("the throttle allows dcloud.identity.login-throttle.max-failures (5) a minute")
        .startsWith(401).endsWith(429, 429);
    assertThat(last.problem(429).path("type").asText()).isEqualTo("urn:dcloud:problem:too-many-logins");
    assertThat(Long.parseLong(last.header("retry-after"))).isBetween(1L, 60L);
    assertThat(login("theo", Api.passwordOf("theo")).status()).as("even the right password waits").isEqualTo(429);
  }

  /** Signing out for good: an admin may not delete their own user (another admin must). */
  @Test
  @Order(8)
  void anAdminCannotDeleteThemselves() {
    JsonNode problem = admin.delete("/api/v1/users/admin").problem(409);
    assertThat(problem.path("detail").asText()).contains("cannot delete yourself");
    assertThat(admin.get("/api/v1/users/admin").status()).isEqualTo(200);
  }

  /** A GET with {@code token} as the bearer (Api sends its own sign-in's token). */
  private Api.Answer getAs(String token, String path) {
    return anonymous.send(anonymous.request(path).header("Authorization", "Bearer " + token).GET().build());
  }
}
