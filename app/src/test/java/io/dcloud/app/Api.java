package io.dcloud.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/** A small client of DCloud's HTTP API for integration tests. */
final class Api {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  record Response(int status, String body, HttpResponse<String> raw) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException("not JSON (" + status + "): " + body, e);
      }
    }
  }

  private final HttpClient client = HttpClient.newHttpClient();
  private String token;
  private final String base;
  private final String username;
  private final String password;

  Api(int port) {
    this("http://127.0.0.1:" + port, "admin", OneNodeDCloud.ADMIN_PASSWORD);
  }

  private Api(String base, String username, String password) {
    this.base = base;
    this.username = username;
    this.password = password;
  }

  /** The same API signed in as another user. */
  Api as(String otherUsername, String otherPassword) {
    return new Api(base, otherUsername, otherPassword);
  }

  /**
   * The environment as its entity answers it, not the gateway's read side: a GET answered from the
   * read side ({@code "stale": true}, when the entity took longer than dcloud.http.read-ask-timeout
   * on a busy machine) has only the latest history step, which a test reading the history cannot use.
   */
  JsonNode freshEnvironment(String id) {
    JsonNode[] last = new JsonNode[1];
    org.awaitility.Awaitility.await("a fresh answer for " + id).atMost(Duration.ofSeconds(30))
        .pollInterval(Duration.ofMillis(200))
        .until(() -> {
          last[0] = get("/api/v1/environments/" + id).json();
          return !last[0].path("stale").asBoolean(false);
        });
    return last[0];
  }

  Response get(String path) {
    return send(request(path).GET());
  }

  Response post(String path, String json) {
    return send(request(path).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  Response put(String path, String json) {
    return put(path, "application/json", json);
  }

  Response put(String path, String contentType, String body) {
    return put(path, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  Response put(String path, String contentType, byte[] body) {
    return send(request(path).header("content-type", contentType).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  Response patch(String path, String json) {
    return send(request(path).header("content-type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
  }

  Response delete(String path) {
    return send(request(path).DELETE());
  }

  /** A GET whose body is bytes (a file, a tar), not text. */
  HttpResponse<byte[]> download(String path) {
    return send(request(path).GET(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The server-sent events at path, line by line as they come. */
  CompletableFuture<Stream<String>> events(String path) {
    return client.sendAsync(request(path).header("accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines())
        .thenApply(HttpResponse::body);
  }

  /** The Authorization header's value this API sends: for what a request builder does not reach (a WebSocket, a replica). */
  String bearer() {
    return request("/api/v1/nodes").build().headers().firstValue("Authorization").orElseThrow();
  }

  /** A request with the user's (by default the admin's) bearer token (signed in on first use; health and login need none). */
  HttpRequest.Builder request(String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
    if (!path.startsWith("/api/v1/auth/") && !path.startsWith("/api/v1/health")) {
      String current = token();
      if (current != null) {
        request.header("Authorization", "Bearer " + current);
      }
    }
    return request;
  }

  /**
   * The admin's token, signed in on first use; null while the gateway cannot sign in yet (the
   * request then goes without one, and its 401 says why).
   */
  private synchronized String token() {
    if (token == null) {
      Response login = send(HttpRequest.newBuilder(uri("/api/v1/auth/login")).header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(
              JSON.createObjectNode().put("username", username).put("password", password).toString())));
      if (login.status() == 200) {
        token = login.json().path("token").asText();
      }
    }
    return token;
  }

  URI uri(String path) {
    return URI.create(base + path);
  }

  HttpClient client() {
    return client;
  }

  private Response send(HttpRequest.Builder request) {
    HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString());
    return new Response(response.statusCode(), response.body(), response);
  }

  private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
    try {
      return client.send(request.timeout(REQUEST_TIMEOUT).build(), body);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
