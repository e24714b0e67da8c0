package io.dcloud.gateway.environment;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.gateway.common.ProxySettings;
import io.dcloud.identity.Caller;
import io.dcloud.identity.Role;
import io.dcloud.node.ProxyWire;
import io.dcloud.resources.Resources;
import io.dcloud.secret.SecretBox;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.PublishedPort;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.junit.jupiter.api.Test;

/** What reaches the container of the headers a browser or script sent through the proxy. */
class ProxyHeadersTest {
  private static final SecretBox BOX = SecretBox.throwaway();
  private static final Caller ALICE = new Caller("alice", Set.of(Role.DATA_SCIENTIST), "t1", Instant.EPOCH, "csrf-1",
      true, Set.of(), "10.0.0.7");
  private static final Caller ADMIN = new Caller("admin", Set.of(Role.ADMIN), "t2", Instant.EPOCH, null, false, Set.of(),
      "10.0.0.8");
  private static final ProxyHeaders HEADERS = new ProxyHeaders("dcloud_session", "X-CSRF-Token", BOX, "https");

  private static HttpRequest browser(HttpHeader... extra) {
    return HttpRequest.GET("/api/v1/environments/e1/proxy/8888/tree").addHeaders(List.of(
        HttpHeader.parse("Host", "tenants.example.org"),
        HttpHeader.parse("Cookie", "_xsrf=abc; dcloud_session=the-session; username-8888=2|1:0|x"),
        HttpHeader.parse("X-CSRF-Token", "csrf-1"),
        HttpHeader.parse("X-Forwarded-For", "6.6.6.6"),
        HttpHeader.parse("Forwarded", "for=6.6.6.6"),
        HttpHeader.parse("Accept", "text/html"))).addHeaders(List.of(extra));
  }

  private static EnvironmentView notebook(Map<String, String> secretEnv) {
    EnvironmentSpec spec = new EnvironmentSpec("nb", "1", "debian", null, List.of(), new Resources(1000, 1L << 30, 0, 0, null),
        List.of(), List.of(new EnvironmentSpec.PortSpec(null, 8888, "tcp")), List.of(), List.of(), Map.of(), Map.of(),
        EnvironmentSpec.RestartPolicy.NEVER, secretEnv);
    return new EnvironmentView("e1", "nb", EnvironmentStatus.RUNNING, "n1", "c1", spec, null, List.of(),
        List.of(new PublishedPort(8888, "tcp", "127.0.0.1", 32768)), List.of(), null, null, Instant.EPOCH, Instant.EPOCH,
        List.of(), "alice", List.of());
  }

  private static Map<String, String> byName(List<ProxyWire.Header> headers) {
    assertThat(headers.stream().map(h -> h.name().toLowerCase()).distinct()).hasSameSizeAs(headers);
    return headers.stream().collect(Collectors.toMap(h -> h.name().toLowerCase(), ProxyWire.Header::value));
  }

  @Test
  void dCloudsCredentialsAndTheClientsForwardingClaimsNeverReachTheContainer() {
    Map<String, String> sent = byName(HEADERS.forwarded(
        browser(HttpHeader.parse("Authorization", "Bearer the-api-token")).addHeader(HttpHeader.parse("Expect", "100-continue")),
        ALICE, notebook(Map.of()), false));

    assertThat(sent).doesNotContainKeys("authorization", "x-csrf-token", "forwarded", "expect");
    assertThat(sent.get("cookie")).isEqualTo("_xsrf=abc; username-8888=2|1:0|x").doesNotContain("the-session");
    assertThat(sent).containsEntry("x-forwarded-for", "10.0.0.7")
        .containsEntry("x-forwarded-proto", "https")
        .containsEntry("x-forwarded-host", "tenants.example.org")
        .containsEntry("host", "tenants.example.org")
        .containsEntry("accept", "text/html");
  }

  @Test
  void aCookieHeaderWithOnlyTheSessionIsDroppedAndAWebSocketsHandshakeIsLeftToTheNode() {
    HttpRequest request = HttpRequest.GET("/x").addHeaders(List.of(
        HttpHeader.parse("Cookie", "dcloud_session=the-session"),
        HttpHeader.parse("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
        HttpHeader.parse("Sec-WebSocket-Version", "13"),
        HttpHeader.parse("Origin", "https://tenants.example.org")));

    Map<String, String> sent = byName(HEADERS.forwarded(request, ALICE, notebook(Map.of()), true));

    assertThat(sent).doesNotContainKeys("cookie", "sec-websocket-key", "sec-websocket-version")
        .containsEntry("origin", "https://tenants.example.org");
  }

  @Test
  void theOwnerIsSignedInToTheNotebookWithItsTokenAndNobodyElseIs() {
    EnvironmentView view = notebook(Map.of("JUPYTER_TOKEN", BOX.seal("JUPYTER_TOKEN", "notebook-secret")));

    assertThat(byName(HEADERS.forwarded(browser(), ALICE, view, false))).containsEntry("authorization", "token notebook-secret");
    assertThat(byName(HEADERS.forwarded(browser(), ADMIN, view, false))).doesNotContainKey("authorization");
    // An application's own Authorization is the client's to send.
    assertThat(byName(HEADERS.forwarded(browser(HttpHeader.parse("Authorization", "token typed-in")), ALICE, view, false)))
        .containsEntry("authorization", "token typed-in");
  }

  @Test
  void theUrlIsTheProxysPathOfTheFirstPortWhileItRuns() {
    ProxySettings proxy = new ProxySettings(0, "", 1 << 20).bound("0.0.0.0", 18081);
    EnvironmentView running = notebook(Map.of());

    assertThat(proxy.urlOf(running)).isEqualTo("http://127.0.0.1:18081/api/v1/environments/e1/proxy/8888/");
    assertThat(new ProxySettings(8081, "https://tenants.example.org", 1 << 20).bound("0.0.0.0", 8081).urlOf(running))
        .isEqualTo("https://tenants.example.org/api/v1/environments/e1/proxy/8888/");
    EnvironmentView stopped = new EnvironmentView("e1", "nb", EnvironmentStatus.STOPPED, "n1", "c1", running.spec(), null,
        List.of(), List.of(), List.of(), null, null, Instant.EPOCH, Instant.EPOCH, List.of(), "alice", List.of());
    assertThat(proxy.urlOf(stopped)).isNull();
  }
}
