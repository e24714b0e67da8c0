package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The proxy into environments end to end, as DCloudIT runs DCloud (embedded Cassandra, the real
 * Docker Engine, one node with every role): a busybox environment serves files under the prefix
 * the node gives it (busybox httpd) and, on a second port, answers every request after writing
 * down what reached it, read back with exec; a Debian one echoes WebSocket messages. Everything
 * goes through the environment's "url".
 */
@Tag("docker") @Tag("cassandra")
class ProxyIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String NODE_ID = "proxy-it-node";
  private static final Duration UP_WITHIN = Duration.ofSeconds(90);
  /** A Debian image is built once per machine, then reused (DCloudIT builds the same). */
  private static final Duration DEBIAN_BUILD_WITHIN = Duration.ofMinutes(20);

  /**
   * Port 8000: busybox httpd over /tmp/www, where the files lie under $DCLOUD_PROXY_PREFIX/8000.
   * Port 8001: each connection's request head goes to /tmp/request.txt, and "ok" back.
   */
  private static final String SERVE = """
      www=/tmp/www$DCLOUD_PROXY_PREFIX/8000
      mkdir -p $www
      echo hello-through-the-proxy > $www/hello.txt
      head -c 300000 /dev/zero | tr '\\0' 'a' > $www/big.txt
      cat > /tmp/capture.sh <<'EOF'
      while read -r line; do echo "$line" >> /tmp/request.txt; [ "$line" = "$(printf '\\r')" ] && break; done
      printf 'HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\nConnection: close\\r\\n\\r\\nok'
      EOF
      nc -ll -p 8001 -e sh /tmp/capture.sh &
      exec httpd -f -p 8000 -h /tmp/www
      """;

  private static OneNodeDCloud dcloud;
  private static Api api;

  @BeforeAll
  static void startDCloud() throws Exception {
    dcloud = OneNodeDCloud.start(NODE_ID, Map.of());
    api = dcloud.api();
  }

  @AfterAll
  static void stopDCloud() {
    if (dcloud != null) {
      dcloud.close();
    }
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
    return api.client().send(request.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  /** A request to the proxy with the admin's token, as the API takes it. */
  private static HttpRequest.Builder toProxy(URI uri) {
    return HttpRequest.newBuilder(uri).header("Authorization", api.bearer());
  }

  @Test
  void servesAnEnvironmentsPortsThroughItsNodeWithoutDCloudsCredentials() throws Exception {
    ObjectNode spec = JSON.createObjectNode().put("env-name", "proxied").put("os", "tiny");
    spec.putArray("languages").addObject().put("language-name", "shell").putArray("libraries");
    spec.putObject("resources").put("ram", "64M").put("cpu", "0.5").put("gpu", "0");
    ArrayNode ports = spec.putArray("port-publish");
    ports.addObject().putObject("internal").put("ports", 8000).put("protocol", "tcp");
    ports.addObject().putObject("internal").put("ports", 8001).put("protocol", "tcp");
    spec.putArray("command").add("sh").add("-c").add(SERVE);
    Api.Response created = api.post("/api/v1/environments", JSON.writeValueAsString(spec));
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String id = created.json().path("id").asText();
    assertThat(created.json().path("url").isNull()).as("not running yet").isTrue();

    JsonNode[] running = new JsonNode[1];
    await().atMost(UP_WITHIN).untilAsserted(() -> {
      running[0] = api.get("/api/v1/environments/" + id).json();
      assertThat(running[0].path("status").asText()).as(running[0].toString()).isEqualTo("RUNNING");
    });
    String url = running[0].path("url").asText();
    assertThat(url).matches("http://127\\.0\\.0\\.1:\\d+/api/v1/environments/" + id + "/proxy/8000/");
    URI proxy = URI.create(url);
    assertThat(proxy.getPort()).isNotEqualTo(api.uri("/").getPort());

    // The server in the container may start a moment after the container.
    await().atMost(UP_WITHIN).untilAsserted(() -> {
      HttpResponse<String> hello = send(toProxy(proxy.resolve("hello.txt")).GET());
      assertThat(hello.statusCode()).as(hello.body()).isEqualTo(200);
      assertThat(hello.body()).isEqualTo("hello-through-the-proxy\n");
    });
    HttpResponse<String> big = send(toProxy(proxy.resolve("big.txt")).GET());
    assertThat(big.body()).as("a body of several pieces, streamed").hasSize(300_000).matches("a+");
    assertThat(send(toProxy(proxy.resolve("missing.txt")).GET()).statusCode()).as("the container's own 404").isEqualTo(404);
    assertThat(send(HttpRequest.newBuilder(proxy.resolve("hello.txt")).GET()).statusCode()).isEqualTo(401);
    assertThat(send(api.request(proxy.getPath() + "hello.txt").GET()).statusCode()).as("not on the API's port").isEqualTo(404);

    String token = api.bearer().substring("Bearer ".length());
    HttpResponse<String> captured = send(toProxy(proxy.resolve("../8001/seen?q=1"))
        .header("Cookie", "dcloud_session=" + token + "; app=kept")
        .header("X-Forwarded-For", "6.6.6.6")
        .GET());
    assertThat(captured.body()).isEqualTo("ok");
    Api.Response exec = api.post("/api/v1/environments/" + id + "/exec", "{\"command\": [\"cat\", \"/tmp/request.txt\"]}");
    String request = exec.json().path("stdout").asText();
    assertThat(request).as(exec.body())
        .contains("GET /api/v1/environments/" + id + "/proxy/8001/seen?q=1 HTTP/1.1")
        .contains("app=kept")
        .contains("X-Forwarded-For: 127.0.0.1")
        .as("the caller's Host, port and all").contains("X-Forwarded-Host: " + proxy.getHost() + ":" + proxy.getPort())
        .doesNotContain(token)
        .doesNotContain("Bearer")
        .doesNotContain("dcloud_session")
        .doesNotContain("6.6.6.6");

    // A body that reaches the gateway after its request's head still reaches the app with its
    // length (Python's http.server, among others, reads nothing without it).
    String answer = postWithBodyAfterHead(proxy.resolve("../8001/posted"), api.bearer(), "{\"on\": true}");
    assertThat(answer).startsWith("HTTP/1.1 200").endsWith("ok");
    String heads = api.post("/api/v1/environments/" + id + "/exec", "{\"command\": [\"cat\", \"/tmp/request.txt\"]}")
        .json().path("stdout").asText();
    String posted = heads.substring(heads.indexOf("POST /api/v1/environments/" + id + "/proxy/8001/posted HTTP/1.1"));
    assertThat(posted).as(heads).containsIgnoringCase("Content-Length: 12").doesNotContainIgnoringCase("Transfer-Encoding");

    assertThat(api.post("/api/v1/environments/" + id + "/stop", "{}").status()).isEqualTo(202);
    await().atMost(UP_WITHIN).untilAsserted(() ->
        assertThat(api.get("/api/v1/environments/" + id).json().path("status").asText()).isEqualTo("STOPPED"));
    HttpResponse<String> stopped = send(toProxy(proxy.resolve("hello.txt")).GET());
    assertThat(stopped.statusCode()).as(stopped.body()).isEqualTo(409);
    assertThat(api.get("/api/v1/environments/" + id).json().path("url").isNull()).isTrue();
    assertThat(api.delete("/api/v1/environments/" + id).status()).isEqualTo(202);
  }

  /**
   * A POST over a plain socket whose body is sent only once the gateway asks for it
   * ({@code Expect: 100-continue}), so the gateway has the head long before the body; the whole answer.
   */
  private static String postWithBodyAfterHead(URI uri, String authorization, String body) throws IOException {
    try (Socket socket = new Socket(uri.getHost(), uri.getPort())) {
      socket.setSoTimeout(30_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(("POST " + uri.getRawPath() + " HTTP/1.1\r\nHost: " + uri.getHost() + ":" + uri.getPort()
          + "\r\nAuthorization: " + authorization + "\r\nContent-Type: application/json\r\nContent-Length: "
          + body.length() + "\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
      out.flush();
      assertThat(head(in)).as("the gateway asks for the body").startsWith("HTTP/1.1 100");
      out.write(body.getBytes(StandardCharsets.US_ASCII));
      out.flush();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
    }
  }

  /** An answer's head, up to its empty line. */
  private static String head(InputStream in) throws IOException {
    ByteArrayOutputStream head = new ByteArrayOutputStream();
    while (!head.toString(StandardCharsets.US_ASCII).endsWith("\r\n\r\n")) {
      int b = in.read();
      if (b < 0) {
        throw new IOException("the connection ended in an answer's head: " + head.toString(StandardCharsets.US_ASCII));
      }
      head.write(b);
    }
    return head.toString(StandardCharsets.US_ASCII);
  }

  /**
   * A WebSocket through the proxy, to an echo server in a Debian environment (the image DCloudIT's
   * numpy environment builds: the same spec, so one image): its greeting says the path it was
   * opened at and that no Authorization reached it; a message longer than one piece comes back whole.
   */
  @Test
  void opensWebSocketsThroughItsNode() throws Exception {
    ObjectNode spec = JSON.createObjectNode().put("env-name", "websocket-echo").put("os", "debian");
    spec.putArray("languages").addObject().put("language-name", "python").putArray("libraries").add("numpy");
    spec.putObject("resources").put("ram", "512M").put("cpu", "1");
    spec.putArray("port-publish").addObject().putObject("internal").put("ports", 8765).put("protocol", "tcp");
    String echo = new String(ProxyIT.class.getResourceAsStream("websocket_echo.py").readAllBytes(), StandardCharsets.UTF_8);
    spec.putArray("command").add("python3").add("-c").add(echo);
    Api.Response created = api.post("/api/v1/environments", JSON.writeValueAsString(spec));
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String id = created.json().path("id").asText();
    JsonNode[] running = new JsonNode[1];
    await().atMost(DEBIAN_BUILD_WITHIN).untilAsserted(() -> {
      running[0] = api.get("/api/v1/environments/" + id).json();
      assertThat(running[0].path("status").asText()).as(running[0].toString()).isEqualTo("RUNNING");
    });
    URI url = URI.create(running[0].path("url").asText());
    URI ws = URI.create(url.toString().replaceFirst("^http", "ws") + "echo?x=1");

    BlockingQueue<String> received = new LinkedBlockingQueue<>();
    WebSocket.Listener listener = new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket socket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          received.add(text.toString());
          text.setLength(0);
        }
        socket.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onBinary(WebSocket socket, ByteBuffer data, boolean last) {
        received.add("binary:" + data.remaining());
        socket.request(1);
        return null;
      }
    };
    // The server in the container may start a moment after the container.
    WebSocket[] opened = new WebSocket[1];
    await().atMost(UP_WITHIN).untilAsserted(() -> opened[0] = api.client().newWebSocketBuilder()
        .header("Authorization", api.bearer()).buildAsync(ws, listener).get(30, TimeUnit.SECONDS));
    WebSocket socket = opened[0];

    assertThat(received.poll(30, TimeUnit.SECONDS))
        .isEqualTo("path=/api/v1/environments/" + id + "/proxy/8765/echo?x=1 authorization=none");
    socket.sendText("hello", true).get(30, TimeUnit.SECONDS);
    assertThat(received.poll(30, TimeUnit.SECONDS)).isEqualTo("hello");
    String large = "x".repeat(200_000);
    socket.sendText(large, true).get(30, TimeUnit.SECONDS);
    assertThat(received.poll(30, TimeUnit.SECONDS)).as("200 000 characters, in several pieces across the cluster")
        .isEqualTo(large);
    socket.sendBinary(ByteBuffer.wrap(new byte[] {1, 2, 3}), true).get(30, TimeUnit.SECONDS);
    assertThat(received.poll(30, TimeUnit.SECONDS)).isEqualTo("binary:3");
    socket.sendClose(WebSocket.NORMAL_CLOSURE, "done").get(30, TimeUnit.SECONDS);
    assertThat(api.delete("/api/v1/environments/" + id).status()).isEqualTo(202);
  }

  /**
   * The jupyter template's Notebook, served under the proxy's path: its owner, signed in to DCloud
   * only, reaches its API (the proxy supplies the notebook's generated token); without DCloud's
   * credentials the proxy answers 401 before the notebook is reached.
   */
  @Test
  void servesTheJupyterTemplatesNotebookToItsOwnerSignedInToDCloudOnly() throws Exception {
    Api.Response created = api.post("/api/v1/templates/jupyter/environments", "{\"resources\": {\"ram\": \"1G\"}}");
    assertThat(created.status()).as(created.body()).isEqualTo(202);
    String id = created.json().path("id").asText();
    JsonNode[] running = new JsonNode[1];
    await().atMost(DEBIAN_BUILD_WITHIN).untilAsserted(() -> {
      running[0] = api.get("/api/v1/environments/" + id).json();
      assertThat(running[0].path("status").asText()).as(running[0].toString()).isEqualTo("RUNNING");
    });
    URI url = URI.create(running[0].path("url").asText());
    assertThat(url.getPath()).isEqualTo("/api/v1/environments/" + id + "/proxy/8888/");

    // The notebook takes a few seconds to listen once its container runs.
    await().atMost(UP_WITHIN).untilAsserted(() -> {
      HttpResponse<String> status = send(toProxy(url.resolve("api/status")).GET());
      assertThat(status.statusCode()).as(status.body()).isEqualTo(200);
      assertThat(JSON.readTree(status.body()).has("started")).as(status.body()).isTrue();
    });
    assertThat(send(HttpRequest.newBuilder(url.resolve("api/status")).GET()).statusCode()).isEqualTo(401);
    assertThat(api.delete("/api/v1/environments/" + id).status()).isEqualTo(202);
  }
}
