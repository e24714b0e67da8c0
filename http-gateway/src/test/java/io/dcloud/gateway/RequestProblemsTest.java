package io.dcloud.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.scheduler.Scheduler;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** Every kind of bad input gets the right 4xx as problem+json naming the field at fault, never a 500. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestProblemsTest {
  private static final String ENVIRONMENTS = "/api/v1/environments";
  private static final int ONE_MIB = 1024 * 1024;
  private static final Duration READ_SIDE_WAIT = Duration.ofSeconds(10);
  private static final Duration ANSWER_WAIT = Duration.ofSeconds(10);

  private GatewayTestCluster cluster;
  private Api api;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("RequestProblemsTest");
    api = Api.admin(cluster.base);
    Seeds.uploadSeedDataset(api);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  /** Posts the seed config with {@code change} applied and expects a 422 naming {@code field}. */
  private Api.Answer invalidBecauseOf(String field, Consumer<ObjectNode> change) {
    Api.Answer answer = api.post(ENVIRONMENTS, Api.JSON, Seeds.environmentWith(change));
    answer.problem(422);
    assertThat(answer.errorFields()).as(answer.body()).contains(field);
    return answer;
  }

  private static ObjectNode resources(ObjectNode config) {
    return (ObjectNode) config.get("resources");
  }

  private static ObjectNode volume(ObjectNode config) {
    return (ObjectNode) config.get("storage").get(0);
  }

  private static ObjectNode externalPort(ObjectNode config, int index) {
    return (ObjectNode) config.get("port-publish").get(index).get("external");
  }

  private static ObjectNode internalPort(ObjectNode config, int index) {
    return (ObjectNode) config.get("port-publish").get(index).get("internal");
  }

  @Test
  void malformedJsonNamesLineAndColumn() {
    Api.Answer answer = api.post(ENVIRONMENTS, Api.JSON, "{\n  \"env-name\": \"x\",\n  \"os\": }");

    answer.problem(400);
    assertThat(answer.errorFields()).containsExactly("body");
    assertThat(answer.reasonFor("body")).contains("line 3, column");
  }

  @Test
  void malformedYamlNamesLineAndColumn() {
    Api.Answer answer = api.post(ENVIRONMENTS, Api.YAML, "env-name: x\nos: [debian\nresources: {ram: 1G\n");

    answer.problem(400);
    assertThat(answer.errorFields()).containsExactly("body");
    assertThat(answer.reasonFor("body")).containsPattern("line \\d+, column \\d+");
  }

  @Test
  void duplicateKeysAndTrailingDocumentsAreMalformed() {
    api.post(ENVIRONMENTS, Api.JSON, "{\"env-name\": \"a\", \"env-name\": \"b\", \"os\": \"debian\"}").problem(400);
    api.post(ENVIRONMENTS, Api.JSON, Seeds.debianEnvironment("twice") + " {}").problem(400);
    api.post(ENVIRONMENTS, Api.YAML, "env-name: a\nos: debian\n---\nenv-name: b\n").problem(400);
  }

  @Test
  void anEmptyBodyOrANonObjectIsRefused() {
    Api.Answer empty = api.post(ENVIRONMENTS, Api.JSON, "");
    empty.problem(400);
    assertThat(empty.errorFields()).containsExactly("body");
    api.post(ENVIRONMENTS, Api.JSON, "[1, 2]").problem(422);
    api.post(ENVIRONMENTS, Api.YAML, "just a string").problem(422);
  }

  @Test
  void missingEnvNameIsNamed() {
    invalidBecauseOf("env-name", config -> config.remove("env-name"));
  }

  @Test
  void unknownOsListsTheKnownOnes() {
    Api.Answer answer = invalidBecauseOf("os", config -> config.put("os", "windows"));
    assertThat(answer.reasonFor("os")).contains("debian").contains("ubuntu");
  }

  @Test
  void anOsVersionOtherThanTheCatalogsImageNamesTheCatalogsTag() {
    Api.Answer answer = invalidBecauseOf("os.version",
        config -> config.putObject("os").put("image-name", "ubuntu").put("version", "20.04"));
    assertThat(answer.reasonFor("os.version")).contains("ubuntu:22.04").contains("use 22.04");
  }

  @Test
  void unknownLanguageListsTheKnownOnes() {
    Api.Answer answer = invalidBecauseOf("languages[0].language-name",
        config -> ((ObjectNode) config.get("languages").get(0)).put("language-name", "cobol"));
    assertThat(answer.reasonFor("languages[0].language-name")).contains("python");
  }

  @Test
  void unknownLibraryListsTheKnownOnes() {
    Api.Answer answer = invalidBecauseOf("languages[0].libraries[0]",
        config -> ((ArrayNode) config.get("languages").get(0).get("libraries")).set(0, "left-pad"));
    assertThat(answer.reasonFor("languages[0].libraries[0]")).contains("numpy").contains("pandas");
  }

  @Test
  void negativeRamIsNamed() {
    invalidBecauseOf("resources.ram", config -> resources(config).put("ram", "-1G"));
  }

  @Test
  void nonNumericCpuIsNamed() {
    invalidBecauseOf("resources.cpu", config -> resources(config).put("cpu", "abc"));
  }

  @Test
  void everyFieldErrorIsListedAtOnce() {
    Api.Answer answer = api.post(ENVIRONMENTS, Api.JSON, Seeds.environmentWith(config -> {
      resources(config).put("ram", "-1G");
      resources(config).put("cpu", "abc");
    }));
    answer.problem(422);
    assertThat(answer.errorFields()).contains("resources.ram", "resources.cpu");
  }

  @Test
  void relativeAndParentStorageTargetsAreNamed() {
    invalidBecauseOf("storage[0].target", config -> volume(config).put("target", "data"));
    invalidBecauseOf("storage[0].target", config -> volume(config).put("target", "/data/../etc"));
  }

  @Test
  void portsOutOfRangeOrDuplicatedAreNamed() {
    invalidBecauseOf("port-publish[0].internal.ports", config -> internalPort(config, 0).put("ports", 0));
    invalidBecauseOf("port-publish[0].internal.ports", config -> internalPort(config, 0).put("ports", 70000));
    invalidBecauseOf("port-publish[1].internal.ports", config -> {
      internalPort(config, 1).put("ports", "9000");
      internalPort(config, 1).put("protocol", "tcp");
    });
  }

  @Test
  void longNumbersReservedVariablesAndReservedHostPortsAreNamed() {
    Api.Answer longGpu = invalidBecauseOf("resources.gpu", config -> resources(config).put("gpu", "0".repeat(100_000) + "1"));
    assertThat(longGpu.reasonFor("resources.gpu")).endsWith("a number of at most 32 characters");
    invalidBecauseOf("env.NVIDIA_VISIBLE_DEVICES", config -> config.putObject("env").put("NVIDIA_VISIBLE_DEVICES", "all"));
    // 1883: the MQTT broker's (dcloud.mqtt.port); 80: privileged. The seed's own 9000 and 9080 are publishable.
    invalidBecauseOf("port-publish[0].external.ports", config -> externalPort(config, 0).put("ports", 1883));
    invalidBecauseOf("port-publish[1].external.ports", config -> externalPort(config, 1).put("ports", 80));
  }

  @Test
  void nothingIsCreatedWhenValidationFails() {
    api.post(ENVIRONMENTS, Api.JSON, Seeds.environmentWith(config -> {
      config.put("env-name", "never-created");
      config.put("os", "windows");
    })).problem(422);
    Api.Answer after = api.post(ENVIRONMENTS, Api.JSON, Seeds.debianEnvironment("created-after"));
    assertThat(after.status()).isEqualTo(202);

    // The directory follows the journal in order: once the later environment shows, an earlier one would too.
    cluster.testKit.createTestProbe().awaitAssert(READ_SIDE_WAIT, () -> {
      assertThat(api.get(ENVIRONMENTS + "?name=created-after").json().path("environments")).hasSize(1);
      return null;
    });
    assertThat(api.get(ENVIRONMENTS + "?name=never-created").json().path("environments")).isEmpty();
  }

  @Test
  void aBodyOverTheLimitIsTooLarge() {
    String padding = "x".repeat(ONE_MIB);
    Api.Answer answer = api.post(ENVIRONMENTS, Api.JSON, "{\"env-name\": \"" + padding + "\"}");

    answer.problem(413);
    assertThat(answer.errorFields()).containsExactly("body");
  }

  @Test
  void aBodyOfAnotherTypeIsUnsupported() {
    Api.Answer answer = api.post(ENVIRONMENTS, "text/plain", Seeds.environmentJson());

    answer.problem(415);
    assertThat(answer.errorFields()).containsExactly("content-type");
    assertThat(answer.reasonFor("content-type")).contains("application/json").contains("application/yaml");
  }

  @Test
  void unknownRoutesAreNotFound() {
    api.get("/api/v1/nothing-here").problem(404);
    // "/" is the web console's page (ConsoleRouteTest); other paths outside the API are nothing.
    api.get("/nothing-here").problem(404);
    api.get("/api/v2/environments").problem(404);
  }

  @Test
  void wrongMethodsAreNotAllowedAndSayWhatIs() {
    Api.Answer answer = api.method("PATCH", ENVIRONMENTS);
    answer.problem(405);
    assertThat(answer.header("allow")).contains("GET").contains("POST");

    Api.Answer health = api.delete("/api/v1/health");
    health.problem(405);
    assertThat(health.header("allow")).isEqualTo("GET");
  }

  @Test
  void aClusterThatDoesNotAnswerIsServiceUnavailable() throws Exception {
    TestProbe<Scheduler.Command> silentScheduler = cluster.testKit.createTestProbe();
    ServerBinding binding = cluster.start(cluster.backends.withScheduler(silentScheduler.getRef()));
    try {
      Api.Answer answer = Api.admin(GatewayTestCluster.uri(binding)).get("/api/v1/nodes");

      answer.problem(503);
      assertThat(answer.json().path("detail").asText())
          .isEqualTo("the cluster did not answer within " + GatewayTestCluster.ASK_TIMEOUT.toSeconds() + "s; try again");
    } finally {
      binding.unbind();
    }
  }

  @Test
  void createsBeyondTheGatewaysLimitAreRefusedWith429UntilOneIsAnswered() throws Exception {
    TestProbe<Scheduler.Command> scheduler = cluster.testKit.createTestProbe();
    ServerBinding binding = cluster.start(
        cluster.backends.withScheduler(scheduler.getRef()), cluster.settings().withMaxCreatesInFlight(1));
    try {
      Api oneAtATime = Api.admin(GatewayTestCluster.uri(binding));
      String config = Seeds.environmentWith(c -> c.put("env-name", "limited"));

      CompletableFuture<Api.Answer> first = CompletableFuture.supplyAsync(() -> oneAtATime.post(ENVIRONMENTS, Api.JSON, config));
      Scheduler.CheckFeasible firstCheck = scheduler.expectMessageClass(Scheduler.CheckFeasible.class);

      Api.Answer refused = oneAtATime.post(ENVIRONMENTS, Api.JSON, config);
      JsonNode problem = refused.problem(429);
      assertThat(problem.path("type").asText()).isEqualTo("urn:dcloud:problem:too-many-creates");
      assertThat(problem.path("detail").asText()).contains("1 creates are in progress");
      assertThat(refused.header("retry-after")).isEqualTo("1");

      firstCheck.replyTo().tell(new Scheduler.Feasibility(null));
      assertThat(first.get(ANSWER_WAIT.toSeconds(), TimeUnit.SECONDS).status()).isEqualTo(202);

      // The slot is freed once the first create is settled (its environment past REQUESTED, heard
      // on the updates topic), which may come just after its 202: the next create is sent again
      // while it is refused, as a client that honours Retry-After would (sooner, not to wait 1 s).
      CompletableFuture<Api.Answer> next = CompletableFuture.supplyAsync(() -> {
        Api.Answer answer = oneAtATime.post(ENVIRONMENTS, Api.JSON, config);
        while (answer.status() == 429) {
          LockSupport.parkNanos(Duration.ofMillis(50).toNanos());
          answer = oneAtATime.post(ENVIRONMENTS, Api.JSON, config);
        }
        return answer;
      });
      scheduler.expectMessageClass(Scheduler.CheckFeasible.class, ANSWER_WAIT).replyTo().tell(new Scheduler.Feasibility(null));
      assertThat(next.get(ANSWER_WAIT.toSeconds(), TimeUnit.SECONDS).status()).isEqualTo(202);
    } finally {
      binding.unbind();
    }
  }

  @Test
  void requestsTooBrokenToRouteAreProblemsToo() throws IOException {
    // An unknown method is 501 Not Implemented (RFC 9110 15.6.2), the rest are client errors.
    Map<String, String> expectedStatus = Map.of(
        "GET /api/v1/%zz HTTP/1.1", "HTTP/1.1 400",
        "GET /api/v1/environments?status=%zz HTTP/1.1", "HTTP/1.1 400",
        "BREW /api/v1/health HTTP/1.1", "HTTP/1.1 501");
    for (Map.Entry<String, String> expected : expectedStatus.entrySet()) {
      String answer = raw(expected.getKey() + "\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n");
      assertThat(answer).as(expected.getKey()).startsWith(expected.getValue());
      assertThat(answer).as(expected.getKey()).containsIgnoringCase("content-type: application/problem+json");
    }
  }

  /** Sends bytes no HTTP client library would send, and reads the whole answer. */
  private String raw(String request) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", cluster.base.getPort())) {
      socket.setSoTimeout((int) Api.REQUEST_TIMEOUT.toMillis());
      OutputStream out = socket.getOutputStream();
      out.write(request.getBytes(StandardCharsets.ISO_8859_1));
      out.flush();
      InputStream in = socket.getInputStream();
      ByteArrayOutputStream answer = new ByteArrayOutputStream();
      in.transferTo(answer);
      return answer.toString(StandardCharsets.ISO_8859_1);
    }
  }
}
