package io.dcloud.gateway.environment;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.Seeds;
import java.net.Socket;
import java.net.URI;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The interactive exec WebSocket and the files routes at the gateway, before anything reaches a
 * node (this cluster has no worker, so nothing is RUNNING): every problem is answered before the
 * upgrade (400 for a plain GET or a bad query, 403 for a group member, 404 for a stranger, 409
 * for the owner and admins, 403 for a page of another site), and the files routes name a bad
 * {@code path}, answer 409/403/404 alike, and refuse an upload declared past the limit (413).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EnvironmentShellApiTest {
  private static final Duration REPLICATED = Duration.ofSeconds(10);

  private GatewayTestCluster cluster;
  private Api admin;
  private Api alice;
  private String id;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("EnvironmentShellApiTest");
    admin = Api.admin(cluster.base);
    for (String name : List.of("alice", "bob", "carol")) {
      admin.createUser(name, "data-scientist");
    }
    admin.post("/api/v1/groups", Api.JSON, "{\"name\": \"shell-lab\", \"members\": [\"alice\", \"bob\"]}");
    alice = signedIn("alice");
    id = alice.post("/api/v1/environments", Api.JSON, Seeds.debianEnvironment("shell")).json().path("id").asText();
    assertThat(alice.put("/api/v1/environments/" + id + "/sharing", Api.JSON, "{\"groups\": [\"shell-lab\"]}").status())
        .isEqualTo(200);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private Api signedIn(String name) {
    return new Api(cluster.base).signedIn(name);
  }

  @Test
  void aPlainGetIsToldItNeedsAnUpgrade() {
    JsonNode problem = alice.get("/api/v1/environments/" + id + "/exec").problem(400);

    assertThat(problem.path("detail").asText()).contains("WebSocket upgrade");
  }

  @Test
  void everyProblemIsAnsweredBeforeTheUpgrade() {
    assertThat(handshakeStatus(alice, "")).isEqualTo(409);
    assertThat(handshakeStatus(admin, "?command=sh&tty=true")).isEqualTo(409);
    assertThat(handshakeStatus(signedIn("bob"), "")).isEqualTo(403);
    assertThat(handshakeStatus(signedIn("carol"), "")).isEqualTo(404);
    assertThat(handshakeStatus(new Api(cluster.base), "")).isEqualTo(401);

    Awaitility.await().atMost(REPLICATED).untilAsserted(() -> {
      JsonNode entries = admin.get("/api/v1/audit?user=bob").json().path("entries");
      assertThat(entries.findValuesAsText("action")).contains("environment.exec");
      assertThat(entries.findValuesAsText("outcome")).contains("forbidden");
    });
  }

  @Test
  void aBadQueryIsA400NamingTheParameter() {
    String exec = "/api/v1/environments/" + id + "/exec";
    assertThat(alice.get(exec + "?tty=maybe").errorFields()).containsExactly("tty");
    assertThat(alice.get(exec + "?command=").errorFields()).containsExactly("command[0]");
    alice.get(exec + "?tty=maybe").problem(400);
  }

  @Test
  void aPageOfAnotherSiteMayNotOpenOne() {
    WebSocket.Builder builder = alice.http.newWebSocketBuilder()
        .header("Authorization", "Bearer " + alice.token)
        .header("Origin", "https://evil.example");

    assertThat(handshakeStatus(builder, "")).isEqualTo(403);
  }

  @Test
  void filesNameABadPathAndAnswerAccessLikeExec() {
    String files = "/api/v1/environments/" + id + "/files";
    assertThat(alice.get(files).errorFields()).containsExactly("path");
    JsonNode relative = alice.get(files + "?path=home/notes.txt").problem(400);
    assertThat(relative.path("errors").get(0).path("reason").asText()).contains("absolute");
    alice.put(files + "?path=relative", "application/octet-stream", "x").problem(400);

    assertThat(alice.get(files + "?path=/tmp").problem(409).path("detail").asText()).contains("not RUNNING");
    alice.put(files + "?path=/tmp/a.txt", "application/octet-stream", "hello").problem(409);
    admin.get(files + "?path=/tmp").problem(409);
    signedIn("bob").get(files + "?path=/tmp").problem(403);
    signedIn("bob").put(files + "?path=/tmp/a.txt", "application/octet-stream", "x").problem(403);
    signedIn("carol").get(files + "?path=/tmp").problem(404);
  }

  /** Said by its headers, before a byte of it is sent (a raw request: HTTP clients send the body first). */
  @Test
  void anUploadDeclaredPastTheLimitIsA413() throws Exception {
    try (Socket socket = new Socket(cluster.base.getHost(), cluster.base.getPort())) {
      socket.setSoTimeout((int) Api.REQUEST_TIMEOUT.toMillis());
      socket.getOutputStream().write(("PUT /api/v1/environments/" + id + "/files?path=/tmp/big.bin HTTP/1.1\r\n"
          + "Host: " + cluster.base.getAuthority() + "\r\nAuthorization: Bearer " + alice.token + "\r\n"
          + "Content-Type: application/octet-stream\r\nContent-Length: " + (2L << 30) + "\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String answer = new String(socket.getInputStream().readNBytes(1024), StandardCharsets.UTF_8);

      assertThat(answer).startsWith("HTTP/1.1 413").contains("max-upload-size");
    }
  }

  private int handshakeStatus(Api api, String query) {
    WebSocket.Builder builder = api.http.newWebSocketBuilder();
    if (api.token != null) {
      builder.header("Authorization", "Bearer " + api.token);
    }
    return handshakeStatus(builder, query);
  }

  private int handshakeStatus(WebSocket.Builder builder, String query) {
    URI uri = URI.create(cluster.base.toString().replaceFirst("^http", "ws") + "/api/v1/environments/" + id + "/exec" + query);
    Throwable failure = catchThrowable(() -> builder.buildAsync(uri, new WebSocket.Listener() {}).get(15, TimeUnit.SECONDS));
    Throwable cause = failure instanceof java.util.concurrent.ExecutionException || failure instanceof CompletionException
        ? failure.getCause() : failure;
    assertThat(cause).as("the handshake of %s", uri).isInstanceOf(WebSocketHandshakeException.class);
    return ((WebSocketHandshakeException) cause).getResponse().statusCode();
  }
}
