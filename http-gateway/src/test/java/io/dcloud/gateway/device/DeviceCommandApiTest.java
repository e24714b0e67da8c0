package io.dcloud.gateway.device;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.device.CommandSender;
import io.dcloud.device.DeviceCommands;
import io.dcloud.device.Reading;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Commanding a controller through the API: checked against its type, issued to the real command
 * entity (its sender here a queue instead of the broker), 202, and the device's acknowledgement
 * visible on the command.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DeviceCommandApiTest {
  private static final Duration WAIT = Duration.ofSeconds(10);

  private GatewayTestCluster cluster;
  private DeviceUsers users;
  /** What went to the broker: device id and payload. */
  private final BlockingQueue<Map.Entry<String, String>> sent = new LinkedBlockingQueue<>();

  @BeforeAll
  void start() throws Exception {
    cluster = new GatewayTestCluster("DeviceCommandApiTest");
    CommandSender sender = (deviceId, payload) -> {
      sent.add(Map.entry(deviceId, payload));
      return CompletableFuture.completedFuture(Done.getInstance());
    };
    DeviceCommands.init(cluster.testKit.system(), sender);
    users = new DeviceUsers(cluster);
    users.type(DeviceUsers.THERMOMETER, "thermo");
    users.type(DeviceUsers.VALVE, "valve");
    users.device("v-1", "valve", "plant");
    users.device("t-1", "thermo", "plant");
  }

  @AfterAll
  void stop() {
    cluster.close();
  }

  @Test
  void aCommandIsAcceptedSentAndItsAcknowledgementShown() throws Exception {
    Api.Answer issued = users.configurer.post("/api/v1/devices/v-1/commands", Api.JSON,
        "{\"name\": \"set\", \"params\": {\"position\": 40}}");

    assertThat(issued.status()).as(issued.body()).isEqualTo(202);
    JsonNode command = issued.json();
    String id = command.path("id").asText();
    assertThat(issued.header("location")).isEqualTo("/api/v1/devices/v-1/commands/" + id);
    assertThat(command.path("device").asText()).isEqualTo("v-1");
    assertThat(command.path("name").asText()).isEqualTo("set");
    assertThat(command.path("params").path("position").asInt()).isEqualTo(40);
    assertThat(command.path("issuedBy").asText()).isEqualTo("carl");
    assertThat(command.path("status").asText()).isIn("pending", "sent");

    // Other tests' commands may have been sent first: this one's is among what was.
    JsonNode payload;
    do {
      Map.Entry<String, String> published = sent.poll(WAIT.toSeconds(), TimeUnit.SECONDS);
      assertThat(published).as("command %s sent", id).isNotNull();
      assertThat(published.getKey()).isEqualTo("v-1");
      payload = Api.parse(published.getValue());
    } while (!payload.path("id").asText().equals(id));
    assertThat(payload.path("name").asText()).isEqualTo("set");
    assertThat(payload.path("params").path("position").asInt()).isEqualTo(40);

    ClusterSharding.get(cluster.testKit.system()).entityRefFor(DeviceCommands.TYPE_KEY, "v-1")
        .tell(new DeviceCommands.Acknowledge(id, true, "moved"));
    JsonNode shown = Awaitility.await("the command shows its acknowledgement").atMost(WAIT)
        .until(() -> users.endUser.get("/api/v1/devices/v-1/commands/" + id).json(),
            answer -> "acked".equals(answer.path("status").asText()));
    assertThat(shown.path("answer").asText()).isEqualTo("moved");
    assertThat(shown.path("answeredAt").asText()).isNotBlank();
    assertThat(users.endUser.get("/api/v1/devices/v-1/commands").json().path("items"))
        .anySatisfy(item -> assertThat(item.path("id").asText()).isEqualTo(id));
  }

  /**
   * A device registered again under a deleted one's id starts with no commands and no readings: the
   * registry erases what the deleted one left, and refuses the id (409 naming it) until it has.
   */
  @Test
  void aDeletedDevicesCommandsAndReadingsAreNotThoseOfOneRegisteredAgainUnderItsId() throws Exception {
    users.device("v-again", "valve", "plant");
    Api.Answer issued = users.configurer.post("/api/v1/devices/v-again/commands", Api.JSON,
        "{\"name\": \"set\", \"params\": {\"position\": 10}}");
    assertThat(issued.status()).as(issued.body()).isEqualTo(202);
    assertThat(users.endUser.get("/api/v1/devices/v-again/commands").json().path("items")).hasSize(1);
    Instant at = Instant.now().minusSeconds(60);
    cluster.readings.append(new Reading("v-again", "valve", at, at, Map.of("position", 10)));
    String lastHour = "/api/v1/devices/v-again/readings";
    assertThat(users.endUser.get(lastHour).json().path("items")).hasSize(1);

    assertThat(users.configurer.delete("/api/v1/devices/v-again").status()).isEqualTo(204);
    Awaitility.await("v-again registered again").atMost(WAIT).untilAsserted(() -> {
      Api.Answer again = users.configurer.post("/api/v1/devices", Api.JSON,
          "{\"id\": \"v-again\", \"type\": \"valve\", \"location\": {\"site\": \"plant\"}}");
      if (again.status() == 409) {
        assertThat(again.json().path("errors").get(0).path("field").asText()).as(again.body()).isEqualTo("id");
        assertThat(again.body()).contains("still being erased");
      }
      assertThat(again.status()).as(again.body()).isEqualTo(201);
    });

    assertThat(users.endUser.get(lastHour).json().path("items")).isEmpty();
    assertThat(users.endUser.get("/api/v1/devices/v-again/commands").json().path("items")).isEmpty();
    assertThat(users.endUser.get("/api/v1/devices/v-again/commands/" + issued.json().path("id").asText()).status())
        .isEqualTo(404);
    // Forgotten by the entity too (the listing would hide them anyway): nothing left to send again.
    assertThat(ClusterSharding.get(cluster.testKit.system()).entityRefFor(DeviceCommands.TYPE_KEY, "v-again")
        .<DeviceCommands.CommandList>ask(DeviceCommands.ListCommands::new, WAIT).toCompletableFuture().get().commands())
        .isEmpty();
  }

  @Test
  void commandsAreCheckedAgainstTheType() {
    assertRefused("v-1", "{\"name\": \"set\", \"params\": {\"position\": 150}}", "params.position");
    assertRefused("v-1", "{\"name\": \"set\", \"params\": {\"position\": \"half\"}}", "params.position");
    assertRefused("v-1", "{\"name\": \"set\"}", "params.position");
    assertRefused("v-1", "{\"name\": \"set\", \"params\": {\"position\": 1, \"speed\": 2}}", "params.speed");
    assertRefused("v-1", "{\"name\": \"set\", \"params\": [1]}", "params");
    assertRefused("v-1", "{\"name\": \"explode\"}", "name");
    assertRefused("v-1", "{\"params\": {}}", "name");
    assertRefused("t-1", "{\"name\": \"set\", \"params\": {\"position\": 1}}", "name");
    Api.Answer close = users.configurer.post("/api/v1/devices/v-1/commands", Api.JSON, "{\"name\": \"close\"}");
    assertThat(close.status()).as(close.body()).isEqualTo(202);
  }

  @Test
  void onlyConfigurersAndAdminsCommandEveryoneReadsAndMissingOnesAre404() {
    assertThat(users.endUser.post("/api/v1/devices/v-1/commands", Api.JSON, "{\"name\": \"close\"}").status())
        .isEqualTo(403);
    assertThat(users.developer.post("/api/v1/devices/v-1/commands", Api.JSON, "{\"name\": \"close\"}").status())
        .isEqualTo(403);
    assertThat(users.admin.post("/api/v1/devices/v-1/commands", Api.JSON, "{\"name\": \"close\"}").status())
        .isEqualTo(202);
    assertThat(users.developer.get("/api/v1/devices/v-1/commands").status()).isEqualTo(200);
    assertThat(users.configurer.post("/api/v1/devices/nope/commands", Api.JSON, "{\"name\": \"close\"}").status())
        .isEqualTo(404);
    assertThat(users.endUser.get("/api/v1/devices/nope/commands").status()).isEqualTo(404);
    assertThat(users.endUser.get("/api/v1/devices/v-1/commands/no-such-command").status()).isEqualTo(404);
  }

  private void assertRefused(String device, String body, String field) {
    Api.Answer refused = users.configurer.post("/api/v1/devices/" + device + "/commands", Api.JSON, body);
    refused.problem(422);
    assertThat(refused.errorFields()).as(body).containsExactly(field);
  }
}
