package io.dcloud.gateway.environment;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.HttpGateway;
import io.dcloud.gateway.Seeds;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The proxy's binding at the gateway: it serves nothing but {@code /environments/{id}/proxy/{port}/...}
 * and the API's port does not serve that; a bearer token or the session cookie (without the CSRF
 * header, but only from the proxy's own origin) signs in; the owner and admins get through to the
 * entity (here: 409, as no worker runs it), a group member who sees it 403, anyone else 404. The
 * headers the container gets are {@link ProxyHeadersTest}'s; the whole way to a container is the
 * app module's ProxyIT.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnvironmentProxyApiTest {
  private GatewayTestCluster cluster;
  private Api admin;
  private Api alice;
  private URI proxyBase;
  private String id;
  private String path;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("EnvironmentProxyApiTest");
    HttpGateway.Bindings both = HttpGateway.startBoth(cluster.testKit.system(), cluster.backends, cluster.settings())
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    proxyBase = GatewayTestCluster.uri(both.proxy());
    admin = Api.admin(cluster.base);
    for (String name : List.of("alice", "bob", "carol")) {
      admin.createUser(name, "data-scientist");
    }
    admin.post("/api/v1/groups", Api.JSON, "{\"name\": \"proxy-lab\", \"members\": [\"alice\", \"bob\"]}");
    alice = signedIn(cluster.base, "alice");
    id = alice.post("/api/v1/environments", Api.JSON, Seeds.debianEnvironment("proxied")).json().path("id").asText();
    path = "/api/v1/environments/" + id + "/proxy/8888/tree?x=1";
    assertThat(alice.put("/api/v1/environments/" + id + "/sharing", Api.JSON, "{\"groups\": [\"proxy-lab\"]}").status())
        .isEqualTo(200);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private static Api signedIn(URI base, String name) {
    return new Api(base).signedIn(name);
  }

  @Test
  void theProxyIsOnlyOnItsOwnPortAndServesNothingElse() {
    assertThat(alice.get(path).problem(404).path("type").asText()).isEqualTo("urn:dcloud:problem:route-not-found");
    Api aliceAtProxy = new Api(proxyBase);
    assertThat(aliceAtProxy.get("/api/v1/health").problem(404).path("type").asText())
        .isEqualTo("urn:dcloud:problem:route-not-found");
    assertThat(aliceAtProxy.get("/api/v1/openapi.json").status()).isEqualTo(404);
  }

  @Test
  void onlyTheOwnerOrAnAdminGetThroughAndNotToAnEnvironmentThatIsNotRunning() {
    new Api(proxyBase).get(path).problem(401);
    // Signing in happens on the API's port; the proxy's takes the same token.
    Api owner = alice.at(proxyBase);
    assertThat(owner.get(path).problem(409).path("detail").asText()).contains("not RUNNING");
    assertThat(owner.post(path, Api.JSON, "{}").problem(409).path("detail").asText()).contains("not RUNNING");
    admin.at(proxyBase).get(path).problem(409);
    assertThat(signedIn(cluster.base, "bob").at(proxyBase).get(path).problem(403).path("detail").asText())
        .contains("alice");
    signedIn(cluster.base, "carol").at(proxyBase).get(path).problem(404);
    owner.get("/api/v1/environments/" + UUID.randomUUID() + "/proxy/8888/").problem(404);
    owner.get("/api/v1/environments/not-an-id/proxy/8888/").problem(404);
  }

  @Test
  void theSessionCookieSignsInWithoutTheCsrfHeaderButOnlyFromTheProxysOwnOrigin() {
    Api anonymous = new Api(proxyBase);
    String cookie = "dcloud_session=" + alice.token;
    HttpRequest.Builder post = anonymous.request(path).header("Cookie", cookie).POST(BodyPublishers.ofString("{}"));
    assertThat(anonymous.send(anonymous.request(path).header("Cookie", cookie).GET().build()).status()).isEqualTo(409);
    assertThat(anonymous.send(post.copy().header("Origin", "http://127.0.0.1:" + proxyBase.getPort()).build()).status())
        .isEqualTo(409);
    Api.Answer otherSite = anonymous.send(post.copy().header("Origin", "https://evil.example").build());
    assertThat(otherSite.problem(403).path("detail").asText()).contains("evil.example");
    // A WebSocket opens with a GET: another site's page may not open one either.
    assertThat(anonymous.send(anonymous.request(path).header("Cookie", cookie).header("Origin", "https://evil.example")
        .GET().build()).status()).isEqualTo(403);
    // Nor may the console's own origin: the API's port is another origin.
    assertThat(anonymous.send(post.copy().header("Origin", "http://127.0.0.1:" + cluster.base.getPort()).build())
        .status()).isEqualTo(403);
  }

  @Test
  void anEnvironmentThatDoesNotRunHasNoUrl() {
    assertThat(alice.get("/api/v1/environments/" + id).json().path("url").isNull()).isTrue();
  }
}
