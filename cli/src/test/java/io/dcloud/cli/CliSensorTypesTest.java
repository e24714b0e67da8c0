package io.dcloud.cli;

import static io.dcloud.cli.CliLogins.ok;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.gateway.GatewayTestCluster;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dcloud sensor-types} against a real gateway: what it prints, and what the gateway then holds. */
class CliSensorTypesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir
  static Path homes;

  private static GatewayTestCluster cluster;
  private static CliRunner conf;
  private static CliRunner erin;

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("cli-sensor-types-test");
    CliLogins logins = new CliLogins(cluster, homes);
    conf = logins.user("conf", "platform-configurer");
    erin = logins.user("erin", "end-user");
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  @Test
  void createsATypeFromYaml() throws Exception {
    Path file = homes.resolve("thermo.yaml");
    Files.writeString(file, """
        name: thermo
        kind: sensor
        fields:
          temperature: {type: number, unit: C, min: -40, max: 85}
          ok: {type: boolean}
        """);

    String out = ok(conf.run("sensor-types", "create", "-f", file.toString())).out();

    assertThat(out).contains("NAME", "thermo", "sensor", "ok,temperature", "conf");
    JsonNode held = readTree(ok(erin.run("sensor-types", "get", "thermo", "-o", "json")).out());
    assertThat(held.path("fields").path("temperature").path("type").asText()).isEqualTo("number");
    assertThat(held.path("fields").path("temperature").path("unit").asText()).isEqualTo("C");
    assertThat(held.path("fields").path("temperature").path("min").asDouble()).isEqualTo(-40.0);
    assertThat(held.path("fields").path("temperature").path("max").asDouble()).isEqualTo(85.0);
    assertThat(held.path("fields").path("ok").path("type").asText()).isEqualTo("boolean");
    assertThat(held.path("createdBy").asText()).isEqualTo("conf");
  }

  @Test
  void createsATypeFromJsonOnStdin() {
    String valve = "{\"name\": \"stdin-valve\", \"kind\": \"controller\", \"commands\": {\"reset\": {\"params\": {}}}}";

    JsonNode printed = readTree(ok(conf.runWithStdin(valve, "sensor-types", "create", "-f", "-", "-o", "json")).out());

    assertThat(printed.path("kind").asText()).isEqualTo("controller");
    assertThat(readTree(ok(conf.run("sensor-types", "get", "stdin-valve", "-o", "json")).out())
        .path("commands").has("reset")).isTrue();
  }

  @Test
  void listsShowsAndDeletesTypes() {
    ok(conf.runWithStdin("""
        {"name": "ls-thermo", "kind": "sensor", "fields": {"temperature": {"type": "number"}}}""",
        "sensor-types", "create", "-f", "-"));
    ok(conf.runWithStdin("""
        {"name": "ls-valve", "kind": "controller",
         "commands": {"set": {"params": {"level": {"type": "integer", "unit": "%", "min": 0, "max": 100}}},
                      "reset": {"params": {}}}}""", "sensor-types", "create", "-f", "-"));

    String listed = ok(erin.run("sensor-types")).out();
    assertThat(listed).contains("NAME", "ls-thermo", "ls-valve", "controller", "reset,set");

    String shown = ok(erin.run("sensor-types", "get", "ls-valve")).out();
    assertThat(shown).contains("ls-valve: controller, 0 device(s), created by conf", "set(level)", "integer", "%",
        " 100", "reset()");
    assertThat(shown).doesNotContain("100.0");

    assertThat(ok(conf.run("sensor-types", "rm", "ls-valve")).out()).isEqualTo("ls-valve deleted\n");
    assertThat(erin.run("sensor-types", "get", "ls-valve").status()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(ok(erin.run("sensor-types")).out()).doesNotContain("ls-valve");
  }

  @Test
  void theGatewaysProblemsAreOneLineNamingTheField() {
    CliRunner.Result invalid = conf.runWithStdin("{\"name\": \"t\", \"kind\": \"sensor\"}",
        "sensor-types", "create", "-f", "-");
    assertThat(invalid.status()).as(invalid.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(invalid.err()).contains("fields: a sensor needs at least one field");
    assertThat(conf.run("sensor-types", "get", "t").status()).isEqualTo(ExitCodes.NOT_FOUND);

    ok(conf.runWithStdin("{\"name\": \"used\", \"kind\": \"sensor\", \"fields\": {\"v\": {\"type\": \"number\"}}}",
        "sensor-types", "create", "-f", "-"));
    ok(conf.run("devices", "create", "--id", "uses-it", "--type", "used", "--site", "hq"));
    CliRunner.Result used = conf.run("sensor-types", "rm", "used");
    assertThat(used.status()).as(used.toString()).isEqualTo(ExitCodes.REFUSED);
    assertThat(used.err()).contains("uses-it");
    assertThat(ok(conf.run("sensor-types", "get", "used")).out()).contains("used: sensor, 1 device(s)");

    CliRunner.Result notAllowed = erin.runWithStdin(
        "{\"name\": \"mine\", \"kind\": \"sensor\", \"fields\": {\"v\": {\"type\": \"number\"}}}",
        "sensor-types", "create", "-f", "-");
    assertThat(notAllowed.status()).as(notAllowed.toString()).isEqualTo(ExitCodes.REFUSED);

    assertThat(conf.run("sensor-types", "get", "nope").status()).isEqualTo(ExitCodes.NOT_FOUND);
    CliRunner.Result noFile = conf.run("sensor-types", "create", "-f", homes.resolve("none.yaml").toString());
    assertThat(noFile.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(noFile.err()).contains("no such file");
  }

  static JsonNode readTree(String json) {
    try {
      return JSON.readTree(json);
    } catch (java.io.IOException e) {
      throw new AssertionError("not JSON: " + json, e);
    }
  }
}
