package io.dcloud.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** A small client for the gateway under test: plain {@link HttpClient}, answers parsed as JSON. */
public final class Api {
  public static final String JSON = "application/json";
  public static final String YAML = "application/yaml";
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(15);

  private static final ObjectMapper MAPPER = new ObjectMapper();

  public final HttpClient http = HttpClient.newBuilder().connectTimeout(REQUEST_TIMEOUT).build();
  public final URI base;
  /** Sent as the bearer token of every request; null: an anonymous client. */
  public final String token;

  public Api(URI base) {
    this(base, null);
  }

  private Api(URI base, String token) {
    this.base = base;
    this.token = token;
  }

  /** A client signed in as the test cluster's admin. */
  public static Api admin(URI base) {
    return new Api(base).signedIn("admin", GatewayTestCluster.ADMIN_PASSWORD);
  }

  /** The same gateway, signed in as {@code username} (a 200 from login is asserted). */
  public Api signedIn(String username, String password) {
    Answer login = post("/api/v1/auth/login", JSON,
        "{\"username\": \"" + username + "\", \"password\": \"" + password + "\"}");
    assertThat(login.status()).as("login of %s: %s", username, login.body()).isEqualTo(200);
    return new Api(base, login.json().path("token").asText());
  }

  /** The same gateway with {@code token} (an API token, say) as the bearer token. */
  public Api bearing(String token) {
    return new Api(base, token);
  }

  /** The password {@link #newUser} gives {@code username}. */
  public static String passwordOf(String username) {
    return "password-of-" + username;
  }

  /** Made by this (an admin's) client: a user with {@code roles} and {@link #passwordOf} as password (201 asserted). */
  public void createUser(String username, String... roles) {
    Answer made = post("/api/v1/users", JSON, "{\"username\": \"" + username + "\", \"password\": \""
        + passwordOf(username) + "\", \"roles\": [" + String.join(", ", Arrays.stream(roles)
        .map(role -> "\"" + role + "\"").toList()) + "]}");
    assertThat(made.status()).as("user %s: %s", username, made.body()).isEqualTo(201);
  }

  /** {@link #createUser}, then that user signed in. */
  public Api newUser(String username, String... roles) {
    createUser(username, roles);
    return signedIn(username);
  }

  /** {@link #newUser} of one role, with {@code quota} (the body of {@code PUT /users/{name}/quota}) set first (200 asserted). */
  public Api newUserWithQuota(String username, String role, String quota) {
    createUser(username, role);
    Answer set = put("/api/v1/users/" + username + "/quota", JSON, quota);
    assertThat(set.status()).as("quota of %s: %s", username, set.body()).isEqualTo(200);
    return signedIn(username);
  }

  /** The same gateway, signed in as {@code username} with {@link #passwordOf}. */
  public Api signedIn(String username) {
    return new Api(base).signedIn(username, passwordOf(username));
  }

  /** The same caller, talking to another binding of the gateway (the proxy's, say). */
  public Api at(URI otherBase) {
    return new Api(otherBase, token);
  }

  /** An answer: status, headers and body text (parsed on demand). */
  public record Answer(int status, HttpResponse<String> response) {
    public String body() {
      return response.body();
    }

    public JsonNode json() {
      try {
        return MAPPER.readTree(response.body());
      } catch (IOException e) {
        throw new AssertionError("not JSON: " + response.body(), e);
      }
    }

    public String contentType() {
      return response.headers().firstValue("content-type").orElse("");
    }

    public String header(String name) {
      return response.headers().firstValue(name).orElse(null);
    }

    /** Asserts an RFC 9457 answer with this status, and returns it. */
    public JsonNode problem(int expectedStatus) {
      assertThat(status).as("status of %s", response.body()).isEqualTo(expectedStatus);
      assertThat(contentType()).isEqualTo("application/problem+json");
      JsonNode problem = json();
      assertThat(problem.path("status").asInt()).isEqualTo(expectedStatus);
      assertThat(problem.path("type").asText()).startsWith("urn:dcloud:problem:");
      assertThat(problem.path("title").asText()).isNotBlank();
      assertThat(problem.path("detail").asText()).isNotBlank();
      assertThat(problem.path("errors").isArray()).isTrue();
      assertThat(response.body()).doesNotContain("Exception").doesNotContain("\tat ");
      return problem;
    }

    /** The fields named in a problem's errors. */
    public List<String> errorFields() {
      List<String> fields = new ArrayList<>();
      json().path("errors").forEach(e -> fields.add(e.path("field").asText()));
      return fields;
    }

    /** The reason given for {@code field}, or "" when the field is not named. */
    public String reasonFor(String field) {
      for (JsonNode error : json().path("errors")) {
        if (error.path("field").asText().equals(field)) {
          return error.path("reason").asText();
        }
      }
      return "";
    }

    /** Asserts a 200 and gives the ids of the items listed under {@code field}, in their order. */
    public List<String> ids(String field) {
      assertThat(status).as(response.body()).isEqualTo(200);
      return Api.ids(json().path(field));
    }
  }

  public Answer get(String path) {
    return send(request(path).GET().build());
  }

  public Answer delete(String path) {
    return send(request(path).DELETE().build());
  }

  public Answer post(String path, String contentType, String body) {
    return send(request(path).header("content-type", contentType).POST(BodyPublishers.ofString(body)).build());
  }

  public Answer postEmpty(String path) {
    return send(request(path).POST(BodyPublishers.noBody()).build());
  }

  public Answer put(String path, String contentType, String body) {
    return send(request(path).header("content-type", contentType).PUT(BodyPublishers.ofString(body)).build());
  }

  public Answer patch(String path, String contentType, String body) {
    return send(request(path).header("content-type", contentType).method("PATCH", BodyPublishers.ofString(body)).build());
  }

  Answer method(String method, String path) {
    return send(request(path).method(method, BodyPublishers.noBody()).build());
  }

  public HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(path)).timeout(REQUEST_TIMEOUT);
    return token == null ? builder : builder.header("Authorization", "Bearer " + token);
  }

  public Answer send(HttpRequest request) {
    try {
      HttpResponse<String> response = http.send(request, BodyHandlers.ofString());
      return new Answer(response.statusCode(), response);
    } catch (IOException e) {
      throw new AssertionError(request.method() + " " + request.uri() + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  /** The ids of a listing's items (a JSON array of objects with an "id"), in its order. */
  static List<String> ids(JsonNode items) {
    List<String> ids = new ArrayList<>();
    items.forEach(item -> ids.add(item.path("id").asText()));
    return ids;
  }

  public static JsonNode parse(String json) {
    try {
      return MAPPER.readTree(json);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }

  public static String write(JsonNode node) {
    try {
      return MAPPER.writeValueAsString(node);
    } catch (IOException e) {
      throw new AssertionError(e);
    }
  }
}
