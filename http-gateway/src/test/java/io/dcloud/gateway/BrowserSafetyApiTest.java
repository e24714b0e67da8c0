package io.dcloud.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpRequest;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Another site's page can neither change anything here nor read a session it does not hold. */
class BrowserSafetyApiTest {
  private static GatewayTestCluster cluster;
  private static Api admin;

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("browser-safety-api-test");
    admin = Api.admin(cluster.base);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private Api.Answer createFrom(String origin) {
    HttpRequest.Builder request = admin.request("/api/v1/environments").header("content-type", Api.JSON)
        .POST(HttpRequest.BodyPublishers.ofString(Seeds.debianEnvironment("from-a-page")));
    return admin.send((origin == null ? request : request.header("Origin", origin)).build());
  }

  @Test
  void aStateChangingRequestFromAnotherSitesPageIsRefused() {
    Api.Answer refused = createFrom("https://evil.example");
    assertThat(refused.problem(403).path("detail").asText()).contains("https://evil.example");
    assertThat(refused.errorFields()).containsExactly("Origin");
  }

  @Test
  void theGatewaysOwnOriginAndClientsWithoutOneMayChangeThings() {
    String own = "http://" + cluster.base.getHost() + ":" + cluster.base.getPort();
    assertThat(createFrom(own).status()).isEqualTo(202);
    assertThat(createFrom(null).status()).isEqualTo(202);
  }

  @Test
  void readsFromAnyOriginStillNeedAToken() {
    Api.Answer anonymous = new Api(cluster.base).send(new Api(cluster.base).request("/api/v1/environments")
        .header("Origin", "https://evil.example").GET().build());
    assertThat(anonymous.problem(401).path("type").asText()).isEqualTo("urn:dcloud:problem:unauthenticated");
  }
}
