package io.dcloud.gateway.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A cluster without an MQTT broker ({@code dcloud.broker.enabled = off}): what needs the broker
 * answers 503 naming the setting (a new binding too); the registry's reads and sensor types still answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeviceBrokerOffApiTest {
  private static final String NAMES_THE_SETTING = "dcloud.broker.enabled = off";

  private GatewayTestCluster cluster;
  private DeviceUsers users;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("DeviceBrokerOffApiTest", Map.of("dcloud.broker.enabled", false));
    users = new DeviceUsers(cluster);
    users.type(DeviceUsers.THERMOMETER, "thermo");
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  void registeringADeviceIsRefusedNamingTheSetting() {
    Api.Answer refused = users.configurer.post("/api/v1/devices", Api.JSON,
        "{\"id\": \"t-1\", \"type\": \"thermo\", \"location\": {\"site\": \"hq\"}}");

    assertThat(refused.problem(503).path("detail").asText()).contains(NAMES_THE_SETTING);
    assertThat(users.endUser.get("/api/v1/devices").json().path("items")).isEmpty();
  }

  @Test
  void theBrokersAddressCredentialsCommandsAndTheLiveReadingsAreRefused() {
    assertThat(users.endUser.get("/api/v1/devices/broker").problem(503).path("detail").asText())
        .contains(NAMES_THE_SETTING);
    assertThat(users.configurer.postEmpty("/api/v1/devices/t-1/credentials").problem(503).path("detail").asText())
        .contains(NAMES_THE_SETTING);
    assertThat(users.configurer.post("/api/v1/devices/v-1/commands", Api.JSON, "{\"name\": \"set\", \"params\": {}}")
        .problem(503).path("detail").asText()).contains(NAMES_THE_SETTING);
    assertThat(users.endUser.get("/api/v1/devices/t-1/readings/stream").problem(503).path("detail").asText())
        .contains(NAMES_THE_SETTING);
  }

  @Test
  void bindingAServiceToDevicesIsRefusedBeforeAnythingIsRecorded() {
    Api.Answer refused = users.endUser.post("/api/v1/services/plant/bindings", Api.JSON, "{\"devices\": [\"t-1\"]}");

    assertThat(refused.problem(503).path("detail").asText()).contains(NAMES_THE_SETTING);
  }

  @Test
  void whatNeedsNoBrokerStillAnswers() {
    assertThat(users.endUser.get("/api/v1/sensor-types").status()).isEqualTo(200);
    assertThat(users.endUser.get("/api/v1/devices/nowhere").problem(404).path("detail").asText()).contains("nowhere");
    assertThat(users.endUser.get("/api/v1/devices/nowhere/readings").status()).isEqualTo(404);
  }
}
