package io.dcloud.testing;

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

/**
 * A small client of DCloud's HTTP API for the tests that run DCloud whole (the app module's and the
 * multi-process ones): one user, signed in on first use. Connection failures surface as
 * {@link IllegalStateException} naming the gateway.
 */
public class ApiSession {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

  /** An answer with its body as text. */
  public record Response(int status, String body, HttpResponse<String> raw) {
    public JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException("not JSON (" + status + "): " + body, e);
      }
    }

    public String contentType() {
      return raw.headers().firstValue("content-type").orElse("");
    }
  }

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
  private final String base;
  private final String username;
  private final String password;
  private String token;

  /** The API at {@code base} (e.g. http://127.0.0.1:8080) as {@code username}. */
  protected ApiSession(String base, String username, String password) {
    this.base = base;
    this.username = username;
    this.password = password;
  }

  public Response get(String path) {
    return send(request(path).GET());
  }

  public Response post(String path, String json) {
    return send(request(path).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  public Response put(String path, String json) {
    return put(path, "application/json", json);
  }

  public Response put(String path, String contentType, String body) {
    return put(path, contentType, body.getBytes(StandardCharsets.UTF_8));
  }

  public Response put(String path, String contentType, byte[] body) {
    return send(request(path).header("content-type", contentType).PUT(HttpRequest.BodyPublishers.ofByteArray(body)));
  }

  public Response patch(String path, String json) {
    return send(request(path).header("content-type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
  }

  public Response delete(String path) {
    return send(request(path).DELETE());
  }

  /** A GET whose body is bytes (a file, a tar), not text. */
  public HttpResponse<byte[]> download(String path) {
    return send(request(path).GET(), HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The server-sent events at path, line by line as they come. */
  public CompletableFuture<Stream<String>> events(String path) {
    return client.sendAsync(request(path).header("accept", "text/event-stream").build(), HttpResponse.BodyHandlers.ofLines())
        .thenApply(HttpResponse::body);
  }

  /** The Authorization header's value this API sends: for what a request builder does not reach (a WebSocket, a replica). */
  public String bearer() {
    return request("/api/v1/nodes").build().headers().firstValue("Authorization").orElseThrow();
  }

  /** A request with the user's bearer token (signed in on first use; health and login need none). */
  public HttpRequest.Builder request(String path) {
    HttpRequest.Builder request = HttpRequest.newBuilder(uri(path));
    if (!path.startsWith("/api/v1/auth/") && !path.startsWith("/api/v1/health")) {
      String current = token();
      if (current != null) {
        request.header("Authorization", "Bearer " + current);
      }
    }
    return request;
  }

  public URI uri(String path) {
    return URI.create(base + path);
  }

  public HttpClient client() {
    return client;
  }

  /** The gateway's address, e.g. http://127.0.0.1:8080. */
  public String base() {
    return base;
  }

  @Override
  public String toString() {
    return base;
  }

  /**
   * The user's token, signed in on first use; null while the gateway cannot sign in yet (the request
   * then goes without one, and its 401 says why).
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

  private Response send(HttpRequest.Builder request) {
    HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString());
    return new Response(response.statusCode(), response.body(), response);
  }

  private <T> HttpResponse<T> send(HttpRequest.Builder request, HttpResponse.BodyHandler<T> body) {
    try {
      return client.send(request.timeout(REQUEST_TIMEOUT).build(), body);
    } catch (IOException e) {
      throw new IllegalStateException(base + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
