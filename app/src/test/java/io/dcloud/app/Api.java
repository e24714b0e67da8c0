package io.dcloud.app;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

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
    return send(request(path).header("content-type", contentType).PUT(HttpRequest.BodyPublishers.ofString(body)));
  }

  Response patch(String path, String json) {
    return send(request(path).header("content-type", "application/json")
        .method("PATCH", HttpRequest.BodyPublishers.ofString(json)));
  }

  Response delete(String path) {
    return send(request(path).DELETE());
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
    try {
      HttpResponse<String> response = client.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.body(), response);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
