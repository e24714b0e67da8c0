package io.dcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dcloud devices} (registry verbs) against {@link StubGateway}. */
class CliDevicesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  static final String HALL = """
      {"id": "hall-1", "type": "thermo", "kind": "sensor",
       "location": {"site": "hq", "building": "a", "room": "101"}, "metadata": {"floor": "1"},
       "enabled": true, "username": "device-hall-1", "createdBy": "conf", "createdAt": "2026-01-31T10:00:00Z",
       "activity": {"accepted": 12, "rejected": 1, "lastReadingAt": "2026-01-31T11:00:00Z",
                    "lastRejectedAt": "2026-01-31T10:30:00Z",
                    "lastRejectionReason": "field \\"temperature\\": expected a number, got \\"hot\\""},
       "boundTo": ["dashboard"]}""";
  private static final String FIELD = """
      {"id": "field-7", "type": "thermo", "kind": "sensor", "location": {"lat": 45.5, "lon": -73.6},
       "metadata": {}, "enabled": false, "username": "device-field-7", "createdBy": "conf",
       "createdAt": "2026-01-31T10:05:00Z", "boundTo": []}""";
  private static final String CREDENTIALS = """
      {"username": "device-hall-1", "password": "s3cret-once", "broker": "tcp://127.0.0.1:1883"}""";

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
  void createPrintsTheCredentialsOnceWithAWarning() throws Exception {
    gateway.answer("POST", "/devices", 201, HALL.replaceFirst("\\{", "{\"credentials\": " + CREDENTIALS + ", "));

    CliRunner.Result created = ok(cli.run("devices", "create", "--id", "hall-1", "--type", "thermo", "--site", "hq",
        "--building", "a", "--room", "101", "--meta", "floor=1", "--meta", "note=a=b"));

    assertThat(gateway.last("POST", "/devices").json()).isEqualTo(JSON.readTree("""
        {"id": "hall-1", "type": "thermo", "location": {"site": "hq", "building": "a", "room": "101"},
         "metadata": {"floor": "1", "note": "a=b"}}"""));
    assertThat(created.out()).contains("hall-1 registered, a thermo sensor at hq/a/101", "username: device-hall-1",
        "password: s3cret-once", "broker:   tcp://127.0.0.1:1883");
    assertThat(created.err()).contains("not shown again");
  }

  @Test
  void createByCoordinatesAsJson() throws Exception {
    gateway.answer("POST", "/devices", 201, FIELD.replaceFirst("\\{", "{\"credentials\": " + CREDENTIALS + ", "));

    CliRunner.Result created = ok(cli.run("devices", "create", "--id", "field-7", "--type", "thermo",
        "--lat", "45.5", "--lon", "-73.6", "-o", "json"));

    assertThat(gateway.last("POST", "/devices").json()).isEqualTo(JSON.readTree("""
        {"id": "field-7", "type": "thermo", "location": {"lat": 45.5, "lon": -73.6}}"""));
    assertThat(JSON.readTree(created.out()).path("credentials").path("password").asText()).isEqualTo("s3cret-once");
    assertThat(created.err()).contains("not shown again");
  }

  @Test
  void invalidDevicesAreUsageErrorsNamingTheField() {
    gateway.answer("POST", "/devices", 422, """
        {"title": "Validation failed", "status": 422, "detail": "1 field is not valid: type",
         "errors": [{"field": "type", "reason": "no sensor type \\"nope\\""}]}""");

    CliRunner.Result invalid = cli.run("devices", "create", "--id", "x", "--type", "nope", "--site", "hq");
    assertThat(invalid.status()).as(invalid.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(invalid.err()).contains("type: no sensor type \"nope\"");
    CliRunner.Result badMeta = cli.run("devices", "create", "--id", "x", "--type", "t", "--site", "hq", "--meta", "floor");
    assertThat(badMeta.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(badMeta.err()).contains("--meta must be KEY=VALUE, not 'floor'");
    assertThat(cli.run("devices", "create", "--type", "t").err()).contains("--id");
  }

  @Test
  void listsByTypeAndLocationAndShowsOne() {
    gateway.answer("GET", "/devices", 200, "{\"items\": [" + HALL + ", " + FIELD + "]}")
        .answer("GET", "/devices/hall-1", 200, HALL);

    String listed = ok(cli.run("devices", "ls", "--type", "thermo", "--site", "hq", "--room", "1 01")).out();

    assertThat(gateway.last("GET", "/devices").uri()).endsWith("/devices?type=thermo&site=hq&room=1%2001");
    assertThat(listed.lines().toList()).hasSize(3);
    assertThat(listed).contains("hall-1", "hq/a/101", "dashboard", "field-7", "(45.5,-73.6)", "false");

    String shown = ok(cli.run("devices", "get", "hall-1")).out();
    assertThat(shown).contains("thermo (sensor)", "floor=\"1\"", "12 accepted, 1 rejected", "bound to:       dashboard",
        "last rejection: field \"temperature\": expected a number, got \"hot\"");
    assertThat(CliSensorTypesTest.readTree(ok(cli.run("devices", "get", "hall-1", "-o", "json")).out())
        .path("activity").path("accepted").asInt()).isEqualTo(12);
  }

  @Test
  void disablesEnablesRotatesAndDeletes() {
    gateway.answer("POST", "/devices/hall-1/disable", 200, HALL.replace("\"enabled\": true", "\"enabled\": false"))
        .answer("POST", "/devices/hall-1/enable", 200, HALL)
        .answer("POST", "/devices/hall-1/credentials", 200, CREDENTIALS)
        .answer("DELETE", "/devices/hall-1", 204, "");

    assertThat(ok(cli.run("devices", "disable", "hall-1")).out()).isEqualTo("hall-1 disabled\n");
    assertThat(ok(cli.run("devices", "enable", "hall-1")).out()).isEqualTo("hall-1 enabled\n");
    CliRunner.Result rotated = ok(cli.run("devices", "credentials", "hall-1"));
    assertThat(rotated.out()).contains("password: s3cret-once");
    assertThat(rotated.err()).contains("not shown again");
    assertThat(ok(cli.run("devices", "rm", "hall-1")).out()).isEqualTo("hall-1 deleted\n");

    assertThat(gateway.requests()).extracting(StubGateway.Request::method, StubGateway.Request::uri).containsExactly(
        org.assertj.core.groups.Tuple.tuple("POST", "/api/v1/devices/hall-1/disable"),
        org.assertj.core.groups.Tuple.tuple("POST", "/api/v1/devices/hall-1/enable"),
        org.assertj.core.groups.Tuple.tuple("POST", "/api/v1/devices/hall-1/credentials"),
        org.assertj.core.groups.Tuple.tuple("DELETE", "/api/v1/devices/hall-1"));
    CliRunner.Result gone = cli.run("devices", "get", "hall-2");
    assertThat(gone.status()).isEqualTo(ExitCodes.NOT_FOUND);
  }
}
