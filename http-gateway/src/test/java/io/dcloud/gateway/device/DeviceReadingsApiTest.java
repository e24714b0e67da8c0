package io.dcloud.gateway.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.device.Reading;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import io.dcloud.gateway.SseReader;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** A device's readings: the kept ones by time window and limit, and the live ones as Server-Sent Events. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeviceReadingsApiTest {
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Instant T0 = Instant.parse("2026-03-01T10:00:00Z");

  private GatewayTestCluster cluster;
  private DeviceUsers users;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("DeviceReadingsApiTest");
    users = new DeviceUsers(cluster);
    users.type(DeviceUsers.THERMOMETER, "thermo");
    users.device("t-kept", "thermo", "hq");
    users.device("t-live", "thermo", "hq");
    for (int minute = 0; minute < 5; minute++) {
      cluster.readings.append(reading("t-kept", T0.plusSeconds(60L * minute), 20.0 + minute));
    }
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  private static Reading reading(String device, Instant at, double temperature) {
    return new Reading(device, "thermo", at, at.plusMillis(5), Map.of("temperature", temperature));
  }

  @Test
  void readingsOfAWindowComeOldestFirstAndALimitSaysItTruncated() {
    Api.Answer all = users.endUser.get("/api/v1/devices/t-kept/readings?since=2026-03-01T10:00:00Z&until=2026-03-01T10:03:00Z");

    assertThat(all.status()).as(all.body()).isEqualTo(200);
    assertThat(all.json().path("device").asText()).isEqualTo("t-kept");
    assertThat(temperatures(all)).containsExactly(20.0, 21.0, 22.0);
    assertThat(all.json().path("truncated").asBoolean()).isFalse();
    JsonNode first = all.json().path("items").get(0);
    assertThat(first.path("at").asText()).isEqualTo("2026-03-01T10:00:00Z");
    assertThat(first.path("receivedAt").asText()).isEqualTo("2026-03-01T10:00:00.005Z");

    Api.Answer limited = users.endUser.get("/api/v1/devices/t-kept/readings?since=2026-03-01T10:00:00Z&until=2026-03-01T11:00:00Z&limit=2");
    assertThat(temperatures(limited)).containsExactly(20.0, 21.0);
    assertThat(limited.json().path("truncated").asBoolean()).isTrue();
  }

  @Test
  void theDefaultWindowIsTheLastHour() {
    Instant recent = Instant.now().minusSeconds(60);
    users.device("t-recent", "thermo", "hq");
    cluster.readings.append(reading("t-recent", recent, 30.0));
    cluster.readings.append(reading("t-recent", recent.minusSeconds(2 * 3600), 10.0));

    assertThat(temperatures(users.endUser.get("/api/v1/devices/t-recent/readings"))).containsExactly(30.0);
  }

  @Test
  void badTimesAndLimitsAreNamedAndAMissingDeviceIs404() {
    Api.Answer bad = users.endUser.get("/api/v1/devices/t-kept/readings?since=yesterday&until=2026-13-01T00:00:00Z&limit=0");
    bad.problem(422);
    assertThat(bad.errorFields()).containsExactlyInAnyOrder("since", "until", "limit");

    Api.Answer backwards = users.endUser.get("/api/v1/devices/t-kept/readings?since=2026-03-02T00:00:00Z&until=2026-03-01T00:00:00Z");
    backwards.problem(422);
    assertThat(backwards.errorFields()).containsExactly("since");

    Api.Answer tooMany = users.endUser.get("/api/v1/devices/t-kept/readings?limit=10001");
    tooMany.problem(422);
    assertThat(tooMany.reasonFor("limit")).contains("10000");

    assertThat(users.endUser.get("/api/v1/devices/nope/readings").status()).isEqualTo(404);
    assertThat(users.endUser.get("/api/v1/devices/nope/readings/stream").status()).isEqualTo(404);
  }

  @Test
  void theStreamDeliversReadingsAsTheyAreAcceptedAndStopsFollowingWhenTheClientGoes() throws Exception {
    try (SseReader stream = new SseReader(users.endUser, "/api/v1/devices/t-live/readings/stream")) {
      assertThat(stream.status()).isEqualTo(200);
      assertThat(stream.contentType()).startsWith("text/event-stream");
      awaitFollowers("t-live", 1);

      cluster.readings.append(reading("t-live", T0, 23.5));

      SseReader.Event event = stream.until(e -> "reading".equals(e.type()), WAIT);
      JsonNode reading = Api.parse(event.data());
      assertThat(reading.path("device").asText()).isEqualTo("t-live");
      assertThat(reading.path("type").asText()).isEqualTo("thermo");
      assertThat(reading.path("at").asText()).isEqualTo("2026-03-01T10:00:00Z");
      assertThat(reading.path("values").path("temperature").asDouble()).isEqualTo(23.5);
    }
    // The server learns the client went when it next writes to it: readings keep coming.
    Awaitility.await().atMost(WAIT).pollInterval(Duration.ofMillis(50)).untilAsserted(() -> {
      cluster.readings.append(reading("t-live", T0, 24.0));
      assertThat(cluster.readings.followers("t-live")).as("the closed stream's follow ends").isZero();
    });
  }

  private void awaitFollowers(String device, int count) {
    Awaitility.await().atMost(WAIT)
        .untilAsserted(() -> assertThat(cluster.readings.followers(device)).as("followers of %s", device).isEqualTo(count));
  }

  private static List<Double> temperatures(Api.Answer answer) {
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    List<Double> values = new ArrayList<>();
    answer.json().path("items").forEach(item -> values.add(item.path("values").path("temperature").asDouble()));
    return values;
  }
}
