package io.dcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dcloud devices readings}: a time range, and --follow over the gateway's SSE stream ({@link StubGateway}). */
class CliDeviceReadingsTest {
  private static final String READINGS = """
      {"device": "hall-1", "truncated": %s, "items": [
        {"at": "2026-01-31T10:00:00Z", "receivedAt": "2026-01-31T10:00:00.020Z", "values": {"temperature": 21.5}},
        {"at": "2026-01-31T10:00:05Z", "receivedAt": "2026-01-31T10:00:05.011Z",
         "values": {"temperature": 21.7, "ok": true}}]}""";

  @TempDir
  Path config;

  private StubGateway gateway;
  private CliRunner cli;

  @BeforeEach
  void start() throws Exception {
    gateway = new StubGateway();
    cli = new CliRunner(config).with("DCLOUD_API", gateway.api()).with("DCLOUD_TOKEN", "user-token");
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
  void readsARangeWithATimeAgoAndALimit() {
    gateway.answer("GET", "/devices/hall-1/readings", 200, READINGS.formatted("false"));
    Instant before = Instant.now();

    CliRunner.Result read = ok(cli.run("devices", "readings", "hall-1", "--since", "2h", "--until",
        "2026-01-31T12:00:00Z", "--limit", "5"));

    String uri = URLDecoder.decode(gateway.last("GET", "/devices/hall-1/readings").uri(), StandardCharsets.UTF_8);
    assertThat(uri).contains("&until=2026-01-31T12:00:00Z&limit=5");
    Instant since = Instant.parse(uri.replaceAll(".*since=([^&]+).*", "$1"));
    assertThat(since).isBetween(before.minusSeconds(7200), Instant.now().minusSeconds(7200));
    assertThat(read.out().lines().toList()).hasSize(3);
    assertThat(read.out()).contains("AT", "VALUES", "2026-01-31T10:00:05Z", "temperature=21.7 ok=true");
    assertThat(read.err()).isEmpty();
  }

  @Test
  void saysWhenTheRangeHadMoreThanItGot() {
    gateway.answer("GET", "/devices/hall-1/readings", 200, READINGS.formatted("true"));

    CliRunner.Result read = ok(cli.run("devices", "readings", "hall-1", "-o", "json"));

    assertThat(gateway.last("GET", "/devices/hall-1/readings").uri()).doesNotContain("?");
    assertThat(CliSensorTypesTest.readTree(read.out()).path("items")).hasSize(2);
    assertThat(read.err()).contains("narrow --since/--until or raise --limit");
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
  void badTimesAreTheGatewaysUsageErrors() {
    gateway.answer("GET", "/devices/hall-1/readings", 422, """
        {"title": "Validation failed", "status": 422,
         "errors": [{"field": "since", "reason": "not an ISO-8601 time: yesterday"}]}""");

    CliRunner.Result bad = cli.run("devices", "readings", "hall-1", "--since", "yesterday");

    assertThat(bad.status()).as(bad.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(bad.err()).contains("since: not an ISO-8601 time: yesterday");
  }

  @Test
  void followPrintsEachReadingAsItArrives() {
    gateway.events("/devices/hall-1/readings/stream", """
        : keep-alive

        event: reading
        data: {"device": "hall-1", "type": "thermo", "at": "2026-01-31T10:00:00Z", "receivedAt": "2026-01-31T10:00:00.02Z", "values": {"temperature": 21.5}}

        event: other
        data: {}

        event: reading
        data: {"device": "hall-1", "type": "thermo", "at": "2026-01-31T10:00:05Z", "receivedAt": "2026-01-31T10:00:05.01Z", "values": {"temperature": 22}}

        """);

    CliRunner.Result followed = ok(cli.run("devices", "readings", "hall-1", "--follow"));

    assertThat(gateway.last("GET", "/devices/hall-1/readings/stream").accept()).isEqualTo("text/event-stream");
    assertThat(followed.out()).isEqualTo("2026-01-31T10:00:00Z  temperature=21.5\n2026-01-31T10:00:05Z  temperature=22\n");
    String json = ok(cli.run("devices", "readings", "hall-1", "-f", "-o", "json")).out();
    assertThat(json.lines().map(CliSensorTypesTest::readTree).map(r -> r.path("values").path("temperature").asDouble()))
        .containsExactly(21.5, 22.0);
  }

  @Test
  void followTakesNoRange() {
    CliRunner.Result both = cli.run("devices", "readings", "hall-1", "--follow", "--since", "1h");
    assertThat(both.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(both.err()).contains("--follow", "no --since");
    assertThat(gateway.requests()).isEmpty();
  }
}
