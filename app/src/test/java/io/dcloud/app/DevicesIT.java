package io.dcloud.app;

import static io.dcloud.app.DeviceMqtt.disconnect;
import static io.dcloud.app.DeviceMqtt.publishReading;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.broker.MosquittoBroker;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Sensors and controllers end to end (seed 003's flow), with one DCloud on the embedded Cassandra
 * and the real Docker Engine, a real Mosquitto, and real MQTT clients (Paho) as the devices: a
 * platform configurer registers types and devices; devices publish with their own credentials and
 * their readings are kept, queried and refused as they should be; an app declaring the types it
 * consumes is pushed, an end user binds it to devices, and the app — Python with paho-mqtt in its
 * container, reaching the broker through its network's gateway — receives the bound sensors'
 * readings, learns of its bindings at run time and commands the bound controller, which
 * acknowledges; unbinding revokes the app's access at once. The README's examples are used as
 * shipped: the types come from examples/devices, and the thermostat (examples/apps/thermostat)
 * opens its bound valve on cold readings and closes it on warm ones. The scenarios build on each other.
 */
@Tag("docker") @Tag("cassandra") @Tag("mqtt")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DevicesIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** The app's image (Debian, Python, paho-mqtt) may be built first. */
  private static final Duration UP_WITHIN = Duration.ofMinutes(20);
  private static final Duration SOON = Duration.ofSeconds(30);
  private static final String APP = "climate-app";
  /** The README's example app, pushed as it is shipped (examples/apps/thermostat). */
  private static final String THERMOSTAT = "thermostat";
  private static final String END_USER_PASSWORD = "password-of-erin";

  private static MosquittoBroker broker;
  private static OneNodeDCloud dcloud;
  private static Api admin;
  private static Api configurer;
  private static Api endUser;
  private static String brokerUrl;
  private static final Map<String, String> passwords = new java.util.concurrent.ConcurrentHashMap<>();
  private static String replicaUrl;

  @BeforeAll
  static void start() throws Exception {
    broker = MosquittoBroker.start();
    dcloud = OneNodeDCloud.start("devices-it-node", broker.config());
    admin = dcloud.api();
    configurer = TestUsers.create(admin, "cora", "password-of-cora", "platform-configurer");
    endUser = TestUsers.create(admin, "erin", END_USER_PASSWORD, "end-user");
  }

  @AfterAll
  static void stop() throws Exception {
    Closing.inOrder(dcloud, broker);
  }

  @Test
  @Order(1)
  void aConfigurerRegistersTypesAndDevicesWhoseSecretsAreShownOnce() throws Exception {
    // The README's example types, created from their files as shipped (YAML, as the CLI sends them).
    HttpResponse<String> thermometer = createType(configurer, "thermometer.yaml");
    assertThat(thermometer.statusCode()).as(thermometer.body()).isEqualTo(201);
    JsonNode fields = admin.get("/api/v1/sensor-types/thermometer").json().path("fields");
    assertThat(fields.size()).as(fields.toString()).isEqualTo(2);
    assertField(fields.path("temperature"), "number", "°C", -40, 85);
    assertField(fields.path("battery"), "integer", "%", 0, 100);
    HttpResponse<String> valve = createType(configurer, "valve.yaml");
    assertThat(valve.statusCode()).as(valve.body()).isEqualTo(201);
    JsonNode shownValve = admin.get("/api/v1/sensor-types/valve").json();
    assertThat(shownValve.path("kind").asText()).isEqualTo("controller");
    assertThat(shownValve.path("commands").path("set").path("params").path("open").path("type").asText()).isEqualTo("boolean");
    Api.Response refused = endUser.post("/api/v1/sensor-types", "{\"name\": \"x\", \"kind\": \"sensor\", \"fields\": {}}");
    assertThat(refused.status()).isEqualTo(403);

    register("t1", "thermometer", "lab", "room-1");
    register("t2", "thermometer", "lab", "room-2");
    register("v1", "valve", "lab", "room-1");

    JsonNode shown = admin.get("/api/v1/devices/t1").json();
    assertThat(shown.has("credentials")).isFalse();
    assertThat(shown.toString()).doesNotContain(passwords.get("t1"));
    JsonNode inRoom1 = endUser.get("/api/v1/devices?site=lab&room=room-1").json().path("items");
    assertThat(inRoom1).extracting(d -> d.path("id").asText()).containsExactlyInAnyOrder("t1", "v1");
    brokerUrl = admin.get("/api/v1/devices/broker").json().path("url").asText();
    assertThat(brokerUrl).isEqualTo(broker.url());
  }

  @Test
  @Order(2)
  void aDevicesReadingsAreKeptAndBadOnesRefusedWithTheReasonOnTheDevice() throws Exception {
    MqttClient t1 = connect("t1");
    try {
      publishReading(t1, "t1", "{\"temperature\": 21.5, \"battery\": 90}");
      publishReading(t1, "t1", "{\"temperature\": \"hot\"}");

      await().atMost(SOON).untilAsserted(() -> {
        JsonNode readings = admin.get("/api/v1/devices/t1/readings").json().path("items");
        assertThat(readings).hasSize(1);
        assertThat(readings.get(0).path("values").path("temperature").asDouble()).isEqualTo(21.5);
        assertThat(readings.get(0).path("values").path("battery").asLong()).isEqualTo(90);
        JsonNode activity = admin.get("/api/v1/devices/t1").json().path("activity");
        assertThat(activity.path("accepted").asLong()).isEqualTo(1);
        assertThat(activity.path("rejected").asLong()).isEqualTo(1);
        assertThat(activity.path("lastRejectionReason").asText()).contains("temperature").contains("number");
      });
    } finally {
      t1.disconnect();
      t1.close();
    }
  }

  @Test
  @Order(3)
  void aDeviceCannotPublishAsAnother() throws Exception {
    MqttClient t1 = connect("t1");
    MqttClient t2 = connect("t2");
    try {
      // QoS 0: Mosquitto drops an unauthorised publish silently. t2's own reading after it is the
      // marker: once it is kept, t1's would have been too (one connection per device, one ingest).
      t1.publish("dcloud/devices/t2/readings", new MqttMessage("{\"temperature\": -1}".getBytes(StandardCharsets.UTF_8)));
      publishReading(t2, "t2", "{\"temperature\": 19.0}");

      await().atMost(SOON).untilAsserted(() -> assertThat(admin.get("/api/v1/devices/t2/readings").json().path("items"))
          .extracting(r -> r.path("values").path("temperature").asDouble()).containsExactly(19.0));
    } finally {
      disconnect(t1);
      disconnect(t2);
    }
  }

  @Test
  @Order(4)
  void aBoundAppReceivesItsSensorsReadingsInItsContainerAndCommandsItsController() throws Exception {
    String config = """
        {"name": "%s", "runtime": {"language-name": "python", "libraries": ["paho-mqtt"]},
         "command": ["python3", "-u", "app.py"], "port": 8000, "replicas": 1,
         "readiness": {"path": "/ready"}, "env": {"PORT": "8000"},
         "bindings": [{"type": "thermometer", "min": 1, "max": 2}, {"type": "valve", "min": 0, "max": 1}],
         "resources": {"ram": "256M", "cpu": "0.5", "gpu": "0"}}""".formatted(APP);
    HttpResponse<String> pushed = AppPush.push(admin, Map.of("app.py", ClimateApp.APP_PY), config);
    assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);

    Api.Response wrongType = endUser.post("/api/v1/services/" + APP + "/bindings", "{\"devices\": [\"v1\"]}");
    assertThat(wrongType.status()).as(wrongType.body()).isEqualTo(422);
    assertThat(wrongType.body()).contains("devices");
    Api.Response first = endUser.post("/api/v1/services/" + APP + "/bindings", "{\"devices\": [\"t1\", \"v1\"]}");
    assertThat(first.status()).as(first.body()).isEqualTo(201);
    assertThat(first.json().path("owner").asText()).isEqualTo("erin");
    Api.Response second = endUser.post("/api/v1/services/" + APP + "/bindings", "{\"devices\": [\"t2\"]}");
    assertThat(second.status()).as(second.body()).isEqualTo(201);

    await().atMost(UP_WITHIN).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
      JsonNode replicas = admin.get("/api/v1/services/" + APP).json().path("replicas");
      assertThat(replicas).as(replicas.toString()).hasSize(1);
      assertThat(replicas.get(0).path("ready").asBoolean()).as("ready: connected to the broker").isTrue();
      replicaUrl = admin.get("/api/v1/environments/" + replicas.get(0).path("id").asText()).json().path("url").asText();
    });
    await().atMost(SOON).untilAsserted(() -> assertThat(appState().path("bindings").path("bindings")).hasSize(2));

    MqttClient t1 = connect("t1");
    MqttClient t2 = connect("t2");
    try {
      // Published again each round: the app's subscriptions follow its bindings document, and a
      // reading that arrives before them is not for it (no retained readings).
      await().atMost(SOON).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        publishReading(t1, "t1", "{\"temperature\": 22.25}");
        publishReading(t2, "t2", "{\"temperature\": 18.5}");
        JsonNode received = appState().path("received");
        assertThat(received.path("t1").toString()).contains("22.25");
        assertThat(received.path("t2").toString()).contains("18.5");
      });
    } finally {
      disconnect(t1);
      disconnect(t2);
    }

    BlockingQueue<String> commands = new LinkedBlockingQueue<>();
    MqttClient v1 = connect("v1");
    try {
      v1.subscribe("dcloud/devices/v1/commands", 1, (topic, message) -> {
        String payload = new String(message.getPayload(), StandardCharsets.UTF_8);
        commands.add(payload);
        String ack = "{\"id\": \"" + JSON.readTree(payload).path("id").asText() + "\", \"ok\": true, \"message\": \"opened\"}";
        v1.publish("dcloud/devices/v1/acks", new MqttMessage(ack.getBytes(StandardCharsets.UTF_8)));
      });
      HttpResponse<String> asked = appCall("POST", "command/v1", "{\"name\": \"set\", \"params\": {\"open\": true}}");
      assertThat(asked.statusCode()).as(asked.body()).isEqualTo(202);

      String delivered = commands.poll(SOON.toSeconds(), TimeUnit.SECONDS);
      assertThat(delivered).as("the command reached the controller").isNotNull();
      assertThat(JSON.readTree(delivered).path("params").path("open").asBoolean()).isTrue();
      await().atMost(SOON).untilAsserted(() -> {
        JsonNode listed = admin.get("/api/v1/devices/v1/commands").json().path("items");
        assertThat(listed).hasSize(1);
        assertThat(listed.get(0).path("status").asText()).isEqualTo("acked");
        assertThat(listed.get(0).path("issuedBy").asText()).isEqualTo("service:" + APP);
        assertThat(listed.get(0).path("answer").asText()).isEqualTo("opened");
      });
    } finally {
      disconnect(v1);
    }
  }

  @Test
  @Order(5)
  void unbindingRevokesTheAppsAccessAtOnce() throws Exception {
    JsonNode bindings = endUser.get("/api/v1/services/" + APP + "/bindings").json().path("items");
    String withT1 = null;
    for (JsonNode binding : bindings) {
      if (binding.path("devices").toString().contains("t1")) {
        withT1 = binding.path("id").asText();
      }
    }
    assertThat(withT1).as(bindings.toString()).isNotNull();
    Api.Response unbound = endUser.delete("/api/v1/services/" + APP + "/bindings/" + withT1);
    assertThat(unbound.status()).as(unbound.body()).isEqualTo(204);
    await().atMost(SOON).untilAsserted(() -> assertThat(appState().path("bindings").path("bindings")).hasSize(1));
    int t1Before = appState().path("received").path("t1").size();

    MqttClient t1 = connect("t1");
    MqttClient t2 = connect("t2");
    try {
      // The app asks for t1's readings still (it never drops a topic): only the broker's rules can
      // keep this one from it. t2's reading after it is the marker.
      publishReading(t1, "t1", "{\"temperature\": 30.0}");
      await().atMost(SOON).until(() -> admin.get("/api/v1/devices/t1/readings").json().path("items").toString().contains("30.0"));
      await().atMost(SOON).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        publishReading(t2, "t2", "{\"temperature\": 17.75}");
        assertThat(appState().path("received").path("t2").toString()).contains("17.75");
      });

      assertThat(appState().path("received").path("t1")).hasSize(t1Before);
    } finally {
      disconnect(t1);
      disconnect(t2);
    }
  }

  @Test
  @Order(6)
  void theReadmesThermostatOpensAndClosesItsBoundValveAroundItsTarget() throws Exception {
    Path example = Path.of(System.getProperty("dcloud.examples"), "apps", THERMOSTAT);
    Map<String, String> files = new LinkedHashMap<>();
    try (Stream<Path> walked = Files.walk(example)) {
      for (Path file : walked.filter(Files::isRegularFile).sorted().toList()) {
        files.put(example.relativize(file).toString(), Files.readString(file));
      }
    }
    HttpResponse<String> pushed = AppPush.push(admin, files, "app.yaml", files.get("app.yaml"));
    assertThat(pushed.statusCode()).as(pushed.body()).isEqualTo(201);
    // Each binding is a room, which needs its valve (app.yaml: valve, min 1): t1 alone is refused.
    Api.Response valveless = endUser.post("/api/v1/services/" + THERMOSTAT + "/bindings", "{\"devices\": [\"t1\"]}");
    assertThat(valveless.status()).as(valveless.body()).isEqualTo(422);
    Api.Response bound = endUser.post("/api/v1/services/" + THERMOSTAT + "/bindings", "{\"devices\": [\"t1\", \"v1\"]}");
    assertThat(bound.status()).as(bound.body()).isEqualTo(201);
    String room = bound.json().path("id").asText();

    // Ready only once connected to the broker, which knows the service's account from its first binding on.
    await().atMost(UP_WITHIN).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
      JsonNode replicas = admin.get("/api/v1/services/" + THERMOSTAT).json().path("replicas");
      assertThat(replicas).as(replicas.toString()).hasSize(1);
      assertThat(replicas.get(0).path("ready").asBoolean()).as("ready: connected to the broker").isTrue();
    });

    List<JsonNode> commands = new CopyOnWriteArrayList<>();
    MqttClient v1 = connect("v1");
    MqttClient t1 = connect("t1");
    try {
      v1.subscribe("dcloud/devices/v1/commands", 1, (topic, message) -> {
        JsonNode command = JSON.readTree(message.getPayload());
        commands.add(command);
        String ack = "{\"id\": \"" + command.path("id").asText() + "\", \"ok\": true}";
        v1.publish("dcloud/devices/v1/acks", new MqttMessage(ack.getBytes(StandardCharsets.UTF_8)));
      });

      // Published again each round: the app subscribes to t1's readings once its bindings document
      // arrives, and a reading before that is not for it. Every cold reading after the first decision
      // must not command the valve again.
      await().atMost(SOON).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        publishReading(t1, "t1", "{\"temperature\": 12.0}");
        assertThat(commandIds(commands, true)).as(commands.toString()).hasSize(1);
      });
      JsonNode cold = thermostatStatus().path("bindings").path(room);
      assertThat(cold.path("valve").path("id").asText()).isEqualTo("v1");
      assertThat(cold.path("valve").path("open").asBoolean()).as(cold.toString()).isTrue();
      assertThat(cold.path("mean").asDouble()).isEqualTo(12.0);

      await().atMost(SOON).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
        publishReading(t1, "t1", "{\"temperature\": 30.0}");
        assertThat(commandIds(commands, false)).as(commands.toString()).hasSize(1);
      });
      JsonNode warm = thermostatStatus().path("bindings").path(room);
      assertThat(warm.path("devices")).extracting(JsonNode::asText).containsExactlyInAnyOrder("t1", "v1");
      assertThat(warm.path("temperatures").path("t1").path("temperature").asDouble()).isEqualTo(30.0);
      assertThat(warm.path("mean").asDouble()).isEqualTo(30.0);
      assertThat(warm.path("valve").path("open").asBoolean()).as(warm.toString()).isFalse();
      assertThat(warm.path("valve").path("commandedAt").asText()).isNotEmpty();
      assertThat(commandIds(commands, true)).as("no second open: the valve was open already").hasSize(1);
    } finally {
      disconnect(t1);
      disconnect(v1);
    }

    Set<String> issued = new HashSet<>(commandIds(commands, true));
    issued.addAll(commandIds(commands, false));
    // v1 also has the climate app's command of the earlier test: only the thermostat's are counted.
    await().atMost(SOON).untilAsserted(() -> {
      List<JsonNode> listed = new ArrayList<>();
      admin.get("/api/v1/devices/v1/commands").json().path("items").forEach(command -> {
        if (command.path("issuedBy").asText().equals("service:" + THERMOSTAT)) {
          listed.add(command);
        }
      });
      assertThat(listed).as(listed.toString()).hasSize(2).allSatisfy(command -> {
        assertThat(command.path("status").asText()).isEqualTo("acked");
        assertThat(command.path("name").asText()).isEqualTo("set");
      });
      assertThat(listed).extracting(command -> command.path("id").asText()).containsExactlyInAnyOrderElementsOf(issued);
      assertThat(listed).extracting(command -> command.path("params").path("open").asBoolean()).containsExactlyInAnyOrder(true, false);
    });
  }

  /**
   * Deleting a device erases its readings and counts in Cassandra (the registry's erasure, through
   * the node's real reading store and command entities): the id registered again starts empty.
   */
  @Test
  @Order(7)
  void aDeviceRegisteredAgainUnderADeletedOnesIdStartsWithNoneOfItsReadings() throws Exception {
    register("t9", "thermometer", "lab", "room-9");
    MqttClient t9 = connect("t9");
    try {
      publishReading(t9, "t9", "{\"temperature\": 23.25}");
      await().atMost(SOON).untilAsserted(() -> assertThat(admin.get("/api/v1/devices/t9/readings").json().path("items"))
          .hasSize(1));
    } finally {
      disconnect(t9);
    }

    assertThat(configurer.delete("/api/v1/devices/t9").status()).isEqualTo(204);
    await().atMost(SOON).untilAsserted(() -> {
      Api.Response again = configurer.post("/api/v1/devices",
          "{\"id\": \"t9\", \"type\": \"thermometer\", \"location\": {\"site\": \"lab\", \"room\": \"room-9\"}}");
      if (again.status() == 409) {
        assertThat(again.body()).contains("still being erased");
        assertThat(again.json().path("errors").get(0).path("field").asText()).isEqualTo("id");
      }
      assertThat(again.status()).as(again.body()).isEqualTo(201);
      passwords.put("t9", again.json().path("credentials").path("password").asText());
    });

    assertThat(admin.get("/api/v1/devices/t9/readings").json().path("items")).isEmpty();
    assertThat(admin.get("/api/v1/devices/t9").json().path("activity").path("accepted").asLong()).isZero();
    // It counts from none: the old device's counters were not deleted (Cassandra may not count a deleted one again).
    MqttClient newT9 = connect("t9");
    try {
      publishReading(newT9, "t9", "{\"temperature\": 21.5}");
      await().atMost(SOON).untilAsserted(() ->
          assertThat(admin.get("/api/v1/devices/t9").json().path("activity").path("accepted").asLong()).isEqualTo(1));
    } finally {
      disconnect(newT9);
    }
  }

  // ---------------------------------------------------------------- helpers

  /** {@code POST /api/v1/sensor-types} with an example type's file from examples/devices, as shipped. */
  private static HttpResponse<String> createType(Api api, String file) throws Exception {
    String yaml = Files.readString(Path.of(System.getProperty("dcloud.examples"), "devices", file));
    return api.client().send(api.request("/api/v1/sensor-types").header("Content-Type", "application/yaml")
        .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.ofString(yaml)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static void assertField(JsonNode field, String type, String unit, double min, double max) {
    assertThat(field.path("type").asText()).as(field.toString()).isEqualTo(type);
    assertThat(field.path("unit").asText()).as(field.toString()).isEqualTo(unit);
    assertThat(field.path("min").asDouble()).as(field.toString()).isEqualTo(min);
    assertThat(field.path("max").asDouble()).as(field.toString()).isEqualTo(max);
  }

  /** The distinct ids of the set commands v1 received with {@code open}: a redelivered command counts once. */
  private static List<String> commandIds(List<JsonNode> commands, boolean open) {
    return commands.stream()
        .filter(command -> command.path("name").asText().equals("set") && command.path("params").path("open").asBoolean() == open)
        .map(command -> command.path("id").asText()).distinct().toList();
  }

  /** The thermostat's status, as its end user reads it through the gateway ({@code dcloud services call thermostat /}). */
  private static JsonNode thermostatStatus() {
    Api.Response status = endUser.get("/api/v1/services/" + THERMOSTAT + "/call/");
    assertThat(status.status()).as(status.body()).isEqualTo(200);
    return status.json();
  }

  private static void register(String id, String type, String site, String room) {
    Api.Response made = configurer.post("/api/v1/devices",
        "{\"id\": \"" + id + "\", \"type\": \"" + type + "\", \"location\": {\"site\": \"" + site + "\", \"room\": \"" + room + "\"}}");
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    JsonNode credentials = made.json().path("credentials");
    assertThat(credentials.path("username").asText()).isEqualTo("device-" + id);
    passwords.put(id, credentials.path("password").asText());
  }

  /** Connected as the device with the password its registration answered, once the broker knows it. */
  private static MqttClient connect(String device) {
    return DeviceMqtt.connectOnceAllowed(brokerUrl == null ? broker.url() : brokerUrl,
        "it-" + device + "-" + System.nanoTime(), device, passwords.get(device));
  }

  private static JsonNode appState() throws Exception {
    HttpResponse<String> answer = appCall("GET", "received", null);
    assertThat(answer.statusCode()).as(answer.body()).isEqualTo(200);
    return JSON.readTree(answer.body());
  }

  private static HttpResponse<String> appCall(String method, String path, String body) throws Exception {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(replicaUrl).resolve(path))
        .header("Authorization", admin.bearer()).timeout(Duration.ofSeconds(30));
    request = body == null ? request.GET()
        : request.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(body));
    return admin.client().send(request.build(), HttpResponse.BodyHandlers.ofString());
  }
}
