package io.dcloud.cli;

import static io.dcloud.cli.CliLogins.ok;
import static io.dcloud.cli.CliSensorTypesTest.readTree;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.broker.BrokerAccess;
import io.dcloud.broker.BrokerSettings;
import io.dcloud.broker.DynamicSecurity;
import io.dcloud.broker.MosquittoBroker;
import io.dcloud.broker.MqttConnection;
import io.dcloud.cli.common.ExitCodes;
import io.dcloud.gateway.GatewayTestCluster;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.Props;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dcloud devices simulate} against a real gateway and a real Mosquitto whose accounts the
 * real BrokerAccess keeps in line with the gateway's registry: every device the simulator registers
 * (or rotates) through the API logs in with its own credentials and publishes on its own topic; a
 * controller acknowledges commands.
 */
@Tag("mqtt")
class DevicesSimulateTest {
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static final Pattern PUBLISHED = Pattern.compile("summary: .*published=(\\d+) .*acked=(\\d+)");
  /** The test's own account, reading and writing all of dcloud/: it watches the devices and commands a controller. */
  private static final String WATCHER = "simulate-test-watcher";

  @TempDir
  static Path homes;

  private static MosquittoBroker broker;
  private static GatewayTestCluster cluster;
  private static MqttClient watcher;
  private static CliRunner admin;
  private static CliRunner conf;

  @BeforeAll
  static void start() throws Exception {
    broker = MosquittoBroker.start();
    cluster = new GatewayTestCluster("cli-simulate-test", broker.config());
    BrokerSettings settings = BrokerSettings.fromConfig(cluster.system().settings().config().getConfig("dcloud.broker"));
    watcherAccount(settings);
    cluster.system().systemActorOf(BrokerAccess.create(settings, cluster.deviceSecrets, cluster.deviceRegistry,
        cluster.registryChanges), "broker-access", Props.empty());
    watcher = new MqttClient(broker.url(), WATCHER, new MemoryPersistence());
    watcher.connect(options(WATCHER, WATCHER));
    CliLogins logins = new CliLogins(cluster, homes);
    admin = logins.admin();
    conf = logins.user("conf", "platform-configurer");
    ok(conf.runWithStdin("""
        {"name": "thermo", "kind": "sensor",
         "fields": {"temperature": {"type": "number", "unit": "C", "min": -20, "max": 50},
                    "humidity": {"type": "integer", "min": 0, "max": 100},
                    "door": {"type": "boolean"}, "state": {"type": "string"}}}""", "sensor-types", "create", "-f", "-"));
    ok(conf.runWithStdin("{\"name\": \"valve\", \"kind\": \"controller\", \"commands\": {\"open\": {\"params\": {}}}}",
        "sensor-types", "create", "-f", "-"));
  }

  /**
   * Made as the broker's admin before BrokerAccess starts: it gives the admin DCloud's role, which
   * drops the admin's connections once (see BrokerAccessTest).
   */
  private static void watcherAccount(BrokerSettings settings) throws Exception {
    try (MqttConnection connection = MqttConnection.connect(settings, "simulate-test-admin").toCompletableFuture()
        .get(WITHIN.toSeconds(), TimeUnit.SECONDS)) {
      DynamicSecurity dynsec = DynamicSecurity.over(connection, settings);
      dynsec.subscribe().toCompletableFuture().get(WITHIN.toSeconds(), TimeUnit.SECONDS);
      ObjectNode role = DynamicSecurity.command("createRole").put("rolename", WATCHER);
      for (String type : List.of("publishClientSend", "publishClientReceive", "subscribePattern")) {
        role.withArray("acls").addObject().put("acltype", type).put("topic", "dcloud/#").put("allow", true);
      }
      ObjectNode client = DynamicSecurity.command("createClient").put("username", WATCHER).put("password", WATCHER);
      client.withArray("roles").addObject().put("rolename", WATCHER);
      for (CompletionStage<JsonNode> done : dynsec.executeAll(List.of(role, client))) {
        done.toCompletableFuture().get(WITHIN.toSeconds(), TimeUnit.SECONDS);
      }
    }
  }

  @AfterAll
  static void stop() throws Exception {
    if (watcher != null) {
      watcher.disconnect();
      watcher.close();
    }
    if (cluster != null) {
      cluster.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  private static MqttConnectOptions options(String username, String password) {
    MqttConnectOptions options = new MqttConnectOptions();
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setUserName(username);
    options.setPassword(password.toCharArray());
    return options;
  }

  /** Whether the broker takes these credentials now. */
  private static boolean logsIn(String username, String password) throws MqttException {
    MqttClient client = new MqttClient(broker.url(), username + "-probe", new MemoryPersistence());
    try {
      client.connect(options(username, password));
      client.disconnect();
      return true;
    } catch (MqttException refused) {
      return false;
    } finally {
      client.close();
    }
  }

  @Test
  void devicesPublishTheirTypesFieldsOnTheirOwnTopicsWithTheirOwnCredentials() throws Exception {
    // One exists from an "earlier run": the simulator rotates its secret instead of registering it.
    String oldPassword = readTree(ok(conf.run("devices", "create", "--id", "sim-thermo-2", "--type", "thermo",
        "--site", "simulation", "-o", "json")).out()).path("credentials").path("password").asText();
    awaitUntil(() -> logsIn("device-sim-thermo-2", oldPassword), "the registered device's account at the broker");
    Map<String, List<JsonNode>> received = new ConcurrentHashMap<>();
    watcher.subscribe("dcloud/devices/+/readings", 1, (topic, message) ->
        received.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(readTree(
            new String(message.getPayload(), StandardCharsets.UTF_8))));
    long before = System.currentTimeMillis();

    CliRunner.Result run = admin.run("devices", "simulate", "--type", "thermo", "--count", "3", "--rate", "30",
        "--duration", "2");

    assertThat(run.status()).as(run.toString()).isZero();
    assertThat(run.out()).contains("registering 3 sensors of type thermo at site simulation")
        .contains("connected 3/3 to " + broker.url());
    long published = Long.parseLong(summary(run).group(1));
    assertThat(published).isPositive();
    // QoS 1 both ways: every reading the broker confirmed reaches a subscriber.
    awaitUntil(() -> received.values().stream().mapToLong(List::size).sum() == published, "every reading received");
    assertThat(received.keySet()).containsExactlyInAnyOrder(
        "dcloud/devices/sim-thermo-1/readings", "dcloud/devices/sim-thermo-2/readings", "dcloud/devices/sim-thermo-3/readings");
    long after = System.currentTimeMillis();
    assertThat(received.values()).allSatisfy(readings -> assertThat(readings).allSatisfy(reading -> {
      assertThat(reading.properties()).extracting(Map.Entry::getKey)
          .containsExactlyInAnyOrder("ts", "temperature", "humidity", "door", "state");
      assertThat(reading.get("ts").asLong()).isBetween(before, after);
      assertThat(reading.get("temperature").asDouble()).isBetween(-20.0, 50.0);
      assertThat(reading.get("humidity").isIntegralNumber()).isTrue();
      assertThat(reading.get("door").isBoolean()).isTrue();
      assertThat(reading.get("state").isTextual()).isTrue();
    }));

    // Registered through the API, by who ran it; the existing one kept (its secret rotated: the old one is refused).
    JsonNode listed = readTree(ok(conf.run("devices", "ls", "--type", "thermo", "--site", "simulation", "-o", "json"))
        .out()).path("items");
    assertThat(listed).extracting(d -> d.path("id").asText() + " by " + d.path("createdBy").asText())
        .containsExactlyInAnyOrder("sim-thermo-1 by admin", "sim-thermo-2 by conf", "sim-thermo-3 by admin");
    assertThat(listed).filteredOn(d -> d.path("createdBy").asText().equals("admin"))
        .allSatisfy(d -> assertThat(d.path("metadata").path("simulated").asText()).isEqualTo("true"));
    assertThat(logsIn("device-sim-thermo-2", oldPassword)).isFalse();
  }

  @Test
  void aControllerAcknowledgesEveryCommandItGets() throws Exception {
    BlockingQueue<JsonNode> acks = new LinkedBlockingQueue<>();
    watcher.subscribe("dcloud/devices/sim-valve-1/acks", 1, (topic, message) ->
        acks.add(readTree(new String(message.getPayload(), StandardCharsets.UTF_8))));

    CliRunner.Running running = admin.start("devices", "simulate", "--type", "valve", "--count", "1", "--rate", "1",
        "--duration", "8");
    byte[] command = "{\"id\": \"cmd-1\", \"name\": \"open\", \"params\": {}}".getBytes(StandardCharsets.UTF_8);
    JsonNode ack = null;
    Instant deadline = Instant.now().plus(WITHIN);
    // Sent again until answered, as DCloud redelivers: the controller subscribes once it has connected.
    while (ack == null && Instant.now().isBefore(deadline) && !running.result().isDone()) {
      watcher.publish("dcloud/devices/sim-valve-1/commands", command, 1, false);
      ack = acks.poll(200, TimeUnit.MILLISECONDS);
    }
    CliRunner.Result run = running.result().get(WITHIN.toSeconds(), TimeUnit.SECONDS);

    assertThat(ack).as(run.toString()).isNotNull();
    assertThat(ack.path("id").asText()).isEqualTo("cmd-1");
    assertThat(ack.path("ok").asBoolean()).isTrue();
    assertThat(run.status()).as(run.toString()).isZero();
    assertThat(run.out()).contains("registering 1 controller of type valve at site simulation");
    assertThat(Long.parseLong(summary(run).group(2))).isPositive();
  }

  @Test
  void anUnknownTypeIsNotFound() {
    CliRunner.Result run = admin.run("devices", "simulate", "--type", "nope", "--count", "1", "--rate", "1",
        "--duration", "1");

    assertThat(run.status()).as(run.toString()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(run.err()).contains("nope");
  }

  private static Matcher summary(CliRunner.Result run) {
    Matcher summary = PUBLISHED.matcher(run.out());
    assertThat(summary.find()).as(run.toString()).isTrue();
    return summary;
  }

  /** Polls until {@code condition} holds, failing after {@link #WITHIN}. */
  private static void awaitUntil(ThrowingCondition condition, String what) throws Exception {
    Instant deadline = Instant.now().plus(WITHIN);
    while (!condition.holds()) {
      assertThat(Instant.now()).as(what + " within " + WITHIN).isBefore(deadline);
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  private interface ThrowingCondition {
    boolean holds() throws Exception;
  }
}
