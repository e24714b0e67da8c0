package io.dcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dcloud devices command|commands} against {@link StubGateway}. */
class CliDeviceCommandsTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String COMMAND = """
      {"id": "c-1", "device": "valve-1", "name": "set", "params": {"level": 42}, "issuedBy": "conf",
       "issuedAt": "2026-01-31T10:00:00Z", "status": "%s", "attempts": %d, "lastSentAt": null,
       "answeredAt": null, "answer": %s}""";

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

  private static String command(String status, int attempts, String answer) {
    return COMMAND.formatted(status, attempts, answer == null ? "null" : "\"" + answer + "\"");
  }

  @Test
  void parametersAreJsonWhenTheyParseAndStringsOtherwise() throws Exception {
    gateway.answer("POST", "/devices/valve-1/commands", 202, command("pending", 0, null));

    CliRunner.Result sent = cli.run("devices", "command", "valve-1", "set", "level=42", "ratio=0.5", "on=true",
        "mode=eco", "label=\"7\"", "code=12abc", "note=");

    assertThat(sent.status()).as(sent.toString()).isZero();
    assertThat(gateway.last("POST", "/devices/valve-1/commands").json()).isEqualTo(JSON.readTree("""
        {"name": "set", "params": {"level": 42, "ratio": 0.5, "on": true, "mode": "eco", "label": "7",
         "code": "12abc", "note": ""}}"""));
    assertThat(sent.err()).contains("command c-1 to valve-1: pending");
    assertThat(sent.out()).contains("c-1", "set", "level=42", "pending");
  }

  @Test
  void noParametersIsAnEmptyObjectAndAMalformedOneAUsageError() throws Exception {
    gateway.answer("POST", "/devices/valve-1/commands", 202, command("pending", 0, null));

    assertThat(cli.run("devices", "command", "valve-1", "reset").status()).isZero();
    assertThat(gateway.last("POST", "/devices/valve-1/commands").json())
        .isEqualTo(JSON.readTree("{\"name\": \"reset\", \"params\": {}}"));

    CliRunner.Result twice = cli.run("devices", "command", "valve-1", "set", "level=1", "level=2");
    assertThat(twice.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(twice.err()).contains("names level twice");
    CliRunner.Result bare = cli.run("devices", "command", "valve-1", "set", "=2");
    assertThat(bare.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(bare.err()).contains("must be KEY=VALUE, not '=2'");
    assertThat(gateway.requests()).hasSize(1);
  }

  @Test
  void waitFollowsTheCommandUntilTheDeviceAcknowledgesIt() {
    gateway.answer("POST", "/devices/valve-1/commands", 202, command("pending", 0, null))
        .answer("GET", "/devices/valve-1/commands/c-1", 200, command("sent", 1, null))
        .answer("GET", "/devices/valve-1/commands/c-1", 200, command("acked", 1, "level set"));

    CliRunner.Result acked = cli.run("devices", "command", "valve-1", "set", "level=42", "--wait");

    assertThat(acked.status()).as(acked.toString()).isZero();
    assertThat(acked.err()).contains("c-1: sent (attempts 1)", "c-1: acked");
    assertThat(acked.out()).contains("acked", "level set");
  }

  @Test
  void waitExitsWithAnErrorWhenTheDeviceRejectsIt() {
    gateway.answer("POST", "/devices/valve-1/commands", 202, command("pending", 0, null))
        .answer("GET", "/devices/valve-1/commands/c-1", 200, command("rejected", 1, "valve jammed"));

    CliRunner.Result rejected = cli.run("devices", "command", "valve-1", "set", "level=42", "--wait");

    assertThat(rejected.status()).as(rejected.toString()).isEqualTo(ExitCodes.ERROR);
    assertThat(rejected.err()).contains("dcloud: command c-1 rejected: valve jammed");
  }

  @Test
  void anInvalidCommandIsTheGatewaysUsageError() {
    gateway.answer("POST", "/devices/valve-1/commands", 422, """
        {"title": "Validation failed", "status": 422,
         "errors": [{"field": "params.level", "reason": "at most 100"}]}""");

    CliRunner.Result invalid = cli.run("devices", "command", "valve-1", "set", "level=420");

    assertThat(invalid.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(invalid.err()).contains("params.level: at most 100");
  }

  @Test
  void listsADevicesCommands() {
    gateway.answer("GET", "/devices/valve-1/commands", 200,
        "{\"items\": [" + command("acked", 2, "ok") + ", " + command("expired", 5, null).replace("c-1", "c-2") + "]}");

    CliRunner.Result listed = cli.run("devices", "commands", "valve-1");

    assertThat(listed.status()).as(listed.toString()).isZero();
    assertThat(listed.out().lines().toList()).hasSize(3);
    assertThat(listed.out()).contains("ID", "STATUS", "ATTEMPTS", "c-1", "acked", "c-2", "expired", "5");
  }
}
