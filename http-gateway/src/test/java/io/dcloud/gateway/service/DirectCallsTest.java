package io.dcloud.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.sun.net.httpserver.HttpServer;
import io.dcloud.node.NodeWatch;
import io.dcloud.node.ProxyPieces;
import io.dcloud.node.ProxyWire;
import io.dcloud.service.ServiceView;
import io.dcloud.spec.PublishedPort;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Direct calls against a real HTTP server on loopback (the replica) and a port nobody listens on (a
 * replica that is gone): answers, refusals, time-outs, and the balancer trying a refused call again
 * on another replica.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DirectCallsTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final byte[] LARGE = new byte[3 * ProxyPieces.SIZE + 17];

  static {
    for (int i = 0; i < LARGE.length; i++) {
      LARGE[i] = (byte) (i * 31);
    }
  }
  private final ActorTestKit testKit = ActorTestKit.create("direct-calls-test");
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<String> received = Collections.synchronizedList(new ArrayList<>());
  private final List<String> hosts = Collections.synchronizedList(new ArrayList<>());
  private HttpServer server;
  private DirectCalls calls;

  @BeforeAll
  void start() throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.createContext("/predict", exchange -> {
      byte[] body = exchange.getRequestBody().readAllBytes();
      received.add(exchange.getRequestMethod() + " " + exchange.getRequestURI() + " "
          + exchange.getRequestHeaders().getFirst("Content-Type") + " " + new String(body, StandardCharsets.UTF_8));
      hosts.add(exchange.getRequestHeaders().getFirst("Host") + " " + exchange.getRequestHeaders().getFirst("X-Forwarded-Host"));
      byte[] answer = "{\"predictions\": [1]}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.getResponseHeaders().add("X-Model", "iris");
      exchange.sendResponseHeaders(200, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    server.createContext("/large", exchange -> {
      // Over a piece, without a length (chunked) when asked: streamed either way.
      boolean chunked = exchange.getRequestURI().getQuery() != null;
      exchange.getResponseHeaders().add("Content-Type", "application/octet-stream");
      exchange.sendResponseHeaders(200, chunked ? 0 : LARGE.length);
      exchange.getResponseBody().write(LARGE);
      exchange.close();
    });
    server.createContext("/fails", exchange -> {
      exchange.sendResponseHeaders(500, -1);
      exchange.close();
    });
    server.createContext("/loading", exchange -> {
      byte[] answer = "{\"error\": \"the model is loading\"}".getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().add("Content-Type", "application/json");
      exchange.sendResponseHeaders(503, answer.length);
      exchange.getResponseBody().write(answer);
      exchange.close();
    });
    server.createContext("/slow", exchange -> {
      try {
        release.await(WAIT.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      exchange.sendResponseHeaders(204, -1);
      exchange.close();
    });
    server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    server.start();
    calls = new DirectCalls(testKit.system(), Materializer.matFromSystem(testKit.system()), 4, 1000);
  }

  @AfterAll
  void stop() {
    release.countDown();
    server.stop(0);
    testKit.shutdownTestKit();
  }

  private String base() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private static ReplicaCalls.Request predict(String path) {
    return new ReplicaCalls.Request("POST", path, List.of(new ProxyWire.Header("X-Request-Id", "r1")), "application/json",
        ByteString.fromString("{\"instances\": [[1, 2]]}"));
  }

  @Test
  void aReplicasAnswerComesBackAsItsNodeWouldAnswerIt() throws Exception {
    ReplicaBalancer.Attempt<ProxyWire.Response> attempt =
        calls.send("a", base(), predict("/predict?v=1"), WAIT).toCompletableFuture().get();
    assertThat(attempt).isInstanceOf(ReplicaBalancer.Attempt.Answered.class);
    var answered = (ReplicaBalancer.Attempt.Answered<ProxyWire.Response>) attempt;
    assertThat(answered.ok()).isTrue();
    assertThat(answered.value().status()).isEqualTo(200);
    assertThat(answered.value().contentType()).isEqualTo("application/json");
    assertThat(new String(answered.value().body().bytes(), StandardCharsets.UTF_8)).isEqualTo("{\"predictions\": [1]}");
    // The JDK's server spells it X-model.
    assertThat(answered.value().headers()).anyMatch(h -> h.name().equalsIgnoreCase("X-Model") && h.value().equals("iris"));
    assertThat(answered.value().headers()).noneMatch(h -> ProxyWire.HOP_BY_HOP.contains(h.name().toLowerCase()));
    assertThat(received).contains("POST /predict?v=1 application/json {\"instances\": [[1, 2]]}");
  }

  @Test
  void aLargeAnswerStreamsWithOrWithoutItsLengthAndArrivesWhole() throws Exception {
    ReplicaCalls replicas = new ReplicaCalls(null, Materializer.matFromSystem(testKit.system()), null, calls);
    for (String path : List.of("/large", "/large?chunked")) {
      var attempt = calls.send("a", base(), new ReplicaCalls.Request("GET", path, List.of(), null, null), WAIT)
          .toCompletableFuture().get();
      var answered = (ReplicaBalancer.Attempt.Answered<ProxyWire.Response>) attempt;
      assertThat(answered.value().body()).as(path).isNull();
      assertThat(answered.value().bodyStream()).as(path).isNotNull();
      PredictBatcher.Reply whole = replicas.whole(answered.value()).toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(whole.body()).as(path).isEqualTo(LARGE);
      assertThat(whole.contentType()).isEqualTo("application/octet-stream");
    }
  }

  @Test
  void theReplicaSeesTheCallersHostAsThroughItsNode() throws Exception {
    // As the gateway forwards them (ProxyHeaders): the caller's Host among the headers.
    var request = new ReplicaCalls.Request("POST", "/predict?host", List.of(new ProxyWire.Header("Host", "dcloud.example:8080"),
        new ProxyWire.Header("X-Forwarded-Host", "dcloud.example:8080")), "application/json", ByteString.fromString("{}"));

    var attempt = calls.send("a", base(), request, WAIT).toCompletableFuture().get();

    assertThat(((ReplicaBalancer.Attempt.Answered<ProxyWire.Response>) attempt).value().status()).isEqualTo(200);
    assertThat(hosts).contains("dcloud.example:8080 dcloud.example:8080");
  }

  @Test
  void aServerErrorIsAnAnswerNotAnUnreachableReplica() throws Exception {
    ReplicaBalancer.Attempt<ProxyWire.Response> attempt =
        calls.send("a", base(), predict("/fails"), WAIT).toCompletableFuture().get();
    assertThat(attempt).isInstanceOf(ReplicaBalancer.Attempt.Answered.class);
    var answered = (ReplicaBalancer.Attempt.Answered<ProxyWire.Response>) attempt;
    assertThat(answered.ok()).isFalse();
    assertThat(answered.value().status()).isEqualTo(500);
  }

  @Test
  void aServiceUnavailableAnswerIsAReplicaThatDidNotTakeTheCallWithItsAnswerKept() throws Exception {
    ReplicaBalancer.Attempt<ProxyWire.Response> attempt =
        calls.send("a", base(), predict("/loading"), WAIT).toCompletableFuture().get();
    assertThat(attempt).isInstanceOf(ReplicaBalancer.Attempt.Unavailable.class);
    var unavailable = (ReplicaBalancer.Attempt.Unavailable<ProxyWire.Response>) attempt;
    assertThat(unavailable.value().status()).isEqualTo(503);
    assertThat(new String(unavailable.value().body().bytes(), StandardCharsets.UTF_8)).contains("the model is loading");
  }

  @Test
  void aRefusedConnectionIsAnUnreachableReplicaNamingWhere() throws Exception {
    String closed = "http://127.0.0.1:" + closedPort();
    ReplicaBalancer.Attempt<ProxyWire.Response> attempt =
        calls.send("gone", closed, predict("/predict"), WAIT).toCompletableFuture().get();
    assertThat(attempt).isInstanceOf(ReplicaBalancer.Attempt.Unreachable.class);
    assertThat(((ReplicaBalancer.Attempt.Unreachable<ProxyWire.Response>) attempt).reason())
        .contains(closed).contains("replica gone");
  }

  @Test
  void noAnswerInTimeFailsWithATimeout() {
    assertThatThrownBy(() -> calls.send("a", base(), predict("/slow"), Duration.ofMillis(200)).toCompletableFuture().get())
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(TimeoutException.class);
  }

  @Test
  void aCallTheFirstReplicaRefusedIsAnsweredByAnotherAndEachTryIsCounted() throws Exception {
    List<String> outcomes = Collections.synchronizedList(new ArrayList<>());
    ServiceCallSettings settings = new ServiceCallSettings(
        Duration.ofSeconds(2), 10, Duration.ofSeconds(10), Duration.ofSeconds(5), Duration.ofSeconds(1));
    ReplicaBalancer balancer = new ReplicaBalancer(settings, new ReplicaBalancer.Listener() {
      @Override
      public void attempted(String service, ServiceView.Replica replica, String outcome, long nanos) {
        outcomes.add(replica.id() + ":" + outcome);
      }

      @Override
      public void failed(String service) {}
    }, System::nanoTime, NodeWatch.NONE);
    ServiceView.Replica gone = new ServiceView.Replica("gone", "n1", "RUNNING", true, 1,
        new PublishedPort(8080, "tcp", "127.0.0.1", closedPort()), null);
    ServiceView.Replica alive = new ServiceView.Replica("alive", "n1", "RUNNING", true, 1,
        new PublishedPort(8080, "tcp", "127.0.0.1", server.getAddress().getPort()), null);
    DirectRoute route = new DirectRoute(new DirectRouteSettings(true, false, Duration.ofMinutes(1), 4), "n1", System::nanoTime);
    // Their first calls went through their nodes already: these are direct.
    route.base(gone);
    route.base(alive);
    ReplicaCalls replicas = new ReplicaCalls(null, Materializer.matFromSystem(testKit.system()), route, calls);

    ReplicaBalancer.Answer<ProxyWire.Response> answer = balancer.call("svc", List.of(gone, alive), true,
        (replica, timeout) -> replicas.send(replica, 8080, predict("/predict"), timeout)).toCompletableFuture()
        .get(WAIT.toMillis(), TimeUnit.MILLISECONDS);

    assertThat(answer.replica().id()).isEqualTo("alive");
    assertThat(answer.value().status()).isEqualTo(200);
    assertThat(outcomes).containsExactly("gone:unreachable", "alive:ok");
    // The refusing replica's next call goes through its node, which knows whether it still runs there.
    assertThat(route.base(gone)).isEmpty();
    assertThat(route.base(alive)).isPresent();
  }

  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
