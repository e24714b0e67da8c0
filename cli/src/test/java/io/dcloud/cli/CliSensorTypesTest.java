package io.dcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dcloud sensor-types} against {@link StubGateway}: what it sends and how it prints the contract's answers. */
class CliSensorTypesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String THERMO = """
      {"name": "thermo", "kind": "sensor",
       "fields": {"temperature": {"type": "number", "unit": "C", "min": -40, "max": 85},
                  "ok": {"type": "boolean"}},
       "commands": {}, "createdBy": "conf", "createdAt": "2026-01-31T10:00:00Z", "devices": 2}""";
  static final String VALVE = """
      {"name": "valve", "kind": "controller", "fields": {},
       "commands": {"set": {"params": {"level": {"type": "integer", "unit": "%", "min": 0, "max": 100}}},
                    "reset": {"params": {}}},
       "createdBy": "conf", "createdAt": "2026-01-31T10:01:00Z", "devices": 0}""";

  @TempDir
  Path config;

  private StubGateway gateway;
  private CliRunner cli;

  @BeforeEach
  void start() throws Exception {
    gateway = new StubGateway();
    cli = new CliRunner(config).with("DCLOUD_API", gateway.api()).with("DCLOUD_TOKEN", "conf-token");
  }

  @AfterEach
  void stop() {
    gateway.close();
  }

  private static CliRunner.Result ok(CliRunner.Result result) {
    assertThat(result.status()).as(result.toString()).isZero();
    return result;
  }

  @Test
  void createsATypeFromYamlAsJson() throws Exception {
    Path file = config.resolve("thermo.yaml");
    Files.writeString(file, """
        name: thermo
        kind: sensor
        fields:
          temperature: {type: number, unit: C, min: -40, max: 85}
          ok: {type: boolean}
        """);
    gateway.answer("POST", "/sensor-types", 201, THERMO);

    String out = ok(cli.run("sensor-types", "create", "-f", file.toString())).out();

    StubGateway.Request sent = gateway.last("POST", "/sensor-types");
    assertThat(sent.authorization()).isEqualTo("Bearer conf-token");
    assertThat(sent.json()).isEqualTo(JSON.readTree("""
        {"name": "thermo", "kind": "sensor", "fields": {"temperature": {"type": "number", "unit": "C", "min": -40,
         "max": 85}, "ok": {"type": "boolean"}}}"""));
    assertThat(out).contains("NAME", "thermo", "sensor", "temperature,ok", "conf");
  }

  @Test
  void createsATypeFromJsonOnStdin() {
    gateway.answer("POST", "/sensor-types", 201, VALVE);
    String valve = "{\"name\": \"valve\", \"kind\": \"controller\", \"commands\": {\"reset\": {\"params\": {}}}}";

    JsonNode printed = readTree(ok(cli.runWithStdin(valve, "sensor-types", "create", "-f", "-", "-o", "json")).out());

    assertThat(gateway.last("POST", "/sensor-types").json().path("commands").has("reset")).isTrue();
    assertThat(printed.path("kind").asText()).isEqualTo("controller");
  }

  @Test
  void listsShowsAndDeletesTypes() {
    gateway.answer("GET", "/sensor-types", 200, "{\"items\": [" + THERMO + ", " + VALVE + "]}")
        .answer("GET", "/sensor-types/valve", 200, VALVE)
        .answer("DELETE", "/sensor-types/valve", 204, "");

    String listed = ok(cli.run("sensor-types")).out();
    assertThat(listed.lines().toList()).hasSize(3);
    assertThat(listed).contains("thermo", "valve", "controller", "set,reset");

    String shown = ok(cli.run("sensor-types", "get", "valve")).out();
    assertThat(shown).contains("valve: controller, 0 device(s), created by conf", "set(level)", "integer", "100",
        "reset()");

    assertThat(ok(cli.run("sensor-types", "rm", "valve")).out()).isEqualTo("valve deleted\n");
    assertThat(gateway.last("DELETE", "/sensor-types/valve").authorization()).isEqualTo("Bearer conf-token");
  }

  @Test
  void theGatewaysProblemsAreOneLineNamingTheField() {
    gateway.answer("POST", "/sensor-types", 422, """
        {"type": "about:blank", "title": "Validation failed", "status": 422, "detail": "1 field is not valid: fields",
         "errors": [{"field": "fields", "reason": "a sensor needs at least one field"}]}""")
        .answer("DELETE", "/sensor-types/thermo", 409, """
        {"title": "Conflict", "status": 409, "detail": "2 devices are of type thermo"}""");

    CliRunner.Result invalid = cli.runWithStdin("{\"name\": \"t\", \"kind\": \"sensor\"}",
        "sensor-types", "create", "-f", "-");
    assertThat(invalid.status()).as(invalid.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(invalid.err()).contains("fields: a sensor needs at least one field");

    CliRunner.Result used = cli.run("sensor-types", "rm", "thermo");
    assertThat(used.status()).isEqualTo(ExitCodes.REFUSED);
    assertThat(used.err()).contains("2 devices are of type thermo");

    CliRunner.Result missing = cli.run("sensor-types", "get", "nope");
    assertThat(missing.status()).isEqualTo(ExitCodes.NOT_FOUND);

    CliRunner.Result noFile = cli.run("sensor-types", "create", "-f", config.resolve("none.yaml").toString());
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
