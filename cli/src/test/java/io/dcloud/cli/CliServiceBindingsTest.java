package io.dcloud.cli;

import static io.dcloud.cli.CliLogins.ok;
import static io.dcloud.cli.CliSensorTypesTest.readTree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.gateway.GatewayTestCluster;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dcloud services bind|bindings|unbind} against a real gateway: an end user binds an app
 * that declares the types it consumes; who sees and deletes a binding; what the devices then show.
 * The gateway has a secrets key (an app with bindings gets its broker password sealed).
 */
class CliServiceBindingsTest {
  private static final String SERVICE = """
      {"name": "dashboard", "kind": "app", "port": 8080, "readiness": {"path": "/ready"},
       "environment": {"os": "debian", "resources": {"ram": "256M", "cpu": "0.5"},
                       "port-publish": [{"internal": {"ports": "8080"}}]},
       "bindings": [{"type": "thermo", "min": 1, "max": 2}, {"type": "valve", "min": 0, "max": 1}]}""";

  @TempDir
  static Path homes;

  private static GatewayTestCluster cluster;
  private static CliRunner dave;
  private static CliRunner ada;
  private static CliRunner bob;

  @BeforeAll
  static void start() throws Exception {
    byte[] key = new byte[32];
    new SecureRandom().nextBytes(key);
    cluster = new GatewayTestCluster("cli-service-bindings-test",
        Map.of("dcloud.secrets.key", Base64.getEncoder().encodeToString(key)));
    CliLogins logins = new CliLogins(cluster, homes);
    CliRunner conf = logins.user("conf", "platform-configurer");
    dave = logins.user("dave", "app-developer");
    ada = logins.user("ada", "end-user");
    bob = logins.user("bob", "end-user");
    ok(conf.runWithStdin("{\"name\": \"thermo\", \"kind\": \"sensor\", \"fields\": {\"t\": {\"type\": \"number\"}}}",
        "sensor-types", "create", "-f", "-"));
    ok(conf.runWithStdin("{\"name\": \"valve\", \"kind\": \"controller\", \"commands\": {\"open\": {}}}",
        "sensor-types", "create", "-f", "-"));
    ok(conf.runWithStdin("{\"name\": \"meter\", \"kind\": \"sensor\", \"fields\": {\"kwh\": {\"type\": \"number\"}}}",
        "sensor-types", "create", "-f", "-"));
    for (String id : List.of("hall-1", "hall-2", "hall-3")) {
      ok(conf.run("devices", "create", "--id", id, "--type", "thermo", "--site", "hq"));
    }
    ok(conf.run("devices", "create", "--id", "meter-1", "--type", "meter", "--site", "hq"));
    String token = readTree(Files.readString(homes.resolve("dave/dcloud/config.json")))
        .path("token").asText();
    HttpResponse<String> created = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create(cluster.base + "/api/v1/services")).header("Authorization", "Bearer " + token)
            .header("content-type", "application/json").POST(HttpRequest.BodyPublishers.ofString(SERVICE)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static JsonNode boundTo(String device) {
    return readTree(ok(ada.run("devices", "get", device, "-o", "json")).out()).path("boundTo");
  }

  @Test
  void bindsListsAndUnbinds() {
    String bound = ok(ada.run("services", "bind", "dashboard", "hall-1", "hall-2")).out();
    assertThat(bound).startsWith("binding ").endsWith(" of dashboard to hall-1, hall-2\n");
    String id = bound.split(" ")[1];
    assertThat(boundTo("hall-1")).extracting(JsonNode::asText).containsExactly("dashboard");
    assertThat(ok(ada.run("devices", "ls", "--site", "hq")).out()).contains("BOUND-TO", "dashboard");

    String listed = ok(ada.run("services", "bindings", "dashboard")).out();
    assertThat(listed.lines().toList()).as(listed).hasSize(2);
    assertThat(listed).contains("ID", "OWNER", id, "ada", "hall-1,hall-2");
    // Another end user sees none of it and cannot delete it; the service's owner sees it.
    assertThat(ok(bob.run("services", "bindings", "dashboard")).out()).doesNotContain(id);
    assertThat(bob.run("services", "unbind", "dashboard", id).status()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(ok(dave.run("services", "bindings", "dashboard")).out()).contains(id, "ada");

    assertThat(ok(ada.run("services", "unbind", "dashboard", id)).out())
        .isEqualTo("binding " + id + " of dashboard deleted\n");
    assertThat(ok(ada.run("services", "bindings", "dashboard")).out()).doesNotContain(id);
    assertThat(boundTo("hall-1")).isEmpty();
  }

  @Test
  void bindAsJsonAndItsProblems() {
    JsonNode binding = readTree(ok(bob.run("services", "bind", "dashboard", "hall-3", "-o", "json")).out());
    assertThat(binding.path("owner").asText()).isEqualTo("bob");
    assertThat(binding.path("service").asText()).isEqualTo("dashboard");
    assertThat(binding.path("devices")).extracting(JsonNode::asText).containsExactly("hall-3");
    assertThat(readTree(ok(bob.run("services", "bindings", "dashboard", "-o", "json")).out()).path("items"))
        .extracting(b -> b.path("id").asText()).containsExactly(binding.path("id").asText());

    CliRunner.Result undeclared = bob.run("services", "bind", "dashboard", "meter-1");
    assertThat(undeclared.status()).as(undeclared.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(undeclared.err()).contains("devices: ", "meter");
    CliRunner.Result unknown = bob.run("services", "bind", "dashboard", "hall-9");
    assertThat(unknown.status()).as(unknown.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("devices: ", "hall-9");
    assertThat(bob.run("services", "bind", "nowhere", "hall-3").status()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(bob.run("services", "unbind", "dashboard", "b-9").status()).isEqualTo(ExitCodes.NOT_FOUND);
    CliRunner.Result noDevice = bob.run("services", "bind", "dashboard");
    assertThat(noDevice.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(noDevice.err()).contains("DEVICE");
  }
}
