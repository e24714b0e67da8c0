package io.dcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.gateway.GatewayTestCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dcloud jobs} against a real gateway (GatewayTestCluster: no worker, so a job waits for a
 * ready replica, and one whose input is not JSON fails at once).
 */
class CliJobsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String SERVICE = """
      {"name": "cli-model", "kind": "model", "port": 8080, "replicas": 1, "readiness": {"path": "/ready"},
       "environment": {"os": "debian", "resources": {"ram": "512M", "cpu": "0.5"},
                       "port-publish": [{"internal": {"ports": "8080"}}]}}""";

  private static GatewayTestCluster cluster;

  @TempDir
  Path config;

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("cli-jobs-test");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static CliRunner.Result ok(CliRunner.Result result) {
    assertThat(result.status()).as(result.toString()).isZero();
    return result;
  }

  private static void send(String token, String method, String path, String type, String body) throws Exception {
    HttpResponse<String> answer = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(cluster.base + "/api/v1" + path)).header("Authorization", "Bearer " + token)
            .header("content-type", type).method(method, HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(answer.statusCode()).as(answer.body()).isBetween(200, 201);
  }

  @Test
  void submitsListsShowsAndCancelsAJobAndWaitsForOneThatFails() throws Exception {
    CliRunner cli = new CliRunner(config);
    ok(cli.runWithStdin(GatewayTestCluster.ADMIN_PASSWORD + "\n",
        "login", "--api", cluster.base.toString(), "--username", "admin", "--password-stdin"));
    String token = JSON.readTree(config.resolve("dcloud/config.json").toFile()).path("token").asText();
    send(token, "POST", "/services", "application/json", SERVICE);
    send(token, "PUT", "/datasets/cli/jobs/records", "application/x-ndjson", "{\"v\": 1}\n{\"v\": 2}\n");
    send(token, "PUT", "/datasets/cli/jobs/broken", "application/x-ndjson", "{\"v\": 1}\nnot json\n");

    JsonNode submitted = JSON.readTree(ok(cli.run("jobs", "submit", "--service", "cli-model", "--dataset",
        "cli/jobs/records", "--batch-size", "1", "-o", "json")).out());
    String id = submitted.path("id").asText();

    assertThat(submitted.path("batchSize").asInt()).isEqualTo(1);
    assertThat(ok(cli.run("jobs")).out()).contains("ID", id, "cli-model", "admin", "cli/jobs/records@1");
    JsonNode whole = JSON.readTree(ok(cli.run("jobs", "ls", "--chunk-size", "0", "-o", "json")).out());
    assertThat(JSON.readTree(ok(cli.run("jobs", "ls", "--chunk-size", "1", "-o", "json")).out())).isEqualTo(whole);
    assertThat(ok(cli.run("jobs", "get", id)).out()).contains("job " + id + " through cli-model", "REPLICA");
    assertThat(ok(cli.run("jobs", "get", id.substring(0, 8))).out()).as("by the start of its id")
        .contains("job " + id + " through cli-model");
    CliRunner.Result early = cli.run("jobs", "output", id);
    assertThat(early.status()).as(early.toString()).isEqualTo(ExitCodes.REFUSED);
    assertThat(early.err()).contains("SUCCEEDED");
    assertThat(ok(cli.run("jobs", "cancel", id)).out()).contains(id + " CANCELLED");
    CliRunner.Result none = cli.run("jobs", "get", "no-such-job");
    assertThat(none.status()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(none.err()).contains("job no-such-job was not found").contains("dcloud jobs ls");

    CliRunner.Result failed = cli.run("jobs", "submit", "--service", "cli-model", "--dataset", "cli/jobs/broken", "--wait");
    assertThat(failed.status()).as(failed.toString()).isEqualTo(ExitCodes.ERROR);
    assertThat(failed.err()).contains("FAILED", "line 2 of the file is not JSON")
        .as("no terminal here: whole lines, none redrawn").doesNotContain("\r");
    assertThat(failed.out()).contains("FAILED");
  }
}
