package io.dcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.service.ServicePredictCommand;
import io.dcloud.gateway.GatewayTestCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dcloud services} against a real gateway (GatewayTestCluster: no worker, so replicas stay queued). */
class CliServicesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SERVICE = """
      {"name": "cli-web", "kind": "app", "port": 8080, "replicas": 2, "readiness": {"path": "/"},
       "environment": {"os": "debian", "resources": {"ram": "512M", "cpu": "0.5"},
                       "port-publish": [{"internal": {"ports": "8080"}}]}}""";

  private static GatewayTestCluster cluster;

  @TempDir
  Path config;

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("cli-services-test");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static CliRunner.Result ok(CliRunner.Result result) {
    assertThat(result.status()).as(result.toString()).isZero();
    return result;
  }

  @Test
  void listsShowsScalesAndDeletesAService() throws Exception {
    CliRunner cli = new CliRunner(config);
    ok(cli.runWithStdin(GatewayTestCluster.ADMIN_PASSWORD + "\n",
        "login", "--api", cluster.base.toString(), "--username", "admin", "--password-stdin"));
    Path definition = Files.writeString(config.resolve("service.json"), SERVICE);
    assertThat(ok(cli.run("services", "create", "-f", definition.toString())).out()).contains("cli-web", "0/2");
    CliRunner.Result taken = cli.run("services", "create", "-f", definition.toString());
    assertThat(taken.status()).as("a name in use: %s", taken).isEqualTo(ExitCodes.REFUSED);
    CliRunner.Result unready = cli.run("services", "call", "cli-web", "/items");
    assertThat(unready.status()).as("no replica is ready (503): %s", unready).isEqualTo(ExitCodes.ERROR);
    assertThat(unready.err()).contains("cli-web");
    assertThat(cli.run("services", "call", "cli-web", "/", "-X", "PATCH").status()).isEqualTo(ExitCodes.USAGE);

    assertThat(ok(cli.run("services")).out()).contains("NAME", "cli-web", "app", "admin", "0/2");
    JsonNode shown = JSON.readTree(ok(cli.run("services", "get", "cli-web", "-o", "json")).out());
    assertThat(shown.path("replicas")).hasSize(2);
    assertThat(ok(cli.run("services", "get", "cli-web")).out()).contains("REPLICA", shown.path("replicas").get(0).path("id").asText())
        .containsPattern("SURGE +SPREAD +PORT\\n.*cli-web .* 1 +preferred +8080");
    // No worker here: each replica waits in the queue, and the table says why, as env get does.
    Awaitility.await("the replicas' reason").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(ok(cli.run("services", "get", "cli-web")).out()).containsPattern("VERSION +REASON\\n")
            .containsPattern("QUEUED +false +1 +no worker node is up yet\\n"));

    // No worker here: its replicas wait, so there is no log to read, and each says so.
    CliRunner.Result noLogs = cli.run("services", "logs", "cli-web");
    assertThat(noLogs.status()).as(noLogs.toString()).isEqualTo(ExitCodes.ERROR);
    shown.path("replicas").forEach(replica -> assertThat(noLogs.err()).contains("replica " + replica.path("id").asText()));
    assertThat(noLogs.out()).isEmpty();

    assertThat(ok(cli.run("services", "scale", "cli-web", "1")).out()).contains("0/1");
    CliRunner.Result invalid = cli.run("services", "scale", "cli-web", "0");
    assertThat(invalid.status()).as(invalid.toString()).isNotZero();
    assertThat(invalid.err()).contains("replicas");
    JsonNode restarted = JSON.readTree(ok(cli.run("services", "restart", "cli-web", "-o", "json")).out());
    assertThat(restarted.path("version").asInt()).as("the same definition as a new version").isEqualTo(2);
    assertThat(cli.run("services", "restart", "no-such-service").status()).isEqualTo(ExitCodes.NOT_FOUND);

    CliRunner.Result appBatching = cli.run("services", "batching", "cli-web", "--max-size", "8");
    assertThat(appBatching.status()).as(appBatching.toString()).isEqualTo(ExitCodes.REFUSED);

    assertThat(ok(cli.run("services", "rm", "cli-web")).out()).contains("cli-web deleting");
    assertThat(cli.run("services", "get", "cli-web").status()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void appliesADefinitionCreatingTheServiceThenRollingIt() throws Exception {
    CliRunner cli = new CliRunner(config);
    ok(cli.runWithStdin(GatewayTestCluster.ADMIN_PASSWORD + "\n",
        "login", "--api", cluster.base.toString(), "--username", "admin", "--password-stdin"));
    Path definition = Files.writeString(config.resolve("applied.json"), SERVICE.replace("cli-web", "cli-applied"));

    assertThat(ok(cli.run("services", "apply", "-f", definition.toString())).out()).containsPattern("cli-applied .* 1 +0/2");
    Files.writeString(definition, SERVICE.replace("cli-web", "cli-applied").replace("\"512M\"", "\"600M\""));
    JsonNode rolled = JSON.readTree(ok(cli.run("services", "apply", "-f", definition.toString(), "-o", "json")).out());

    assertThat(rolled.path("version").asInt()).isEqualTo(2);
    // Read back, edited and applied again: the loop of kubectl get -o yaml and apply.
    String yaml = ok(cli.run("services", "definition", "cli-applied")).out();
    assertThat(yaml).contains("name: cli-applied", "ram: 600M", "surge: 1").doesNotContain("env-name");
    Path edited = Files.writeString(config.resolve("edited.yaml"), yaml.replace("replicas: 2", "replicas: 3"));
    JsonNode scaled = JSON.readTree(ok(cli.run("services", "apply", "-f", edited.toString(), "-o", "json")).out());
    assertThat(scaled.path("desiredReplicas").asInt()).isEqualTo(3);
    assertThat(scaled.path("version").asInt()).as("only the count changed: no new version").isEqualTo(2);
    Path nameless = Files.writeString(config.resolve("nameless.json"), SERVICE.replace("\"name\": \"cli-web\", ", ""));
    CliRunner.Result refused = cli.run("services", "apply", "-f", nameless.toString());
    assertThat(refused.status()).as(refused.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(refused.err()).contains("has no name");
    ok(cli.run("services", "rm", "cli-applied"));
  }

  @Test
  void changesAModelsBatching() throws Exception {
    CliRunner cli = new CliRunner(config);
    ok(cli.runWithStdin(GatewayTestCluster.ADMIN_PASSWORD + "\n",
        "login", "--api", cluster.base.toString(), "--username", "admin", "--password-stdin"));
    String token = JSON.readTree(config.resolve("dcloud/config.json").toFile()).path("token").asText();
    HttpResponse<String> created = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(cluster.base + "/api/v1/services")).header("Authorization", "Bearer " + token)
            .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                SERVICE.replace("cli-web", "cli-model").replace("\"app\"", "\"model\""))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
    // A page of one at a time lists the services one answer does (their replicas' statuses may move on between the two).
    List<String> whole = JSON.readTree(ok(cli.run("services", "ls", "--chunk-size", "0", "-o", "json")).out())
        .path("services").findValuesAsText("name");
    assertThat(whole).contains("cli-model");
    assertThat(JSON.readTree(ok(cli.run("services", "ls", "--chunk-size", "1", "-o", "json")).out()).path("services")
        .findValuesAsText("name")).isEqualTo(whole);

    assertThat(ok(cli.run("services", "batching", "cli-model", "--max-size", "16", "--max-wait-ms", "10")).out())
        .isEqualTo("cli-model batching max-size 16, max-wait-ms 10\n");
    assertThat(JSON.readTree(ok(cli.run("services", "get", "cli-model", "-o", "json")).out()).path("batching")
        .path("maxSize").asInt()).isEqualTo(16);
    assertThat(ok(cli.run("services", "batching", "cli-model", "--max-size", "1")).out()).isEqualTo("cli-model batching off\n");
    CliRunner.Result invalid = cli.run("services", "batching", "cli-model", "--max-size", "0");
    assertThat(invalid.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(invalid.err()).contains("max-size");
  }

  @Test
  void autoscalesAServiceThenStops() throws Exception {
    CliRunner cli = new CliRunner(config);
    ok(cli.runWithStdin(GatewayTestCluster.ADMIN_PASSWORD + "\n",
        "login", "--api", cluster.base.toString(), "--username", "admin", "--password-stdin"));
    Path definition = Files.writeString(config.resolve("autoscaled.json"), SERVICE.replace("cli-web", "cli-autoscaled"));
    ok(cli.run("services", "create", "-f", definition.toString()));

    assertThat(ok(cli.run("services", "autoscale", "cli-autoscaled", "--min", "1", "--max", "4")).out())
        .as("what is not given is the gateway's default")
        .isEqualTo("cli-autoscaled autoscales between 1 and 4 replicas"
            + " (target 2 calls in progress each; up after 30s, down after 10m)\n");
    assertThat(ok(cli.run("services", "autoscale", "cli-autoscaled", "--min", "1", "--max", "3",
        "--target-ongoing", "1.5", "--upscale-delay", "0s", "--downscale-delay", "5m")).out())
        .isEqualTo("cli-autoscaled autoscales between 1 and 3 replicas"
            + " (target 1.5 calls in progress each; up after 0s, down after 5m)\n");
    // The load is there once the service has decided (its reconcile, every 2 s): no call came, so the fewest.
    Awaitility.await("the autoscaler's first decision").atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(ok(cli.run("services", "get", "cli-autoscaled")).out())
            // (and, once it has watched a whole look-back, when its down-scale is due)
            .contains("\nautoscaling: 1–3 replicas, target 1.5 calls in progress each, up after 0s, down after 5m;"
                + " load 0.0 → wants 1"));
    CliRunner.Result scaled = cli.run("services", "scale", "cli-autoscaled", "2");
    assertThat(scaled.status()).as("it scales itself: %s", scaled).isEqualTo(ExitCodes.REFUSED);
    CliRunner.Result invalid = cli.run("services", "autoscale", "cli-autoscaled", "--min", "3", "--max", "1");
    assertThat(invalid.status()).as(invalid.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(invalid.err()).contains("replicas");

    // No call came, yet a down-scale waits 5 minutes: the replicas are still the 2 it was created with.
    assertThat(ok(cli.run("services", "autoscale", "cli-autoscaled", "--off")).out())
        .isEqualTo("cli-autoscaled autoscaling off: 2 replicas\n");
    assertThat(ok(cli.run("services", "get", "cli-autoscaled")).out()).doesNotContain("autoscaling");
    assertThat(JSON.readTree(ok(cli.run("services", "get", "cli-autoscaled", "-o", "json")).out()).path("autoscaling")
        .isObject()).isFalse();
    assertThat(cli.run("services", "autoscale", "no-such-service", "--off").status()).isEqualTo(ExitCodes.NOT_FOUND);
    ok(cli.run("services", "rm", "cli-autoscaled"));
  }

  /** Picocli's usage error, before any gateway is asked: --off or both bounds, not neither, not both. */
  @Test
  void autoscaleNeedsBothBoundsOrOff() {
    CliRunner cli = new CliRunner(config);
    CliRunner.Result noMin = cli.run("services", "autoscale", "cli-web", "--max", "4");
    assertThat(noMin.status()).as(noMin.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(noMin.err()).startsWith("Error: Missing required argument(s): --min=N");
    CliRunner.Result neither = cli.run("services", "autoscale", "cli-web");
    assertThat(neither.status()).as(neither.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(neither.err()).startsWith("Error: Missing required argument (specify one of these): (--off | (--min=N --max=M");
    CliRunner.Result both = cli.run("services", "autoscale", "cli-web", "--off", "--min", "1", "--max", "4");
    assertThat(both.status()).as(both.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).contains("are mutually exclusive");
  }

  @Test
  void statsAndPredictReachTheCallingRoutes() throws Exception {
    CliRunner cli = new CliRunner(config);
    ok(cli.runWithStdin(GatewayTestCluster.ADMIN_PASSWORD + "\n",
        "login", "--api", cluster.base.toString(), "--username", "admin", "--password-stdin"));
    String token = JSON.readTree(config.resolve("dcloud/config.json").toFile()).path("token").asText();
    HttpResponse<String> created = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(cluster.base + "/api/v1/services")).header("Authorization", "Bearer " + token)
            .header("content-type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(SERVICE.replace("cli-web", "cli-calls"))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);

    // Not called yet: zeros, in all and for each of its two replicas.
    String table = ok(cli.run("services", "stats", "cli-calls")).out();
    assertThat(table).contains("REPLICA", "RATE/S", "P99", "all");
    assertThat(table.lines().count()).isEqualTo(4);
    JsonNode stats = JSON.readTree(ok(cli.run("services", "stats", "cli-calls", "-o", "json")).out());
    assertThat(stats.path("count").asLong()).isZero();
    assertThat(stats.path("replicas")).hasSize(2);

    // An app has no predictions: the gateway's 409 is the CLI's "refused or conflict".
    CliRunner.Result app = cli.run("services", "predict", "cli-calls", "--data", "[[1, 2]]");
    assertThat(app.status()).as(app.toString()).isEqualTo(4);
    assertThat(app.err()).contains("is an app");
    Path instances = config.resolve("instances.json");
    java.nio.file.Files.writeString(instances, "{\"instances\": []}");
    CliRunner.Result empty = cli.run("services", "predict", "cli-calls", "-f", instances.toString());
    assertThat(empty.err()).as(empty.toString()).contains("instances");
    CliRunner.Result malformed = cli.run("services", "predict", "cli-calls", "--data", "{not json");
    assertThat(malformed.status()).isEqualTo(2);
    // JSON lines, one instance each (a job's input): read as the instances, a bad line named.
    Path lines = java.nio.file.Files.writeString(config.resolve("inputs.jsonl"), "{\"x\": 1}\n\n{\"x\": 2}\n");
    CliRunner.Result sent = cli.run("services", "predict", "cli-calls", "-f", lines.toString());
    assertThat(sent.err()).as("read and sent: the app refuses it").contains("is an app");
    java.nio.file.Files.writeString(lines, "{\"x\": 1}\n{\"x\": \n");
    CliRunner.Result badLine = cli.run("services", "predict", "cli-calls", "-f", lines.toString());
    assertThat(badLine.status()).as(badLine.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(badLine.err()).contains("inputs.jsonl line 2 is not JSON");
    assertThat(cli.run("services", "stats", "no-such-service").status()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  @Test
  void aBareArrayIsTheInstances() throws Exception {
    assertThat(ServicePredictCommand.body(JSON.readTree("[[1, 2]]")).toString()).isEqualTo("{\"instances\":[[1,2]]}");
    assertThat(ServicePredictCommand.body(JSON.readTree("{\"instances\": [3]}")).toString()).isEqualTo("{\"instances\":[3]}");
  }
}
