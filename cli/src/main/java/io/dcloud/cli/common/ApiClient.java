package io.dcloud.cli.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

/**
 * DCloud's HTTP API as the CLI uses it: JSON in and out, a bearer token on every request, and
 * every answer that is not 2xx turned into a {@link CliException} with the problem's one line and
 * the exit status its HTTP status stands for.
 */
public final class ApiClient {
  public static final String PREFIX = "/api/v1";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
  /**
   * How long in all a request refused with 429 and a Retry-After (the gateway too busy to admit it:
   * too many creates, a service's queue full) is tried again, as the header asks, before the refusal
   * is reported. A 429 means nothing was done, so even a create is safe to send again.
   */
  public static final Duration BUSY_RETRY_BUDGET = Duration.ofSeconds(60);
  static final String IDEMPOTENCY_KEY = "Idempotency-Key";

  private final HttpClient http;
  private final URI base;
  private final String token;
  /** Where waits on a busy gateway are told; null: a 429 is reported at once (sign-in: never retried). */
  private final PrintStream notices;

  public ApiClient(URI base, String token) {
    this(base, token, null);
  }

  public ApiClient(URI base, String token, PrintStream notices) {
    this.http = HttpClient.newBuilder().connectTimeout(CONNECT_TIMEOUT).build();
    this.base = base;
    this.token = token;
    this.notices = notices;
  }

  /** The gateway's address as users give it: no trailing slash, and the API prefix dropped. */
  public static URI normalize(String api) {
    String trimmed = api.strip().replaceAll("/+$", "");
    if (trimmed.endsWith(PREFIX)) {
      trimmed = trimmed.substring(0, trimmed.length() - PREFIX.length());
    }
    if (!trimmed.matches("(?i)https?://.+")) {
      throw CliException.usage("--api must be an http:// or https:// URL, not '" + api + "'");
    }
    return URI.create(trimmed);
  }

  public URI base() {
    return base;
  }

  public String token() {
    return token;
  }

  public HttpClient http() {
    return http;
  }

  /** A path segment (an id, a name) escaped for the URL. */
  public static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** {@code ?a=1&b=2} for the entries whose value is not null. */
  public static String query(Map<String, ?> parameters) {
    String joined = parameters.entrySet().stream()
        .filter(entry -> entry.getValue() != null)
        .flatMap(entry -> (entry.getValue() instanceof List<?> values ? values : List.of(entry.getValue())).stream()
            .map(value -> entry.getKey() + "=" + segment(String.valueOf(value))))
        .collect(Collectors.joining("&"));
    return joined.isEmpty() ? "" : "?" + joined;
  }

  public HttpRequest.Builder request(String path) {
    HttpRequest.Builder builder = HttpRequest.newBuilder(base.resolve(PREFIX + path));
    if (token != null) {
      builder.header("Authorization", "Bearer " + token);
    }
    return builder;
  }

  public JsonNode get(String path) {
    return json(request(path).GET());
  }

  /** A GET of a text answer (a Dockerfile, a manifest), as it came. */
  public String text(String path) {
    HttpResponse<String> response = send(request(path).GET().build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    checked(response.statusCode(), response.body());
    return response.body();
  }

  public JsonNode post(String path, JsonNode body) {
    return json(withJson(request(path), "POST", body));
  }

  /**
   * A create (an environment, from a contract or a template), sent with an Idempotency-Key of its
   * own: should the cluster not answer in time (503), it is sent again with the same key, which
   * answers with the environment the first try made, if it made one, instead of a second.
   */
  public JsonNode create(String path, JsonNode body) {
    return json(withJson(request(path), "POST", body).header(IDEMPOTENCY_KEY, UUID.randomUUID().toString()));
  }

  public JsonNode put(String path, JsonNode body) {
    return json(withJson(request(path), "PUT", body));
  }

  public JsonNode patch(String path, JsonNode body) {
    return json(withJson(request(path), "PATCH", body));
  }

  public JsonNode delete(String path) {
    return json(request(path).DELETE());
  }

  private static HttpRequest.Builder withJson(HttpRequest.Builder request, String method, JsonNode body) {
    String text = body == null ? "" : body.toString();
    return request.header("Content-Type", "application/json")
        .method(method, HttpRequest.BodyPublishers.ofString(text, StandardCharsets.UTF_8));
  }

  /** Sends the request; the answer's JSON (a missing node for 204). */
  public JsonNode json(HttpRequest.Builder request) {
    HttpResponse<String> response = send(request.build(), HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    checked(response.statusCode(), response.body());
    String body = response.body();
    if (body == null || body.isBlank()) {
      return JSON.missingNode();
    }
    try {
      return JSON.readTree(body);
    } catch (IOException e) {
      throw new CliException(ExitCodes.ERROR, "the gateway answered something that is not JSON: " + e.getMessage(), e);
    }
  }

  /** An answer read as it comes (logs, event streams, downloads): the caller closes its body. */
  public HttpResponse<InputStream> stream(HttpRequest.Builder request) {
    HttpResponse<InputStream> response = send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() / 100 != 2) {
      try (InputStream body = response.body()) {
        checked(response.statusCode(), new String(body.readAllBytes(), StandardCharsets.UTF_8));
      } catch (IOException e) {
        checked(response.statusCode(), "");
      }
    }
    return response;
  }

  private static void checked(int status, String body) {
    if (status / 100 != 2) {
      CliException problem = Problems.toException(status, body);
      if (status == 401) {
        // The gateway's detail may say "sign in again" already: the CLI adds how, once.
        String message = problem.getMessage();
        throw new CliException(problem.exitCode(), message.endsWith("sign in again")
            ? message + " with dcloud login" : message + " (sign in again: dcloud login)");
      }
      throw problem;
    }
  }

  /**
   * Sends the request, waiting out and retrying within {@link #BUSY_RETRY_BUDGET} a busy gateway's
   * 429s and, for a request with an Idempotency-Key, a cluster that did not answer in time (503).
   */
  public <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    long waitedSeconds = 0;
    for (int attempt = 0; ; attempt++) {
      HttpResponse<T> response = sendOnce(request, handler);
      long retryAfter = retryAfterSeconds(request, response, attempt);
      if (retryAfter < 0 || waitedSeconds + retryAfter > BUSY_RETRY_BUDGET.toSeconds()) {
        return response;
      }
      discard(response.body());
      notices.println(response.statusCode() == 429
          ? "dcloud: the gateway is busy (HTTP 429 at " + request.uri().getPath() + "); trying again in " + retryAfter + " s"
          : "dcloud: the cluster did not answer in time (HTTP 503 at " + request.uri().getPath()
              + "); trying again with the same " + IDEMPOTENCY_KEY + " in " + retryAfter + " s");
      try {
        Thread.sleep(Duration.ofSeconds(retryAfter).toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CliException(ExitCodes.ERROR, "interrupted");
      }
      waitedSeconds += retryAfter;
    }
  }

  /**
   * The seconds to wait before sending the request again (retries on, its body can be sent twice),
   * -1 for no retry: a 429's Retry-After (only the delay form, RFC 9110: seconds; a 429 means nothing
   * was done); for a 503 of a request with an Idempotency-Key, its Retry-After or 1, 2, 4, then 8 s.
   */
  private long retryAfterSeconds(HttpRequest request, HttpResponse<?> response, int attempt) {
    boolean replayable = request.bodyPublisher().map(body -> body.contentLength() >= 0).orElse(true);
    if (notices == null || !replayable) {
      return -1;
    }
    String header = response.headers().firstValue("Retry-After").orElse("").strip();
    boolean delay = header.matches("\\d{1,4}");
    if (response.statusCode() == 429) {
      return delay ? Math.max(1, Long.parseLong(header)) : -1;
    }
    if (response.statusCode() == 503 && request.headers().firstValue(IDEMPOTENCY_KEY).isPresent()) {
      return delay ? Math.max(1, Long.parseLong(header)) : 1L << Math.min(attempt, 3);
    }
    return -1;
  }

  private static void discard(Object body) {
    if (body instanceof InputStream stream) {
      try {
        stream.close();
      } catch (IOException ignored) {
        // the answer is dropped anyway
      }
    }
  }

  private <T> HttpResponse<T> sendOnce(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      return http.send(request, handler);
    } catch (IOException e) {
      throw unreachable(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.ERROR, "interrupted");
    }
  }

  public CliException unreachable(Throwable e) {
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    return new CliException(ExitCodes.UNREACHABLE, "cannot reach the gateway at " + base + ": " + why, e);
  }
}
