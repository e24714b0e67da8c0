package io.dcloud.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** A small client of one node's HTTP API. Connection failures surface as {@link IllegalStateException}. */
final class Api {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

  record Response(int status, String body, HttpResponse<String> raw) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new IllegalStateException("not JSON (" + status + "): " + body, e);
      }
    }

    String contentType() {
      return raw.headers().firstValue("content-type").orElse("");
    }
  }

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
  private final String base;
  private static final String PASSWORD = Node.ADMIN_PASSWORD;
  private String token;

  Api(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  Response get(String path) {
    return send(request(path).GET());
  }

  Response post(String path, String json) {
    return send(request(path).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  Response put(String path, String json) {
    return send(request(path).header("content-type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  Response delete(String path) {
    return send(request(path).DELETE());
  }

  /** The environment as this node's API shows it. */
  JsonNode environment(String id) {
    Response response = get("/api/v1/environments/" + id);
    if (response.status() != 200) {
      throw new AssertionError("GET environment " + id + " via " + base + ": " + response.status() + " " + response.body());
    }
    return response.json();
  }

  /** The {@code nodes} array of {@code GET /nodes}. */
  JsonNode nodes() {
    Response response = get("/api/v1/nodes");
    if (response.status() != 200) {
      throw new AssertionError("GET /nodes via " + base + ": " + response.status() + " " + response.body());
    }
    return response.json().get("nodes");
  }

  /** A request with the admin's bearer token (signed in on first use; health and login need none). */
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
              "{\"username\": \"admin\", \"password\": \"" + PASSWORD + "\"}")));
      if (login.status() == 200) {
        token = login.json().path("token").asText();
      }
    }
    return token;
  }

  URI uri(String path) {
    return URI.create(base + path);
  }

  @Override
  public String toString() {
    return base;
  }

  private Response send(HttpRequest.Builder request) {
    try {
      HttpResponse<String> response = client.send(request.timeout(REQUEST_TIMEOUT).build(), HttpResponse.BodyHandlers.ofString());
      return new Response(response.statusCode(), response.body(), response);
    } catch (IOException e) {
      throw new IllegalStateException(base + ": " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
