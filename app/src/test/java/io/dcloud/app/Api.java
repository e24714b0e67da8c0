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
  private final String base;

  Api(int port) {
    this.base = "http://127.0.0.1:" + port;
  }

  Response get(String path) {
    return send(HttpRequest.newBuilder(uri(path)).GET());
  }

  Response post(String path, String json) {
    return send(HttpRequest.newBuilder(uri(path)).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json)));
  }

  Response put(String path, String json) {
    return send(HttpRequest.newBuilder(uri(path)).header("content-type", "application/json")
        .PUT(HttpRequest.BodyPublishers.ofString(json)));
  }

  Response delete(String path) {
    return send(HttpRequest.newBuilder(uri(path)).DELETE());
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
