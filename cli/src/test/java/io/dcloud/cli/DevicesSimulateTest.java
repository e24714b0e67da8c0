package io.dcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.broker.MosquittoBroker;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code dcloud devices simulate} against a real Mosquitto: every device logs in with the
 * credentials the API gave it and publishes on its own topic; a controller acknowledges commands.
 */
@Tag("mqtt")
class DevicesSimulateTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Duration WITHIN = Duration.ofSeconds(30);
  private static final Pattern PUBLISHED = Pattern.compile("summary: .*published=(\\d+) .*acked=(\\d+)");

  private static MosquittoBroker broker;
  private static FakeDevicesApi api;
  private static MqttClient watcher;

  @BeforeAll
  static void start() throws Exception {
    broker = MosquittoBroker.start();
    api = new FakeDevicesApi(broker, Map.of(
        "thermo", JSON.readTree("""
            {"name": "thermo", "kind": "sensor", "commands": {},
             "fields": {"temperature": {"type": "number", "unit": "C", "min": -20, "max": 50},
                        "humidity": {"type": "integer", "min": 0, "max": 100},
                        "door": {"type": "boolean"}, "state": {"type": "string"}}}"""),
        "valve", JSON.readTree("""
            {"name": "valve", "kind": "controller", "fields": {}, "commands": {"open": {"params": {}}}}""")));
    watcher = new MqttClient(broker.url(), "simulate-test-watcher", new MemoryPersistence());
    watcher.connect(api.watcher());
  }

  @AfterAll
  static void stop() throws Exception {
    if (watcher != null) {
      watcher.disconnect();
      watcher.close();
    }
    if (api != null) {
      api.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @Test
  void devicesPublishTheirTypesFieldsOnTheirOwnTopicsWithTheirOwnCredentials() throws Exception {
    // One exists from an "earlier run": the simulator rotates its secret instead of registering it.
    String oldPassword = api.register("sim-thermo-2", "thermo").path("password").asText();
    Map<String, List<JsonNode>> received = new ConcurrentHashMap<>();
    watcher.subscribe("dcloud/devices/+/readings", 1, (topic, message) ->
        received.computeIfAbsent(topic, t -> new CopyOnWriteArrayList<>()).add(JSON.readTree(message.getPayload())));
    long before = System.currentTimeMillis();

    Run run = simulate("--type", "thermo", "--count", "3", "--rate", "30", "--duration", "2");

    assertThat(run.status()).as(run.toString()).isZero();
    assertThat(run.out()).contains("connected 3/3 to " + broker.url());
    long published = Long.parseLong(summary(run).group(1));;
    assertThat(published).isPositive();
    // QoS 1 both ways: every reading the broker confirmed reaches a subscriber.
    awaitUntil(() -> received.values().stream().mapToLong(List::size).sum() == published);
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

    assertThat(api.rotated()).containsExactly("sim-thermo-2");
    MqttClient stale = new MqttClient(broker.url(), "device-sim-thermo-2", new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setUserName("device-sim-thermo-2");
    options.setPassword(oldPassword.toCharArray());
    assertThatThrownBy(() -> stale.connect(options)).isInstanceOf(MqttException.class);
    stale.close();
  }

  @Test
  void aControllerAcknowledgesEveryCommandItGets() throws Exception {
    BlockingQueue<JsonNode> acks = new LinkedBlockingQueue<>();
    watcher.subscribe("dcloud/devices/sim-valve-1/acks", 1, (topic, message) -> acks.add(JSON.readTree(message.getPayload())));

    CompletableFuture<Run> running = CompletableFuture.supplyAsync(() ->
        simulate("--type", "valve", "--count", "1", "--rate", "1", "--duration", "8"));
    byte[] command = "{\"id\": \"cmd-1\", \"name\": \"open\", \"params\": {}}".getBytes(StandardCharsets.UTF_8);
    JsonNode ack = null;
    Instant deadline = Instant.now().plus(WITHIN);
    // Sent again until answered, as DCloud redelivers: the controller subscribes once it has connected.
    while (ack == null && Instant.now().isBefore(deadline) && !running.isDone()) {
      watcher.publish("dcloud/devices/sim-valve-1/commands", command, 1, false);
      ack = acks.poll(200, TimeUnit.MILLISECONDS);
    }
    Run run = running.get(WITHIN.toSeconds(), TimeUnit.SECONDS);

    assertThat(ack).as(run.toString()).isNotNull();
    assertThat(ack.path("id").asText()).isEqualTo("cmd-1");
    assertThat(ack.path("ok").asBoolean()).isTrue();
    assertThat(run.status()).as(run.toString()).isZero();
    assertThat(Long.parseLong(summary(run).group(2))).isPositive();
  }

  @Test
  void anUnknownTypeIsNotFound() {
    Run run = simulate("--type", "nope", "--count", "1", "--rate", "1", "--duration", "1");

    assertThat(run.status()).as(run.toString()).isEqualTo(ExitCodes.NOT_FOUND);
    assertThat(run.err()).contains("no such type");
  }

  private static Matcher summary(Run run) {
    Matcher summary = PUBLISHED.matcher(run.out());
    assertThat(summary.find()).as(run.toString()).isTrue();
    return summary;
  }

  private static void awaitUntil(java.util.function.BooleanSupplier condition) throws InterruptedException {
    Instant deadline = Instant.now().plus(WITHIN);
    while (!condition.getAsBoolean()) {
      assertThat(Instant.now()).as("not within " + WITHIN).isBefore(deadline);
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  record Run(int status, String out, String err) {
    @Override
    public String toString() {
      return "exit " + status + "\n--- out\n" + out + "--- err\n" + err;
    }
  }

  /**
   * {@code dcloud --api <fake> devices simulate ...} in this JVM. The {@code devices} command is
   * another change's (DevicesCommand): until it lists {@code simulate}, it is registered here.
   */
  private static Run simulate(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CliIo io = new CliIo(new ByteArrayInputStream(new byte[0]), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8),
        Map.of("DCLOUD_TOKEN", FakeDevicesApi.TOKEN, "XDG_CONFIG_HOME", "/nonexistent"), false);
    CommandLine cli = Cli.commandLine(io);
    CommandLine devices = cli.getSubcommands().get("devices");
    if (devices == null) {
      devices = new CommandLine(new Devices());
      cli.addSubcommand("devices", devices);
    }
    if (!devices.getSubcommands().containsKey("simulate")) {
      devices.addSubcommand(new DevicesSimulateCommand());
    }
    String[] line = new String[args.length + 4];
    line[0] = "--api";
    line[1] = api.base().toString();
    line[2] = "devices";
    line[3] = "simulate";
    System.arraycopy(args, 0, line, 4, args.length);
    int status = cli.execute(line);
    return new Run(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Command(name = "devices")
  static final class Devices {}
}
