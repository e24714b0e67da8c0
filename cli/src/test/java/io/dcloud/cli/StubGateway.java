package io.dcloud.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A loopback HTTP server that answers what a test scripted and records every request the CLI sent.
 * The device, sensor-type and binding routes of issue 15 are written on the gateway in parallel
 * with these verbs, so their tests speak the contract's shapes to this stand-in: they check what
 * the CLI sends (paths, queries, bodies, the token) and how it prints the contract's answers.
 */
final class StubGateway implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** One request as it arrived: its method, path with query (as sent, escaped), headers of note and body. */
  record Request(String method, String uri, String authorization, String accept, String body) {
    JsonNode json() {
      try {
        return JSON.readTree(body);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }

  private record Answer(int status, String contentType, String body) {}

  private final HttpServer server;
  private final ExecutorService threads = Executors.newCachedThreadPool();
  private final Map<String, Deque<Answer>> answers = new ConcurrentHashMap<>();
  private final List<Request> requests = new CopyOnWriteArrayList<>();

  StubGateway() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/", this::handle);
    server.setExecutor(threads);
    server.start();
  }

  String api() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * Answers METHOD PATH (under /api/v1, query aside) with this JSON; a problem+json when the status
   * is not 2xx. Scripted again, the answers come in order, the last one for every later request.
   */
  StubGateway answer(String method, String path, int status, String json) {
    return script(method, path, new Answer(status, status / 100 == 2 ? "application/json" : "application/problem+json",
        json));
  }

  /** Answers GET PATH with this text/event-stream body, then ends the stream. */
  StubGateway events(String path, String stream) {
    return script("GET", path, new Answer(200, "text/event-stream", stream));
  }

  private StubGateway script(String method, String path, Answer answer) {
    answers.computeIfAbsent(method + " " + ApiClient.PREFIX + path, key -> new ArrayDeque<>()).add(answer);
    return this;
  }

  List<Request> requests() {
    return List.copyOf(requests);
  }

  /** The last request to METHOD PATH (query aside); fails when there was none. */
  Request last(String method, String path) {
    String wanted = ApiClient.PREFIX + path;
    return requests.stream()
        .filter(r -> r.method().equals(method) && r.uri().split("\\?", 2)[0].equals(wanted))
        .reduce((first, second) -> second)
        .orElseThrow(() -> new AssertionError("no " + method + " " + wanted + " in " + requests));
  }

  private void handle(HttpExchange exchange) throws IOException {
    String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    String path = exchange.getRequestURI().getRawPath();
    String query = exchange.getRequestURI().getRawQuery();
    requests.add(new Request(exchange.getRequestMethod(), path + (query == null ? "" : "?" + query),
        exchange.getRequestHeaders().getFirst("Authorization"), exchange.getRequestHeaders().getFirst("Accept"), body));
    Deque<Answer> scripted = answers.get(exchange.getRequestMethod() + " " + path);
    Answer answer;
    if (scripted == null) {
      answer = new Answer(404, "application/problem+json",
          "{\"title\": \"Not Found\", \"status\": 404, \"detail\": \"nothing scripted for " + path + "\"}");
    } else {
      synchronized (scripted) {
        answer = scripted.size() > 1 ? scripted.poll() : scripted.peek();
      }
    }
    byte[] bytes = answer.body().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", answer.contentType());
    exchange.sendResponseHeaders(answer.status(), answer.status() == 204 ? -1 : bytes.length);
    try (OutputStream out = exchange.getResponseBody()) {
      if (answer.status() != 204) {
        out.write(bytes);
      }
    }
  }

  @Override
  public void close() {
    server.stop(0);
    threads.shutdownNow();
  }
}
