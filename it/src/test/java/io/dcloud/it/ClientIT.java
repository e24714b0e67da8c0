package io.dcloud.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import io.dcloud.client.DCloudClient;
import io.dcloud.client.Environments;
import io.dcloud.client.protocol.DCloudProtocol;
import io.dcloud.client.protocol.DCloudProtocol.Reply;
import io.dcloud.config.DCloudConfig;
import io.dcloud.examples.CreateAndWatch;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Other services against a real cluster (node processes, Cassandra, Docker): the example service,
 * run in a JVM of its own as a member with the role client over the cluster's mutual TLS, creates a
 * tiny environment, sees it RUNNING, stops and deletes it; a DCloudClient in this JVM (another
 * process than the nodes) is refused as the HTTP API would refuse it.
 */
@Tag("cluster")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClientIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration EXAMPLE_WITHIN = Duration.ofMinutes(4);
  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(60);

  private ClusterHarness cluster;
  private DCloudClient client;

  @TempDir
  Path dir;

  @RegisterExtension
  final NodeLogsOnFailure logsOnFailure = new NodeLogsOnFailure(() -> cluster);

  @BeforeAll
  void start() throws Exception {
    cluster = ClusterHarness.start(1);
    for (String user : List.of("svc", "other")) {
      Api.Response made = cluster.node(1).api.post("/api/v1/users", "{\"username\": \"" + user + "\", \"password\": \""
          + password(user) + "\", \"roles\": [\"data-scientist\"]}");
      assertThat(made.status()).as(made.body()).isEqualTo(201);
    }
    client = DCloudClient.start(DCloudConfig.load(ConfigFactory.parseMap(clientSettings())));
  }

  @AfterAll
  void stop() {
    if (client != null) {
      client.close();
    }
    if (cluster != null) {
      cluster.close();
    }
  }

  /** The client's settings: the seed and the cluster's TLS stores. */
  private Map<String, String> clientSettings() {
    Node seed = cluster.node(1);
    Path tls = cluster.tlsDir();
    return Map.of(
        "dcloud.client.seed-nodes.0", "pekko://dcloud@" + seed.host + ":" + seed.clusterPort,
        // The throwaway CA's key is gone: its one certificate, the nodes', serves the client too.
        "dcloud.client.tls.key-store", tls.resolve("node.p12").toString(),
        "dcloud.client.tls.trust-store", tls.resolve("trust.p12").toString(),
        "dcloud.client.tls.password-file", tls.resolve("password").toString());
  }

  /** The same as -D properties (a list's entries by index, as Typesafe Config reads them). */
  private List<String> clientProperties() {
    return clientSettings().entrySet().stream().map(e -> "-D" + e.getKey() + "=" + e.getValue()).toList();
  }

  private static String password(String user) {
    return "password-of-" + user;
  }

  @Test
  void theExampleServiceCreatesWatchesStopsAndDeletesInItsOwnJvm() throws Exception {
    Path spec = Files.writeString(dir.resolve("environment.json"), Envs.tinySpec("from-the-example", "0.1", ""));

    Run run = example(spec, token("svc")[0]);

    assertThat(run.exit()).as(run.output()).isZero();
    assertThat(run.output()).contains("created ").contains("status=RUNNING").contains("stop: accepted")
        .contains("delete: accepted").contains("deleted ");
    String id = run.output().lines().filter(line -> line.startsWith("created ")).findFirst().orElseThrow().substring(8);
    assertThat(cluster.node(1).api.environment(id).path("status").asText()).isEqualTo("DELETED");
  }

  @Test
  void theExampleServiceIsToldWhichFieldsOfABadSpecAreWrong() throws Exception {
    Path spec = Files.writeString(dir.resolve("bad.json"), Envs.tinySpec("bad", "lots", ""));

    Run run = example(spec, token("svc")[0]);

    assertThat(run.exit()).as(run.output()).isEqualTo(2);
    assertThat(run.output()).contains("create refused: urn:dcloud:problem:validation-failed").contains("resources.cpu");
  }

  @Test
  void aGarbageOrRevokedTokenIsRefusedAndAnotherUsersEnvironmentIsNotFound() throws Exception {
    Reply garbage = answer(client.as("garbage").create(Envs.tinySpec("garbage", "0.1", "")));
    assertThat(garbage).isInstanceOf(DCloudProtocol.Refused.class);
    assertThat(((DCloudProtocol.Refused) garbage).type()).isEqualTo("urn:dcloud:problem:unauthenticated");

    String[] issued = token("svc");
    Environments svc = client.as(issued[0]);
    Reply created = answer(svc.create(Envs.tinySpec("not-for-others", "0.1", "")));
    assertThat(created).isInstanceOf(DCloudProtocol.Created.class);
    String id = ((DCloudProtocol.Created) created).id();

    Environments other = client.as(token("other")[0]);
    assertThat(answer(other.get(id))).isInstanceOf(DCloudProtocol.NotFound.class);
    assertThat(answer(other.delete(id))).isInstanceOf(DCloudProtocol.NotFound.class);

    assertThat(answer(svc.delete(id))).isInstanceOf(DCloudProtocol.Accepted.class);
    assertThat(as("svc", "DELETE", "/api/v1/users/me/tokens/" + issued[1], null).statusCode()).isEqualTo(204);
    Awaitility.await("the revoked token is refused").atMost(ANSWER_WITHIN).untilAsserted(() -> {
      Reply revoked = answer(svc.get(id));
      assertThat(revoked).isInstanceOf(DCloudProtocol.Refused.class);
      assertThat(((DCloudProtocol.Refused) revoked).type()).isEqualTo("urn:dcloud:problem:unauthenticated");
    });
  }

  private record Run(int exit, String output) {}

  /** The example's main in a JVM of its own, on this JVM's classpath. */
  private Run example(Path spec, String token) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx256m", "-cp", System.getProperty("java.class.path")));
    command.addAll(clientProperties());
    command.addAll(List.of(CreateAndWatch.class.getName(), spec.toString()));
    Path output = dir.resolve("example-" + System.nanoTime() + ".log");
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile());
    builder.environment().put("DCLOUD_TOKEN", token);
    Process process = builder.start();
    if (!process.waitFor(EXAMPLE_WITHIN.toSeconds(), TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("the example did not end within " + EXAMPLE_WITHIN + ":\n" + Files.readString(output));
    }
    return new Run(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
  }

  /** A new API token of {@code user} and its id, made as the HTTP API makes them. */
  private String[] token(String user) throws Exception {
    HttpResponse<String> issued = as(user, "POST", "/api/v1/users/me/tokens", "{\"name\": \"service\"}");
    assertThat(issued.statusCode()).as(issued.body()).isEqualTo(201);
    JsonNode body = JSON.readTree(issued.body());
    return new String[] {body.path("token").asText(), body.path("id").asText()};
  }

  private HttpResponse<String> as(String user, String method, String path, String json) throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    URI base = cluster.node(1).api.uri("");
    HttpResponse<String> login = http.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/auth/login"))
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(
                "{\"username\": \"" + user + "\", \"password\": \"" + password(user) + "\"}")).build(),
        HttpResponse.BodyHandlers.ofString());
    String session = JSON.readTree(login.body()).path("token").asText();
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path)).header("Authorization", "Bearer " + session)
        .header("content-type", "application/json")
        .method(method, json == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(json));
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static Reply answer(CompletionStage<Reply> reply) throws Exception {
    return reply.toCompletableFuture().get(ANSWER_WITHIN.toSeconds(), TimeUnit.SECONDS);
  }
}
