package io.dcloud.gateway.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** {@code /sensor-types} against the real device registry: who may write, what is read back, what is refused and why. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SensorTypeApiTest {
  private GatewayTestCluster cluster;
  private DeviceUsers users;

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("SensorTypeApiTest");
    users = new DeviceUsers(cluster);
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  void aConfigurerRegistersATypeEveryoneReadsIt() {
    Api.Answer made = users.configurer.post("/api/v1/sensor-types", Api.JSON, DeviceUsers.THERMOMETER.formatted("thermo"));

    assertThat(made.status()).as(made.body()).isEqualTo(201);
    assertThat(made.header("location")).isEqualTo("/api/v1/sensor-types/thermo");
    JsonNode type = made.json();
    assertThat(type.path("kind").asText()).isEqualTo("sensor");
    assertThat(type.path("fields").path("temperature").path("type").asText()).isEqualTo("number");
    assertThat(type.path("fields").path("temperature").path("unit").asText()).isEqualTo("°C");
    assertThat(type.path("fields").path("temperature").path("min").asDouble()).isEqualTo(-40);
    assertThat(type.path("fields").path("battery").path("type").asText()).isEqualTo("integer");
    assertThat(type.path("createdBy").asText()).isEqualTo("carl");
    assertThat(type.path("devices").asInt()).isZero();

    for (Api reader : new Api[] {users.endUser, users.developer}) {
      assertThat(reader.get("/api/v1/sensor-types/thermo").json().path("fields").path("battery").path("max").asDouble())
          .isEqualTo(100);
      assertThat(reader.get("/api/v1/sensor-types").json().path("items"))
          .anySatisfy(item -> assertThat(item.path("name").asText()).isEqualTo("thermo"));
    }
    assertThat(users.configurer.get("/api/v1/sensor-types/nope").status()).isEqualTo(404);
  }

  @Test
  void aControllerShowsItsCommandsAndTheirParameters() {
    Api.Answer made = users.admin.post("/api/v1/sensor-types", Api.JSON, DeviceUsers.VALVE.formatted("valve"));

    assertThat(made.status()).as(made.body()).isEqualTo(201);
    JsonNode position = made.json().path("commands").path("set").path("params").path("position");
    assertThat(position.path("type").asText()).isEqualTo("integer");
    assertThat(position.path("max").asDouble()).isEqualTo(100);
    assertThat(made.json().path("commands").path("close").path("params").isEmpty()).isTrue();
  }

  @Test
  void onlyConfigurersAndAdminsWrite() {
    assertThat(users.endUser.post("/api/v1/sensor-types", Api.JSON, DeviceUsers.THERMOMETER.formatted("by-erin")).status())
        .isEqualTo(403);
    assertThat(users.developer.post("/api/v1/sensor-types", Api.JSON, DeviceUsers.THERMOMETER.formatted("by-dave")).status())
        .isEqualTo(403);
    users.type(DeviceUsers.THERMOMETER, "kept");
    assertThat(users.endUser.delete("/api/v1/sensor-types/kept").status()).isEqualTo(403);
    assertThat(users.configurer.get("/api/v1/sensor-types/kept").status()).isEqualTo(200);
  }

  @Test
  void aNameInUseIsAConflictAndATypeInUseCannotGo() {
    users.type(DeviceUsers.THERMOMETER, "twice");
    assertThat(users.configurer.post("/api/v1/sensor-types", Api.JSON, DeviceUsers.THERMOMETER.formatted("twice")).status())
        .isEqualTo(409);

    users.type(DeviceUsers.THERMOMETER, "used");
    users.device("used-1", "used", "lab");
    assertThat(users.configurer.get("/api/v1/sensor-types/used").json().path("devices").asInt()).isEqualTo(1);
    assertThat(users.configurer.delete("/api/v1/sensor-types/used").status()).isEqualTo(409);
    assertThat(users.configurer.delete("/api/v1/devices/used-1").status()).isEqualTo(204);
    assertThat(users.configurer.delete("/api/v1/sensor-types/used").status()).isEqualTo(204);
    assertThat(users.configurer.get("/api/v1/sensor-types/used").status()).isEqualTo(404);
    assertThat(users.configurer.delete("/api/v1/sensor-types/used").status()).isEqualTo(404);
  }

  @Test
  void badTypesAreRefusedNamingEachField() {
    Api.Answer refused = users.configurer.post("/api/v1/sensor-types", Api.JSON, """
        {"name": "Bad Name", "kind": "gauge", "colour": "red",
         "fields": {"ts": {"type": "number"}, "9lives": {"type": "number"}, "level": {"type": "decimal"},
                    "label": {"type": "string", "min": 1}, "range": {"type": "number", "min": 5, "max": 1}}}""");

    refused.problem(422);
    assertThat(refused.errorFields()).contains("name", "kind", "colour", "fields.ts", "fields.9lives", "fields.level.type",
        "fields.label.min", "fields.range.min");
    assertThat(refused.reasonFor("fields.level.type")).contains("number, integer, boolean or string");

    Api.Answer noFields = users.configurer.post("/api/v1/sensor-types", Api.JSON, "{\"name\": \"empty\", \"kind\": \"sensor\"}");
    noFields.problem(422);
    assertThat(noFields.errorFields()).containsExactly("fields");

    Api.Answer noCommands = users.configurer.post("/api/v1/sensor-types", Api.JSON,
        "{\"name\": \"mute\", \"kind\": \"controller\", \"commands\": {\"go\": {\"params\": {\"speed\": {\"type\": \"fast\"}}}}}");
    noCommands.problem(422);
    assertThat(noCommands.errorFields()).containsExactly("commands.go.params.speed.type");
  }
}
