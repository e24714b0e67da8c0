package io.dcloud.gateway.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.device.Reading;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /devices} against the real device registry: credentials shown once, filters by type and
 * location, disable, enable, rotate, delete, and every refusal naming its field.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeviceApiTest {
  private GatewayTestCluster cluster;
  private DeviceUsers users;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("DeviceApiTest");
    users = new DeviceUsers(cluster);
    users.type(DeviceUsers.THERMOMETER, "thermo");
    users.type(DeviceUsers.VALVE, "valve");
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  void aNewDeviceAnswersItsCredentialsOnceAndIsReadByEveryone() {
    Api.Answer made = users.configurer.post("/api/v1/devices", Api.JSON, """
        {"id": "t-1", "type": "thermo", "location": {"site": "hq", "building": "a", "room": "101"},
         "metadata": {"serial": "X-1"}}""");

    assertThat(made.status()).as(made.body()).isEqualTo(201);
    assertThat(made.header("location")).isEqualTo("/api/v1/devices/t-1");
    JsonNode device = made.json();
    assertThat(device.path("kind").asText()).isEqualTo("sensor");
    assertThat(device.path("enabled").asBoolean()).isTrue();
    assertThat(device.path("username").asText()).isEqualTo("device-t-1");
    assertThat(device.path("metadata").path("serial").asText()).isEqualTo("X-1");
    assertThat(device.path("location").path("room").asText()).isEqualTo("101");
    assertThat(device.path("credentials").path("username").asText()).isEqualTo("device-t-1");
    String password = device.path("credentials").path("password").asText();
    assertThat(password).hasSizeGreaterThan(16);
    assertThat(device.path("credentials").path("broker").asText()).isEqualTo("tcp://127.0.0.1:1883");

    Api.Answer shown = users.endUser.get("/api/v1/devices/t-1");
    assertThat(shown.status()).isEqualTo(200);
    assertThat(shown.body()).doesNotContain(password).doesNotContain("credentials");
    assertThat(shown.json().path("createdBy").asText()).isEqualTo("carl");
    assertThat(shown.json().path("activity").path("accepted").asLong()).isZero();
    assertThat(shown.json().path("boundTo")).isEmpty();
    assertThat(users.developer.get("/api/v1/devices").body()).doesNotContain(password);
    assertThat(users.endUser.get("/api/v1/devices/broker").json().path("url").asText()).isEqualTo("tcp://127.0.0.1:1883");
  }

  @Test
  void activityShowsWhatTheDeviceSent() {
    users.device("t-busy", "thermo", "hq");
    Instant at = Instant.parse("2026-01-01T00:00:00Z");
    cluster.readings.append(new Reading("t-busy", "thermo", at, at, Map.of("temperature", 21.5)));
    cluster.readings.recordRejection("t-busy", at.plusSeconds(1), "unknown field \"x\"");

    JsonNode activity = users.endUser.get("/api/v1/devices/t-busy").json().path("activity");
    assertThat(activity.path("accepted").asLong()).isEqualTo(1);
    assertThat(activity.path("rejected").asLong()).isEqualTo(1);
    assertThat(activity.path("lastRejectionReason").asText()).isEqualTo("unknown field \"x\"");
  }

  @Test
  void devicesAreListedByTypeAndLocation() {
    users.device("f-1", "thermo", "factory");
    users.configurer.post("/api/v1/devices", Api.JSON,
        "{\"id\": \"f-2\", \"type\": \"valve\", \"location\": {\"site\": \"factory\", \"building\": \"b2\"}}");
    users.configurer.post("/api/v1/devices", Api.JSON,
        "{\"id\": \"field-1\", \"type\": \"thermo\", \"location\": {\"lat\": 48.1, \"lon\": 11.6}}");

    assertThat(users.endUser.get("/api/v1/devices?site=factory").ids("items")).containsExactly("f-1", "f-2");
    assertThat(users.endUser.get("/api/v1/devices?site=factory&building=b2").ids("items")).containsExactly("f-2");
    assertThat(users.endUser.get("/api/v1/devices?type=valve&site=factory").ids("items")).containsExactly("f-2");
    assertThat(users.endUser.get("/api/v1/devices?type=thermo").ids("items")).contains("f-1", "field-1").doesNotContain("f-2");
    assertThat(users.endUser.get("/api/v1/devices?site=nowhere").ids("items")).isEmpty();
  }

  @Test
  void disablingEnablingRotatingAndDeleting() {
    String first = users.device("t-life", "thermo", "hq").json().path("credentials").path("password").asText();

    Api.Answer disabled = users.configurer.postEmpty("/api/v1/devices/t-life/disable");
    assertThat(disabled.status()).as(disabled.body()).isEqualTo(200);
    assertThat(disabled.json().path("enabled").asBoolean()).isFalse();
    assertThat(users.endUser.get("/api/v1/devices/t-life").json().path("enabled").asBoolean()).isFalse();
    assertThat(users.configurer.postEmpty("/api/v1/devices/t-life/enable").json().path("enabled").asBoolean()).isTrue();

    Api.Answer rotated = users.configurer.postEmpty("/api/v1/devices/t-life/credentials");
    assertThat(rotated.status()).as(rotated.body()).isEqualTo(200);
    assertThat(rotated.json().path("username").asText()).isEqualTo("device-t-life");
    assertThat(rotated.json().path("password").asText()).isNotEqualTo(first).hasSizeGreaterThan(16);
    assertThat(rotated.json().path("broker").asText()).isEqualTo("tcp://127.0.0.1:1883");

    assertThat(users.configurer.delete("/api/v1/devices/t-life").status()).isEqualTo(204);
    assertThat(users.configurer.get("/api/v1/devices/t-life").status()).isEqualTo(404);
    assertThat(users.configurer.delete("/api/v1/devices/t-life").status()).isEqualTo(404);
    assertThat(users.configurer.postEmpty("/api/v1/devices/t-life/disable").status()).isEqualTo(404);
    assertThat(users.configurer.postEmpty("/api/v1/devices/t-life/credentials").status()).isEqualTo(404);
  }

  @Test
  void onlyConfigurersAndAdminsWrite() {
    users.device("t-guarded", "thermo", "hq");
    String body = "{\"id\": \"t-erin\", \"type\": \"thermo\", \"location\": {\"site\": \"hq\"}}";

    assertThat(users.endUser.post("/api/v1/devices", Api.JSON, body).status()).isEqualTo(403);
    assertThat(users.developer.post("/api/v1/devices", Api.JSON, body).status()).isEqualTo(403);
    assertThat(users.endUser.postEmpty("/api/v1/devices/t-guarded/disable").status()).isEqualTo(403);
    assertThat(users.endUser.postEmpty("/api/v1/devices/t-guarded/credentials").status()).isEqualTo(403);
    assertThat(users.endUser.delete("/api/v1/devices/t-guarded").status()).isEqualTo(403);
    assertThat(users.admin.post("/api/v1/devices", Api.JSON, body).status()).isEqualTo(201);
  }

  @Test
  void refusalsNameTheirField() {
    users.device("t-dup", "thermo", "hq");
    assertThat(users.configurer.post("/api/v1/devices", Api.JSON,
        "{\"id\": \"t-dup\", \"type\": \"thermo\", \"location\": {\"site\": \"hq\"}}").status()).isEqualTo(409);

    Api.Answer unknownType = users.configurer.post("/api/v1/devices", Api.JSON,
        "{\"id\": \"t-x\", \"type\": \"barometer\", \"location\": {\"site\": \"hq\"}}");
    unknownType.problem(422);
    assertThat(unknownType.errorFields()).containsExactly("type");

    Api.Answer bad = users.configurer.post("/api/v1/devices", Api.JSON, """
        {"id": "Bad/Id", "type": "thermo", "location": {"lat": 91, "lon": 10}, "metadata": {"k": 1}, "owner": "x"}""");
    bad.problem(422);
    assertThat(bad.errorFields()).containsExactlyInAnyOrder("id", "location.lat", "metadata.k", "owner");

    Api.Answer nowhere = users.configurer.post("/api/v1/devices", Api.JSON,
        "{\"id\": \"t-nowhere\", \"type\": \"thermo\", \"location\": {\"room\": \"1\"}}");
    nowhere.problem(422);
    assertThat(nowhere.errorFields()).containsExactly("location");

    Api.Answer reserved = users.configurer.post("/api/v1/devices", Api.JSON,
        "{\"id\": \"broker\", \"type\": \"thermo\", \"location\": {\"site\": \"hq\"}}");
    reserved.problem(422);
    assertThat(reserved.errorFields()).containsExactly("id");
    assertThat(users.endUser.get("/api/v1/devices/nope").status()).isEqualTo(404);
  }
}
