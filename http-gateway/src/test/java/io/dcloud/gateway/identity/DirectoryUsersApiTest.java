package io.dcloud.gateway.identity;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.Seeds;
import io.dcloud.identity.TestDirectory;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Users of a directory (a real LDAP server in this JVM) through the API: recorded at their first
 * sign-in, so admins list them, set their quota, put them in groups and disable them, and they have
 * API tokens; their password and roles stay the directory's.
 */
class DirectoryUsersApiTest {
  private static final SimpleMeterRegistry METERS = new SimpleMeterRegistry();
  private static TestDirectory directory;
  private static GatewayTestCluster cluster;
  private static Api admin;

  @BeforeAll
  static void start() throws Exception {
    Metrics.addRegistry(METERS);
    directory = TestDirectory.start(0);
    Map<String, Object> settings = new HashMap<>();
    ConfigFactory.parseString(TestDirectory.settings(directory.url(), "")).entrySet()
        .forEach(entry -> settings.put(entry.getKey(), entry.getValue().unwrapped()));
    settings.put("dcloud.identity.authenticators", List.of("built-in", "ldap"));
    cluster = new GatewayTestCluster("directory-users-api-test", settings);
    admin = Api.admin(cluster.base);
  }

  @AfterAll
  static void stop() {
    cluster.close();
    directory.close();
    Metrics.removeRegistry(METERS);
  }

  /** {@code dcloud_auth_logins_total{outcome=ok, via}} now. */
  private static double signedInVia(String via) {
    Counter counter = METERS.find("dcloud.auth.logins").tag("outcome", "ok").tag("via", via).counter();
    return counter == null ? 0 : counter.count();
  }

  private static Api signIn(String username, String password) {
    return new Api(cluster.base).signedIn(username, password);
  }

  private static int signInStatus(String username, String password) {
    return new Api(cluster.base).post("/api/v1/auth/login", Api.JSON,
        "{\"username\": \"" + username + "\", \"password\": \"" + password + "\"}").status();
  }

  private static String withCores(String cores) {
    return Seeds.environmentWith(config -> {
      config.put("env-name", "directory-" + cores.replace('.', '-'));
      config.putObject("resources").put("cpu", cores).put("ram", "1G");
    });
  }

  @Test
  void aDirectorysUserIsRecordedAtSignInAndAdminsManageThemAsDCloudsOwn() {
    assertThat(admin.get("/api/v1/users/alice").status()).as("before her first sign-in").isEqualTo(404);
    double throughLdap = signedInVia("ldap");
    Api alice = signIn("alice", "alice-pw");
    assertThat(signedInVia("ldap")).as("dcloud_auth_logins_total{outcome=ok, via=ldap}").isEqualTo(throughLdap + 1);

    JsonNode listed = admin.get("/api/v1/users").json().path("users");
    JsonNode recorded = null;
    for (JsonNode user : listed) {
      if (user.path("username").asText().equals("alice")) {
        recorded = user;
      }
    }
    assertThat(recorded).as("alice in %s", listed).isNotNull();
    assertThat(recorded.path("source").asText()).isEqualTo("ldap");
    assertThat(recorded.path("roles").toString()).isEqualTo("[\"app-developer\",\"data-scientist\"]");
    assertThat(admin.get("/api/v1/users/admin").json().path("source").asText()).isEqualTo("built-in");
    assertThat(alice.get("/api/v1/users/me").json().path("source").asText()).isEqualTo("ldap");
    // Recorded, she may be named a dataset's reader (the seed's environment mounts one).
    Seeds.uploadSeedDataset(admin, "alice");

    // Her quota is DCloud's to set, and holds her requests.
    assertThat(admin.put("/api/v1/users/alice/quota", Api.JSON, "{\"cpu\": \"1\"}").status()).isEqualTo(200);
    assertThat(alice.post("/api/v1/environments", Api.JSON, withCores("2")).problem(403).path("detail").asText())
        .contains("quota of alice");
    assertThat(alice.post("/api/v1/environments", Api.JSON, withCores("0.5")).status()).isEqualTo(202);

    // Her password and roles are the directory's.
    Api.Answer roles = admin.patch("/api/v1/users/alice", Api.JSON, "{\"roles\": [\"admin\"]}");
    roles.problem(422);
    assertThat(roles.reasonFor("roles")).contains("ldap").contains("role-mapping");
    Api.Answer password = admin.patch("/api/v1/users/alice", Api.JSON, "{\"password\": \"a-new-password\"}");
    password.problem(422);
    assertThat(password.reasonFor("password")).contains("directory password");
    assertThat(signInStatus("alice", "alice-pw")).isEqualTo(200);

    // An API token for her scripts, and a group of DCloud's.
    Api.Answer token = alice.post("/api/v1/users/me/tokens", Api.JSON, "{\"name\": \"notebook sync\"}");
    assertThat(token.status()).as(token.body()).isEqualTo(201);
    Api script = alice.bearing(token.json().path("token").asText());
    assertThat(script.get("/api/v1/users/me").json().path("username").asText()).isEqualTo("alice");
    Api.Answer group = admin.post("/api/v1/groups", Api.JSON, "{\"name\": \"ldap-lab\", \"members\": [\"alice\"]}");
    assertThat(group.status()).as(group.body()).isEqualTo(201);

    // Disabled in DCloud, the directory's yes no longer signs her in, and her tokens end.
    // As the console's form sends it: her roles as they are, with the flag.
    Api.Answer disabled = admin.patch("/api/v1/users/alice", Api.JSON,
        "{\"roles\": [\"data-scientist\", \"app-developer\"], \"disabled\": true}");
    assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
    assertThat(signInStatus("alice", "alice-pw")).isEqualTo(401);
    // Every gateway's copy of the revocations hears of it by replication, a moment later.
    Awaitility.await().atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(script.get("/api/v1/users/me").status()).isEqualTo(401));
    assertThat(admin.patch("/api/v1/users/alice", Api.JSON, "{\"disabled\": false}").status()).isEqualTo(200);
    assertThat(signIn("alice", "alice-pw").get("/api/v1/users/me").json().path("groups").toString())
        .isEqualTo("[\"ldap-lab\"]");
  }

  @Test
  void theDirectorysAdminNeverSignsInAsDCloudsAdmin() {
    assertThat(signInStatus("admin", "admin-pw")).isEqualTo(401);
    assertThat(admin.get("/api/v1/users/admin").json().path("source").asText()).isEqualTo("built-in");
    double builtIn = signedInVia("built-in");
    assertThat(signInStatus("admin", GatewayTestCluster.ADMIN_PASSWORD)).isEqualTo(200);
    assertThat(signedInVia("built-in")).isEqualTo(builtIn + 1);
  }
}
