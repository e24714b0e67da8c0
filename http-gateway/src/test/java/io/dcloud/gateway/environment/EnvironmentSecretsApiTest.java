package io.dcloud.gateway.environment;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueFactory;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.Seeds;
import io.dcloud.gateway.SseReader;
import io.dcloud.gateway.common.GatewaySettings;
import io.dcloud.secret.SecretKeys;
import io.dcloud.spec.EnvironmentSpec;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.serialization.SerializationExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Variable values through the API: write-only everywhere an environment is shown (the create answer,
 * GET, lists, the SSE feed, the Kubernetes manifest), and secret-env stored only as ciphertext.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnvironmentSecretsApiTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String PLAIN_VALUE = "plain-value-7";
  private static final String SECRET_VALUE = "hunter2-secret";

  private GatewayTestCluster cluster;
  private Config keyed;
  /** A second gateway on the same cluster, with a secrets key (the first has none). */
  private ServerBinding keyedGateway;
  private Api api;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("EnvironmentSecretsApiTest");
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    keyed = cluster.testKit.system().settings().config()
        .withValue("dcloud.secrets.key", ConfigValueFactory.fromAnyRef(Base64.getEncoder().encodeToString(key)));
    keyedGateway = cluster.start(cluster.backends, GatewaySettings.fromConfig(keyed));
    api = Api.admin(GatewayTestCluster.uri(keyedGateway));
    // A dataset's readers must exist: nina is made before she is named one.
    Api.Answer made = api.post("/api/v1/users", Api.JSON,
        "{\"username\": \"nina\", \"password\": \"nina-password\", \"roles\": [\"data-scientist\"]}");
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    Seeds.uploadSeedDataset(api, "nina");
  }

  @AfterAll
  void stop() {
    keyedGateway.unbind();
    cluster.close();
  }

  private static String withVariables(String name) {
    return Seeds.environmentWith(config -> {
      config.put("env-name", name);
      config.putObject("env").put("MODE", PLAIN_VALUE);
      config.putObject("secret-env").put("API_TOKEN", SECRET_VALUE);
    });
  }

  private static void showsNamesNotValues(String shown, JsonNode spec) {
    assertThat(shown).doesNotContain(PLAIN_VALUE).doesNotContain(SECRET_VALUE).doesNotContain("v1:");
    assertThat(spec.path("env").path("MODE").asText()).isEqualTo("<set>");
    assertThat(spec.path("secret-env").path("API_TOKEN").asText()).isEqualTo("<set>");
  }

  @Test
  void theJupyterTemplatesTokenIsGeneratedPerEnvironmentAndShownOnlyToItsOwner() {
    Api nina = new Api(api.base).signedIn("nina", "nina-password");
    String first = nina.post("/api/v1/templates/jupyter/environments", Api.JSON, "{}").json().path("id").asText();
    String second = nina.post("/api/v1/templates/jupyter/environments", Api.JSON, "{}").json().path("id").asText();

    JsonNode shown = nina.get("/api/v1/environments/" + first).json();
    assertThat(shown.path("spec").path("secret-env").path("JUPYTER_TOKEN").asText()).isEqualTo("<set>");
    String token = nina.get("/api/v1/environments/" + first + "/secrets").json().path("secrets").path("JUPYTER_TOKEN").asText();
    String other = nina.get("/api/v1/environments/" + second + "/secrets").json().path("secrets").path("JUPYTER_TOKEN").asText();
    assertThat(token).hasSize(32).isNotEqualTo(other).isNotEqualTo("<generated>");

    assertThat(api.get("/api/v1/environments/" + first + "/secrets").problem(403).path("type").asText())
        .as("not even an admin").isEqualTo("urn:dcloud:problem:forbidden");
  }

  @Test
  void aTemplateKeepsNoLiteralSecrets() {
    Api.Answer refused = api.post("/api/v1/templates", Api.JSON, """
        {"name": "with-a-password", "spec": {"env-name": "x", "os": "debian", "secret-env": {"DB_PASSWORD": "hunter2"}}}
        """);
    refused.problem(422);
    assertThat(refused.reasonFor("spec.secret-env.DB_PASSWORD")).contains("stored in clear");
  }

  @Test
  void valuesAreShownNowhere() throws Exception {
    Api.Answer created = api.post("/api/v1/environments", Api.JSON, withVariables("shown-nowhere"));
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    showsNamesNotValues(created.body(), created.json().path("spec"));
    String path = "/api/v1/environments/" + created.json().path("id").asText();

    Api.Answer shown = api.get(path);
    showsNamesNotValues(shown.body(), shown.json().path("spec"));

    cluster.testKit.createTestProbe().awaitAssert(WAIT, () -> {
      Api.Answer listing = api.get("/api/v1/environments?name=shown-nowhere");
      assertThat(listing.json().path("environments")).hasSize(1);
      showsNamesNotValues(listing.body(), listing.json().path("environments").get(0).path("spec"));
      return null;
    });

    try (SseReader events = new SseReader(api, path + "/events")) {
      SseReader.Event first = events.next(WAIT);
      showsNamesNotValues(first.data(), Api.parse(first.data()).path("spec"));
    }

    Api.Answer manifest = api.get(path + "/manifest?format=kubernetes");
    assertThat(manifest.status()).isEqualTo(200);
    assertThat(manifest.body()).doesNotContain(PLAIN_VALUE).doesNotContain(SECRET_VALUE).doesNotContain("v1:")
        .contains("MODE", "API_TOKEN", "<set>");
  }

  @Test
  void theJournalHoldsOnlyCiphertextThatTheKeyOpens() {
    Api.Answer created = api.post("/api/v1/environments", Api.JSON, withVariables("journaled"));
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String id = created.json().path("id").asText();

    List<Object> events = PersistenceTestKit.create(cluster.testKit.system())
        .persistedInStorage(EnvironmentEntity.TYPE_KEY.name() + "|" + id);
    EnvironmentEntity.Requested requested = events.stream()
        .filter(EnvironmentEntity.Requested.class::isInstance).map(EnvironmentEntity.Requested.class::cast)
        .findFirst().orElseThrow();
    EnvironmentSpec spec = requested.spec();
    byte[] stored = SerializationExtension.get(cluster.testKit.system()).serialize(requested).get();

    assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain(SECRET_VALUE).contains("API_TOKEN");
    assertThat(spec.secretEnv().get("API_TOKEN")).startsWith("v1:").doesNotContain(SECRET_VALUE);
    assertThat(SecretKeys.fromConfig(keyed).orElseThrow().open("API_TOKEN", spec.secretEnv().get("API_TOKEN")))
        .isEqualTo(SECRET_VALUE);
  }

  @Test
  void withoutAKeySecretEnvIsRefusedNamingTheSetting() {
    Api.Answer refused = Api.admin(cluster.base).post("/api/v1/environments", Api.JSON, withVariables("no-key"));

    refused.problem(422);
    assertThat(refused.reasonFor("secret-env")).contains("no secrets key").contains("dcloud.secrets.key");
  }

  /** Secret values are encrypted afresh on every read of a request, yet a retried create is the same one. */
  @Test
  void aRetriedCreateWithSecretsIsTheSameEnvironment() {
    String key = "retry-" + UUID.randomUUID();
    Function<String, Api.Answer> post = json -> api.send(api.request("/api/v1/environments")
        .header("content-type", Api.JSON).header("Idempotency-Key", key)
        .POST(HttpRequest.BodyPublishers.ofString(json)).build());

    Api.Answer first = post.apply(withVariables("retried"));
    Api.Answer retried = post.apply(withVariables("retried"));

    assertThat(first.status()).as(first.body()).isEqualTo(202);
    assertThat(retried.status()).as(retried.body()).isEqualTo(202);
    assertThat(retried.json().path("id").asText()).isEqualTo(first.json().path("id").asText());
    post.apply(Seeds.environmentWith(config -> {
      config.put("env-name", "retried");
      config.putObject("secret-env").put("OTHER_NAME", SECRET_VALUE);
    })).problem(409);
  }
}
