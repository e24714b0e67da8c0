package io.dcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dcloud services bind|bindings|unbind} against {@link StubGateway}. */
class CliServiceBindingsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String BINDING = """
      {"id": "b-1", "service": "dashboard", "owner": "ada", "devices": ["hall-1", "hall-2"],
       "createdAt": "2026-01-31T10:00:00Z"}""";

  @TempDir
  Path config;

  private StubGateway gateway;
  private CliRunner cli;

  @BeforeEach
  void start() throws Exception {
    gateway = new StubGateway();
    cli = new CliRunner(config).with("DCLOUD_API", gateway.api()).with("DCLOUD_TOKEN", "ada-token");
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
  void bindsListsAndUnbinds() throws Exception {
    gateway.answer("POST", "/services/dashboard/bindings", 201, BINDING)
        .answer("GET", "/services/dashboard/bindings", 200, "{\"items\": [" + BINDING + "]}")
        .answer("DELETE", "/services/dashboard/bindings/b-1", 204, "");

    assertThat(ok(cli.run("services", "bind", "dashboard", "hall-1", "hall-2")).out())
        .isEqualTo("binding b-1 of dashboard to hall-1, hall-2\n");
    assertThat(gateway.last("POST", "/services/dashboard/bindings").json())
        .isEqualTo(JSON.readTree("{\"devices\": [\"hall-1\", \"hall-2\"]}"));

    String listed = ok(cli.run("services", "bindings", "dashboard")).out();
    assertThat(listed.lines().toList()).hasSize(2);
    assertThat(listed).contains("ID", "OWNER", "b-1", "ada", "hall-1,hall-2");

    assertThat(ok(cli.run("services", "unbind", "dashboard", "b-1")).out()).isEqualTo("binding b-1 of dashboard deleted\n");
    assertThat(gateway.last("DELETE", "/services/dashboard/bindings/b-1").authorization()).isEqualTo("Bearer ada-token");
  }

  @Test
  void bindAsJsonAndItsProblems() {
    gateway.answer("POST", "/services/dashboard/bindings", 201, BINDING)
        .answer("POST", "/services/other/bindings", 422, """
        {"title": "Validation failed", "status": 422,
         "errors": [{"field": "devices", "reason": "hall-9 is of type valve, which other does not declare"}]}""");

    String json = ok(cli.run("services", "bind", "dashboard", "hall-1", "-o", "json")).out();
    assertThat(CliSensorTypesTest.readTree(json).path("id").asText()).isEqualTo("b-1");

    CliRunner.Result invalid = cli.run("services", "bind", "other", "hall-9");
    assertThat(invalid.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(invalid.err()).contains("devices: hall-9 is of type valve");
    assertThat(cli.run("services", "unbind", "dashboard", "b-9").status()).isEqualTo(ExitCodes.NOT_FOUND);
    CliRunner.Result noDevice = cli.run("services", "bind", "dashboard");
    assertThat(noDevice.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(noDevice.err()).contains("DEVICE");
  }
}
