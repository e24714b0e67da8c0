package io.dcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dcloud.cli.common.ApiClient;
import io.dcloud.cli.common.ExitCodes;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The CLI against a gateway too busy to admit a create. The real gateway answers 429 only under a
 * load no test can hold steady, so this server replays its answer (the problem+json and Retry-After
 * of EnvironmentCreation's refusal) for a set number of requests, then accepts.
 */
class CliBusyGatewayTest {
  private static final String TOO_MANY_CREATES = """
      {"type":"https://dcloud.dev/problems/too-many-creates","title":"Too many creates in progress","status":429,
       "detail":"this gateway has 256 creates in progress; try again shortly"}""";
  private static final String CLUSTER_UNAVAILABLE = """
      {"type":"https://dcloud.dev/problems/cluster-unavailable","title":"The cluster did not answer in time","status":503,
       "detail":"environment 1 did not answer within 5s"}""";
  private static final String TOO_MANY_LOGINS = """
      {"type":"https://dcloud.dev/problems/too-many-logins","title":"Too many failed sign-ins","status":429}""";

  @TempDir
  Path config;

  private HttpServer gateway;
  private final AtomicInteger refusalsLeft = new AtomicInteger();
  private final List<String> bodies = new CopyOnWriteArrayList<>();
  private final List<String> idempotencyKeys = new CopyOnWriteArrayList<>();
  private int refusalStatus = 429;
  private String retryAfter = "1";

  @BeforeEach
  void start() throws IOException {
    gateway = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    gateway.createContext("/api/v1/environments", this::create);
    gateway.createContext("/api/v1/auth/login", exchange -> answer(exchange, 429, TOO_MANY_LOGINS, "30"));
    gateway.start();
  }

  @AfterEach
  void stop() {
    gateway.stop(0);
  }

  private void create(HttpExchange exchange) throws IOException {
    bodies.add(new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
    idempotencyKeys.add(String.valueOf(exchange.getRequestHeaders().getFirst("Idempotency-Key")));
    if (refusalsLeft.getAndDecrement() > 0) {
      answer(exchange, refusalStatus, refusalStatus == 429 ? TOO_MANY_CREATES : CLUSTER_UNAVAILABLE, retryAfter);
    } else {
      answer(exchange, 202, "{\"id\":\"env-accepted\",\"status\":\"QUEUED\"}", null);
    }
  }

  private static void answer(HttpExchange exchange, int status, String body, String retryAfter) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", status == 202 ? "application/json" : "application/problem+json");
    if (retryAfter != null) {
      exchange.getResponseHeaders().add("Retry-After", retryAfter);
    }
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
    exchange.close();
  }

  private CliRunner.Result createDetached() throws IOException {
    Path spec = Files.writeString(config.resolve("spec.yaml"), "env-name: busy\nos: debian\n");
    return new CliRunner(config).with("DCLOUD_TOKEN", "a-token")
        .run("--api", "http://127.0.0.1:" + gateway.getAddress().getPort(), "env", "create", "-f", spec.toString(), "--detach");
  }

  @Test
  void aCreateRefusedAsTooManyIsSentAgainAfterRetryAfterAndSucceeds() throws IOException {
    refusalsLeft.set(2);

    CliRunner.Result result = createDetached();

    assertThat(result.status()).as(result.toString()).isZero();
    assertThat(result.out().strip()).isEqualTo("env-accepted");
    assertThat(result.err()).contains("the gateway is busy (HTTP 429 at /api/v1/environments); trying again in 1 s");
    assertThat(bodies).hasSize(3).allSatisfy(body -> assertThat(body).isEqualTo(bodies.get(0)).contains("busy"));
  }

  @Test
  void aCreateTheClusterDidNotAnswerInTimeIsSentAgainWithTheSameIdempotencyKey() throws IOException {
    refusalsLeft.set(2);
    refusalStatus = 503;
    retryAfter = null;

    CliRunner.Result result = createDetached();

    assertThat(result.status()).as(result.toString()).isZero();
    assertThat(result.out().strip()).isEqualTo("env-accepted");
    assertThat(result.err())
        .contains("the cluster did not answer in time (HTTP 503 at /api/v1/environments); trying again with the same Idempotency-Key in 1 s")
        .contains("trying again with the same Idempotency-Key in 2 s");
    assertThat(idempotencyKeys).hasSize(3).doesNotContain("null").containsOnly(idempotencyKeys.get(0));
    assertThat(bodies).hasSize(3).allSatisfy(body -> assertThat(body).isEqualTo(bodies.get(0)));
  }

  @Test
  void eachCreateHasAKeyOfItsOwn() throws IOException {
    createDetached();
    createDetached();

    assertThat(idempotencyKeys).hasSize(2).doesNotContain("null").doesNotHaveDuplicates();
  }

  @Test
  void aRetryAfterBeyondTheBudgetIsReportedAtOnceAsRefused() throws IOException {
    refusalsLeft.set(1);
    retryAfter = String.valueOf(ApiClient.BUSY_RETRY_BUDGET.toSeconds() + 1);

    CliRunner.Result result = createDetached();

    assertThat(result.status()).as(result.toString()).isEqualTo(ExitCodes.REFUSED);
    assertThat(result.err()).contains("Too many creates in progress").doesNotContain("trying again");
    assertThat(bodies).hasSize(1);
  }

  @Test
  void aRefusedSignInIsNeverRetried() {
    CliRunner.Result result = new CliRunner(config).runWithStdin("wrong\n",
        "login", "--api", "http://127.0.0.1:" + gateway.getAddress().getPort(), "--username", "admin", "--password-stdin");

    assertThat(result.status()).as(result.toString()).isEqualTo(ExitCodes.REFUSED);
    assertThat(result.err()).contains("Too many failed sign-ins").doesNotContain("trying again");
  }
}
