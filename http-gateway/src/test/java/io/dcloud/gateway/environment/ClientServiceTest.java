package io.dcloud.gateway.environment;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import io.dcloud.client.DCloudClient;
import io.dcloud.client.Environments;
import io.dcloud.client.protocol.DCloudProtocol;
import io.dcloud.client.protocol.DCloudProtocol.Reply;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.Seeds;
import io.dcloud.gateway.common.Problem;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.stream.javadsl.Sink;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Another service's view of DCloud over actor messaging: a {@link DCloudClient} (its own actor
 * system, role client) joins a one-node cluster with the real gateway actors and sends the client
 * protocol's requests, each with a user's API token. The HTTP API's rules hold: roles, validation
 * with field errors, tokens (revoked ones too), and others' environments are not disclosed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientServiceTest {
  private static final String NAME = "ClientServiceTest";
  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(30);

  private GatewayTestCluster cluster;
  private Api admin;
  private DCloudClient client;

  @BeforeAll
  void start() {
    try {
      cluster = new GatewayTestCluster(NAME);
    } catch (Exception e) {
      throw new IllegalStateException("the test cluster did not start", e);
    }
    admin = Api.admin(cluster.base);
    makeUser("svc", "data-scientist");
    makeUser("other", "data-scientist");
    makeUser("configurer", "platform-configurer");
    String seed = Cluster.get(cluster.testKit.system()).selfMember().address().toString();
    client = DCloudClient.start(ConfigFactory.parseString("""
            dcloud.client {
              cluster-name = "%s"
              seed-nodes = ["%s"]
              ask-timeout = 20s
              tls.enabled = off
            }
            """.formatted(NAME, seed))
        .withFallback(ConfigFactory.load()));
  }

  @AfterAll
  void stop() {
    if (client != null) {
      client.close();
    }
    cluster.close();
  }

  private void makeUser(String name, String role) {
    admin.createUser(name, role);
  }

  /** A new API token of {@code user}, and its id (to revoke it). */
  private String[] token(String user) {
    Api.Answer issued = new Api(cluster.base).signedIn(user)
        .post("/api/v1/users/me/tokens", Api.JSON, "{\"name\": \"service\"}");
    assertThat(issued.status()).as(issued.body()).isEqualTo(201);
    return new String[] {issued.json().path("token").asText(), issued.json().path("id").asText()};
  }

  private Environments as(String user) {
    return client.as(token(user)[0]);
  }

  private static <T> T answer(CompletionStage<T> stage) {
    try {
      return stage.toCompletableFuture().get(ANSWER_WITHIN.toSeconds(), TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new AssertionError("no answer within " + ANSWER_WITHIN, e);
    }
  }

  private String created(Environments environments, String name) {
    Reply reply = answer(environments.create(Seeds.debianEnvironment(name)));
    assertThat(reply).as("create of %s", name).isInstanceOf(DCloudProtocol.Created.class);
    return ((DCloudProtocol.Created) reply).id();
  }

  @Test
  void createsWatchesStopsAndDeletesAnEnvironmentAsItsOwner() {
    Environments svc = as("svc");
    Reply reply = answer(svc.create(Seeds.debianEnvironment("from-a-service")));

    assertThat(reply).isInstanceOf(DCloudProtocol.Created.class);
    DCloudProtocol.Created created = (DCloudProtocol.Created) reply;
    assertThat(created.environment().id()).isEqualTo(created.id());
    assertThat(created.environment().owner()).isEqualTo("svc");
    assertThat(created.environment().name()).isEqualTo("from-a-service");

    Reply watch = answer(svc.watch(created.id()));
    assertThat(watch).isInstanceOf(DCloudProtocol.Watching.class);
    CompletionStage<List<DCloudProtocol.Environment>> seen =
        ((DCloudProtocol.Watching) watch).changes().getSource().runWith(Sink.seq(), client.system());

    Reply found = answer(svc.get(created.id()));
    assertThat(found).isInstanceOf(DCloudProtocol.Found.class);
    assertThat(((DCloudProtocol.Found) found).environment().id()).isEqualTo(created.id());

    Reply stopped = answer(svc.stop(created.id()));
    assertThat(stopped).isInstanceOf(DCloudProtocol.Accepted.class);
    assertThat(((DCloudProtocol.Accepted) stopped).environment().status()).isEqualTo("STOPPED");

    Reply deleted = answer(svc.delete(created.id()));
    assertThat(deleted).isInstanceOf(DCloudProtocol.Accepted.class);
    assertThat(((DCloudProtocol.Accepted) deleted).environment().status()).isEqualTo("DELETED");

    List<String> statuses = answer(seen).stream().map(DCloudProtocol.Environment::status).toList();
    assertThat(statuses).as("the watch ends after the deletion").contains("STOPPED").last().isEqualTo("DELETED");
  }

  @Test
  void aBadSpecIsRefusedWithTheHttpApisFieldErrors() {
    Environments svc = as("svc");

    Reply invalid = answer(svc.create("{\"env-name\": \"bad\", \"os\": \"debian\", \"resources\": {\"ram\": \"lots\"}}"));
    assertThat(invalid).isInstanceOf(DCloudProtocol.Refused.class);
    DCloudProtocol.Refused refused = (DCloudProtocol.Refused) invalid;
    assertThat(refused.type()).isEqualTo(Problem.Type.VALIDATION_FAILED.uri());
    assertThat(refused.errors()).extracting(DCloudProtocol.FieldError::field).contains("resources.ram");

    Reply malformed = answer(svc.create("env-name: [unclosed"));
    assertThat(malformed).isInstanceOf(DCloudProtocol.Refused.class);
    assertThat(((DCloudProtocol.Refused) malformed).type()).isEqualTo(Problem.Type.MALFORMED_REQUEST.uri());

    Reply empty = answer(svc.create(""));
    assertThat(((DCloudProtocol.Refused) empty).errors()).extracting(DCloudProtocol.FieldError::field).containsExactly("spec");
  }

  @Test
  void aUserWithoutACreatorRoleMayNotCreate() {
    Reply reply = answer(as("configurer").create(Seeds.debianEnvironment("not-mine-to-make")));

    assertThat(reply).isInstanceOf(DCloudProtocol.Refused.class);
    assertThat(((DCloudProtocol.Refused) reply).type()).isEqualTo(Problem.Type.FORBIDDEN.uri());
  }

  @Test
  void aGarbageOrRevokedTokenIsRefused() {
    Reply garbage = answer(client.as("not-a-dcloud-token").create(Seeds.debianEnvironment("garbage")));
    assertThat(garbage).isInstanceOf(DCloudProtocol.Refused.class);
    assertThat(((DCloudProtocol.Refused) garbage).type()).isEqualTo(Problem.Type.UNAUTHENTICATED.uri());

    String[] issued = token("svc");
    Environments svc = client.as(issued[0]);
    String id = created(svc, "before-revocation");
    assertThat(new Api(cluster.base).signedIn("svc").delete("/api/v1/users/me/tokens/" + issued[1]).status())
        .isEqualTo(204);

    Awaitility.await().atMost(ANSWER_WITHIN).untilAsserted(() -> {
      Reply afterRevocation = answer(svc.get(id));
      assertThat(afterRevocation).isInstanceOf(DCloudProtocol.Refused.class);
      assertThat(((DCloudProtocol.Refused) afterRevocation).type()).isEqualTo(Problem.Type.UNAUTHENTICATED.uri());
    });
  }

  @Test
  void anotherUsersEnvironmentIsNotFound() {
    String id = created(as("svc"), "not-for-others");
    Environments other = as("other");

    assertThat(answer(other.get(id))).isInstanceOf(DCloudProtocol.NotFound.class);
    assertThat(answer(other.stop(id))).isInstanceOf(DCloudProtocol.NotFound.class);
    assertThat(answer(other.delete(id))).isInstanceOf(DCloudProtocol.NotFound.class);
    assertThat(answer(other.watch(id))).isInstanceOf(DCloudProtocol.NotFound.class);
    assertThat(answer(other.get("not-a-uuid"))).isInstanceOf(DCloudProtocol.NotFound.class);
    Reply stillThere = answer(as("svc").get(id));
    assertThat(stillThere).isInstanceOf(DCloudProtocol.Found.class);
  }
}
