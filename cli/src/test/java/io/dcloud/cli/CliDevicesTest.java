package io.dcloud.cli;

import static io.dcloud.cli.CliLogins.ok;
import static io.dcloud.cli.CliSensorTypesTest.readTree;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.device.Reading;
import io.dcloud.gateway.GatewayTestCluster;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dcloud devices} (registry verbs) against a real gateway: what it prints, and what the gateway then holds. */
class CliDevicesTest {
  private static final Pattern PASSWORD = Pattern.compile("(?m)^password: (\\S+)$");

  @TempDir
  static Path homes;

  private static GatewayTestCluster cluster;
  private static CliRunner conf;
  private static CliRunner erin;

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("cli-devices-test");
    CliLogins logins = new CliLogins(cluster, homes);
    conf = logins.user("conf", "platform-configurer");
    erin = logins.user("erin", "end-user");
    ok(conf.runWithStdin("""
        {"name": "thermo", "kind": "sensor", "fields": {"temperature": {"type": "number", "min": -40, "max": 85}}}""",
        "sensor-types", "create", "-f", "-"));
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  private static JsonNode held(String id) {
    return readTree(ok(erin.run("devices", "get", id, "-o", "json")).out());
  }

  private static String password(CliRunner.Result printed) {
    Matcher password = PASSWORD.matcher(printed.out());
    assertThat(password.find()).as(printed.toString()).isTrue();
    return password.group(1);
  }

  @Test
  void createPrintsTheCredentialsOnceWithAWarning() {
    CliRunner.Result created = ok(conf.run("devices", "create", "--id", "hall-1", "--type", "thermo", "--site", "hq",
        "--building", "a", "--room", "101", "--meta", "floor=1", "--meta", "note=a=b"));

    assertThat(created.out()).contains("hall-1 registered, a thermo sensor at hq/a/101", "username: device-hall-1",
        "broker:   tcp://127.0.0.1:1883");
    assertThat(password(created)).hasSizeGreaterThan(8);
    assertThat(created.err()).contains("not shown again", "dcloud devices credentials hall-1");
    JsonNode held = held("hall-1");
    assertThat(held.path("location").path("site").asText()).isEqualTo("hq");
    assertThat(held.path("location").path("building").asText()).isEqualTo("a");
    assertThat(held.path("location").path("room").asText()).isEqualTo("101");
    assertThat(held.path("metadata")).isEqualTo(readTree("{\"floor\": \"1\", \"note\": \"a=b\"}"));
    assertThat(held.path("createdBy").asText()).isEqualTo("conf");
    assertThat(held.has("credentials")).isFalse();
    assertThat(ok(conf.run("devices", "get", "hall-1")).out()).doesNotContain(password(created));
  }

  @Test
  void createByCoordinatesAsJson() {
    CliRunner.Result created = ok(conf.run("devices", "create", "--id", "field-7", "--type", "thermo",
        "--lat", "45.5", "--lon", "-73.6", "-o", "json"));

    assertThat(readTree(created.out()).path("credentials").path("password").asText()).hasSizeGreaterThan(8);
    assertThat(created.err()).contains("not shown again");
    JsonNode location = held("field-7").path("location");
    assertThat(location.path("lat").asDouble()).isEqualTo(45.5);
    assertThat(location.path("lon").asDouble()).isEqualTo(-73.6);
    assertThat(location.has("site") && !location.path("site").isNull()).isFalse();
  }

  @Test
  void invalidDevicesAreUsageErrorsNamingTheField() {
    CliRunner.Result invalid = conf.run("devices", "create", "--id", "x", "--type", "nope", "--site", "hq");
    assertThat(invalid.status()).as(invalid.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(invalid.err()).contains("type: ", "nope");
    CliRunner.Result nowhere = conf.run("devices", "create", "--id", "x", "--type", "thermo", "--lat", "91", "--lon", "0");
    assertThat(nowhere.status()).as(nowhere.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(nowhere.err()).contains("location.lat");
    assertThat(erin.run("devices", "get", "x").status()).isEqualTo(ExitCodes.NOT_FOUND);

    CliRunner.Result notAllowed = erin.run("devices", "create", "--id", "x", "--type", "thermo", "--site", "hq");
    assertThat(notAllowed.status()).as(notAllowed.toString()).isEqualTo(ExitCodes.REFUSED);
    CliRunner.Result badMeta = conf.run("devices", "create", "--id", "x", "--type", "t", "--site", "hq", "--meta", "floor");
    assertThat(badMeta.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(badMeta.err()).contains("--meta must be KEY=VALUE, not 'floor'");
    assertThat(conf.run("devices", "create", "--type", "t").err()).contains("--id");
  }

  @Test
  void listsByTypeAndLocationAndShowsOne() {
    ok(conf.run("devices", "create", "--id", "ls-1", "--type", "thermo", "--site", "ls", "--building", "a",
        "--room", "1 01", "--meta", "floor=1"));
    ok(conf.run("devices", "create", "--id", "ls-2", "--type", "thermo", "--site", "ls", "--room", "202"));
    ok(conf.run("devices", "create", "--id", "ls-3", "--type", "thermo", "--site", "elsewhere"));
    ok(conf.run("devices", "disable", "ls-2"));
    Instant at = Instant.parse("2026-01-31T11:00:00Z");
    cluster.readings.append(new Reading("ls-1", "thermo", at, at.plusMillis(20), Map.of("temperature", 21.5)));
    cluster.readings.recordRejection("ls-1", at.minusSeconds(60), "field \"temperature\": expected a number, got \"hot\"");

    String room = ok(erin.run("devices", "ls", "--type", "thermo", "--site", "ls", "--room", "1 01")).out();
    assertThat(room.lines().toList()).hasSize(2);
    assertThat(room).contains("ID", "LOCATION", "ls-1", "ls/a/1 01", "true");
    String site = ok(erin.run("devices", "ls", "--site", "ls")).out();
    assertThat(site.lines().toList()).hasSize(3);
    assertThat(site).contains("ls-1", "ls-2", "false").doesNotContain("ls-3");

    String shown = ok(erin.run("devices", "get", "ls-1")).out();
    assertThat(shown).contains("thermo (sensor)", "floor=\"1\"", "1 accepted, 1 rejected",
        "last reading:   2026-01-31T11:00:00Z",
        "last rejection: field \"temperature\": expected a number, got \"hot\"");
    assertThat(held("ls-1").path("activity").path("accepted").asInt()).isEqualTo(1);
  }

  @Test
  void disablesEnablesRotatesAndDeletes() {
    String first = password(ok(conf.run("devices", "create", "--id", "cycle-1", "--type", "thermo", "--site", "hq")));

    assertThat(ok(conf.run("devices", "disable", "cycle-1")).out()).isEqualTo("cycle-1 disabled\n");
    assertThat(held("cycle-1").path("enabled").asBoolean()).isFalse();
    assertThat(ok(conf.run("devices", "enable", "cycle-1")).out()).isEqualTo("cycle-1 enabled\n");
    assertThat(held("cycle-1").path("enabled").asBoolean()).isTrue();

    CliRunner.Result rotated = ok(conf.run("devices", "credentials", "cycle-1"));
    assertThat(rotated.out()).contains("username: device-cycle-1");
    assertThat(password(rotated)).isNotEqualTo(first);
    assertThat(rotated.err()).contains("not shown again");
    JsonNode again = readTree(ok(conf.run("devices", "credentials", "cycle-1", "-o", "json")).out());
    assertThat(again.path("password").asText()).isNotIn(first, password(rotated));
    assertThat(erin.run("devices", "credentials", "cycle-1").status()).isEqualTo(ExitCodes.REFUSED);

    assertThat(ok(conf.run("devices", "rm", "cycle-1")).out()).isEqualTo("cycle-1 deleted\n");
    assertThat(erin.run("devices", "get", "cycle-1").status()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(conf.run("devices", "disable", "cycle-1").status()).isEqualTo(ExitCodes.NOT_FOUND);
  }
}
