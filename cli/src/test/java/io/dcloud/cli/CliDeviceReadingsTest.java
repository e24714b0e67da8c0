package io.dcloud.cli;

import static io.dcloud.cli.CliLogins.ok;
import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.cli.common.ExitCodes;
import io.dcloud.cli.device.DeviceReadingsCommand;
import io.dcloud.device.Reading;
import io.dcloud.gateway.GatewayTestCluster;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dcloud devices readings} against a real gateway whose readings are the cluster's in-memory
 * store and feed: a time range, and --follow over the gateway's SSE route.
 */
class CliDeviceReadingsTest {
  private static final Duration WITHIN = Duration.ofSeconds(20);
  /** Whole seconds, as the CLI prints them back. */
  private static final Instant NOW = Instant.now().truncatedTo(ChronoUnit.SECONDS);

  @TempDir
  static Path homes;

  private static GatewayTestCluster cluster;
  private static CliRunner erin;

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("cli-device-readings-test");
    CliLogins logins = new CliLogins(cluster, homes);
    CliRunner conf = logins.user("conf", "platform-configurer");
    erin = logins.user("erin", "end-user");
    ok(conf.runWithStdin("""
        {"name": "thermo", "kind": "sensor",
         "fields": {"temperature": {"type": "number"}, "ok": {"type": "boolean"}}}""", "sensor-types", "create", "-f", "-"));
    for (String id : new String[] {"hall-1", "hall-2"}) {
      ok(conf.run("devices", "create", "--id", id, "--type", "thermo", "--site", "hq"));
    }
    append("hall-1", NOW.minus(Duration.ofHours(3)), Map.of("temperature", 18.0));
    append("hall-1", NOW.minus(Duration.ofMinutes(30)), Map.of("temperature", 21.5));
    append("hall-1", NOW.minus(Duration.ofMinutes(20)), Map.of("temperature", 21.7, "ok", true));
    append("hall-2", NOW.minus(Duration.ofMinutes(30)), Map.of("temperature", 20.0));
    append("hall-2", NOW.minus(Duration.ofMinutes(10)), Map.of("temperature", 20.5));
  }

  @AfterAll
  static void stop() {
    if (cluster != null) {
      cluster.close();
    }
  }

  private static void append(String device, Instant at, Map<String, Object> values) {
    cluster.readings.append(new Reading(device, "thermo", at, at.plusMillis(20), values));
  }

  @Test
  void readsARangeWithATimeAgoAndALimit() {
    CliRunner.Result read = ok(erin.run("devices", "readings", "hall-1", "--since", "2h", "--until",
        NOW.plusSeconds(60).toString(), "--limit", "5"));

    assertThat(read.out().lines().toList()).as(read.out()).hasSize(3);
    assertThat(read.out()).contains("AT", "VALUES", NOW.minus(Duration.ofMinutes(20)).toString(), "temperature=21.7",
        "ok=true", "temperature=21.5").doesNotContain("temperature=18.0");
    assertThat(read.err()).isEmpty();

    CliRunner.Result older = ok(erin.run("devices", "readings", "hall-1", "--since", "4h", "--until", "2h"));
    assertThat(older.out().lines().toList()).as(older.out()).hasSize(2);
    assertThat(older.out()).contains("temperature=18.0");
  }

  @Test
  void saysWhenTheRangeHadMoreThanItGot() {
    CliRunner.Result read = ok(erin.run("devices", "readings", "hall-2", "--limit", "1", "-o", "json"));

    assertThat(CliSensorTypesTest.readTree(read.out()).path("items")).hasSize(1);
    assertThat(CliSensorTypesTest.readTree(read.out()).path("truncated").asBoolean()).isTrue();
    assertThat(read.err()).contains("narrow --since/--until or raise --limit");
    CliRunner.Result all = ok(erin.run("devices", "readings", "hall-2", "-o", "json"));
    assertThat(CliSensorTypesTest.readTree(all.out()).path("items")).hasSize(2);
    assertThat(all.err()).isEmpty();
  }

  @Test
  void aTimeAgoIsAnInstantAndAnythingElseGoesAsGiven() {
    Clock clock = Clock.fixed(Instant.parse("2026-01-31T12:00:00Z"), ZoneOffset.UTC);
    assertThat(DeviceReadingsCommand.instant("90s", clock)).isEqualTo("2026-01-31T11:58:30Z");
    assertThat(DeviceReadingsCommand.instant("15m", clock)).isEqualTo("2026-01-31T11:45:00Z");
    assertThat(DeviceReadingsCommand.instant("7d", clock)).isEqualTo("2026-01-24T12:00:00Z");
    assertThat(DeviceReadingsCommand.instant("yesterday", clock)).isEqualTo("yesterday");
    assertThat(DeviceReadingsCommand.instant("99999999999h", clock)).isEqualTo("99999999999h");
  }

  @Test
  void badTimesAndLimitsAreTheGatewaysUsageErrors() {
    CliRunner.Result bad = erin.run("devices", "readings", "hall-1", "--since", "yesterday");
    assertThat(bad.status()).as(bad.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("since: must be an ISO-8601 instant", "yesterday");

    CliRunner.Result backwards = erin.run("devices", "readings", "hall-1", "--since", "1h", "--until", "2h");
    assertThat(backwards.status()).as(backwards.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(backwards.err()).contains("since: ", "is not before until");

    CliRunner.Result limit = erin.run("devices", "readings", "hall-1", "--limit", "0");
    assertThat(limit.status()).as(limit.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(limit.err()).contains("limit: must be a whole number");
    assertThat(erin.run("devices", "readings", "nope").status()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(erin.run("devices", "readings", "nope", "--follow").status()).isEqualTo(ExitCodes.NOT_FOUND);
  }

  /**
   * Two followers, as a table and as JSON lines, see what the feed hands on for their device and
   * nothing else; they run until the gateway goes (a user interrupts them): this test's own.
   */
  @Test
  void followPrintsEachReadingAsItArrives() throws Exception {
    CliRunner.Running table;
    CliRunner.Running json;
    try (GatewayTestCluster live = new GatewayTestCluster("cli-device-readings-follow")) {
      CliLogins here = new CliLogins(live, homes.resolve("follow"));
      ok(here.admin().runWithStdin("{\"name\": \"thermo\", \"kind\": \"sensor\", \"fields\": {\"temperature\":"
          + " {\"type\": \"number\"}}}", "sensor-types", "create", "-f", "-"));
      ok(here.admin().run("devices", "create", "--id", "live-1", "--type", "thermo", "--site", "hq"));
      table = here.admin().start("devices", "readings", "live-1", "--follow");
      json = here.admin().start("devices", "readings", "live-1", "-f", "-o", "json");
      await(() -> live.readings.followers("live-1") == 2, "both followers on the feed");

      Instant first = Instant.parse("2026-01-31T10:00:00Z");
      live.readings.append(new Reading("live-1", "thermo", first, first.plusMillis(20), Map.of("temperature", 21.5)));
      live.readings.append(new Reading("other", "thermo", first, first.plusMillis(20), Map.of("temperature", 99)));
      live.readings.append(new Reading("live-1", "thermo", first.plusSeconds(5), first.plusSeconds(5),
          Map.of("temperature", 22)));
      await(() -> table.outSoFar().lines().count() == 2 && json.outSoFar().lines().count() == 2, "two readings");

      assertThat(table.outSoFar()).isEqualTo("2026-01-31T10:00:00Z  temperature=21.5\n"
          + "2026-01-31T10:00:05Z  temperature=22\n");
      assertThat(json.outSoFar().lines().map(CliSensorTypesTest::readTree)
          .map(r -> r.path("values").path("temperature").asDouble())).containsExactly(21.5, 22.0);
      assertThat(json.outSoFar().lines().map(CliSensorTypesTest::readTree).map(r -> r.path("device").asText()))
          .containsOnly("live-1");
    }
    // The gateway gone, the followers end (how, whether EOF or a broken connection, is the network's).
    table.result().get(WITHIN.toSeconds(), TimeUnit.SECONDS);
    json.result().get(WITHIN.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void followTakesNoRange() {
    CliRunner.Result both = erin.run("devices", "readings", "hall-1", "--follow", "--since", "1h");
    assertThat(both.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).contains("--follow", "no --since");
  }

  private static void await(BooleanSupplier condition, String what) throws InterruptedException {
    Instant deadline = Instant.now().plus(WITHIN);
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as(what + " within " + WITHIN).isBefore(deadline);
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }
}
