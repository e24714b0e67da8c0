package io.dcloud.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.device.DeviceCommand;
import io.dcloud.device.DeviceCommands;
import io.dcloud.device.Reading;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.awaitility.Awaitility;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The ingest against a real Mosquitto: readings kept or dropped with their reason, acks, apps' commands. */
@Tag("mqtt")
class ReadingIngestTest {
  static final IngestSettings SETTINGS =
      new IngestSettings("test-ingest", 256, Duration.ofMinutes(5), 3, Duration.ofMillis(10));
  private static MosquittoBroker broker;
  private static MqttConnection publisher;

  private final RecordingReadingStore store = new RecordingReadingStore();
  private final List<Map.Entry<String, DeviceCommands.Acknowledge>> acks = new CopyOnWriteArrayList<>();
  private final List<DeviceCommand> issued = new CopyOnWriteArrayList<>();
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final LinkedBlockingQueue<Reading> processed = new LinkedBlockingQueue<>();
  private ReadingIngest ingest;
  private MqttConnection ingestConnection;
  private MqttConnection observer;

  @BeforeAll
  static void startBroker() throws Exception {
    broker = MosquittoBroker.start();
    AdminGrants.grant(broker);
    publisher = MqttConnection.connect(MqttConnectionTest.settings(broker), "test-publisher")
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stopBroker() {
    if (publisher != null) {
      publisher.close();
    }
    if (broker != null) {
      broker.close();
    }
  }

  @BeforeEach
  void startIngest() throws Exception {
    observer = MqttConnection.connect(MqttConnectionTest.settings(broker), "test-observer")
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    observer.client().subscribe("dcloud/readings/#", 1,
        (topic, message) -> processed.add(ProcessedReadings.fromJson(message.getPayload()))).waitForCompletion(10_000);
    ingest = new ReadingIngest(SETTINGS, () -> TestRegistry.VIEW, store,
        (device, ack) -> acks.add(Map.entry(device, ack)), this::issue, meters, Clock.systemUTC());
    ingestConnection = connectIngest(broker, ingest, "test-ingest-" + UUID.randomUUID());
  }

  private CompletionStage<?> issue(DeviceCommand command) {
    issued.add(command);
    return CompletableFuture.completedFuture(command);
  }

  /** A connection as DCloud's gateways make it (persistent, acknowledging by hand), with {@code ingest} subscribed. */
  static MqttConnection connectIngest(MosquittoBroker broker, ReadingIngest ingest, String clientId) throws Exception {
    CompletableFuture<Done> subscribed = new CompletableFuture<>();
    MqttConnection connection = MqttConnection.openPersistent(MqttConnectionTest.settings(broker), clientId,
        c -> ingest.subscribe(c).whenComplete((done, failure) -> {
          if (failure == null) {
            subscribed.complete(done);
          } else {
            subscribed.completeExceptionally(failure);
          }
        }));
    try {
      subscribed.get(20, TimeUnit.SECONDS);
    } catch (Exception e) {
      connection.close();
      throw e;
    }
    return connection;
  }

  @AfterEach
  void stopIngest() {
    ingest.close();
    ingestConnection.close();
    observer.close();
  }

  @Test
  void aValidReadingIsStoredAndRepublishedProcessed() throws Exception {
    Instant before = Instant.now();
    publish("dcloud/devices/thermo-1/readings", "{\"temperature\": 21.5, \"humidity\": 40, \"ok\": true, \"mode\": \"eco\"}");

    Reading reading = processed.poll(20, TimeUnit.SECONDS);
    assertThat(reading).isNotNull();
    assertThat(reading.device()).isEqualTo("thermo-1");
    assertThat(reading.type()).isEqualTo("thermo");
    assertThat(reading.values()).isEqualTo(Map.of("temperature", 21.5, "humidity", 40L, "ok", true, "mode", "eco"));
    assertThat(reading.receivedAt()).isBetween(before, Instant.now());
    assertThat(reading.at()).isEqualTo(reading.receivedAt());
    awaitSize(store.readings, 1);
    assertThat(store.readings.get(0)).isEqualTo(reading);
    assertThat(counted("accepted")).isEqualTo(1);
    assertThat(store.rejections).isEmpty();
  }

  @Test
  void aDevicePublishingWithItsOwnCredentialsIsIngested() throws Exception {
    AdminGrants.device(broker, "thermo-2", "secret-2");
    MqttClient device = new MqttClient(broker.url(), "thermo-2", new MemoryPersistence());
    try {
      device.connect(MosquittoBrokerTest.options("device-thermo-2", "secret-2"));
      device.publish("dcloud/devices/thermo-2/readings", "{\"temperature\": 19.5}".getBytes(StandardCharsets.UTF_8), 1, false);
      device.disconnect();
    } finally {
      device.close(true);
    }

    Reading reading = processed.poll(20, TimeUnit.SECONDS);
    assertThat(reading).isNotNull();
    assertThat(reading.device()).isEqualTo("thermo-2");
    assertThat(reading.values()).isEqualTo(Map.of("temperature", 19.5));
    awaitSize(store.readings, 1);
  }

  @Test
  void invalidReadingsAreDroppedWithTheirReasonRecordedOnTheDevice() throws Exception {
    publish("dcloud/devices/thermo-1/readings", "{\"temperature\": 20, \"x\": 1}");
    publish("dcloud/devices/thermo-1/readings", "{\"temperature\": \"hot\"}");
    publish("dcloud/devices/thermo-1/readings", "{\"temperature\": 100}");
    publish("dcloud/devices/thermo-1/readings", "{\"humidity\": 4.5}");
    publish("dcloud/devices/thermo-1/readings", "{oops");
    publish("dcloud/devices/thermo-1/readings", "[1, 2]");
    publish("dcloud/devices/thermo-1/readings", "{}");
    publish("dcloud/devices/thermo-1/readings", "{\"mode\": \"" + "x".repeat(300) + "\"}");
    publish("dcloud/devices/thermo-off/readings", "{\"temperature\": 20}");
    publish("dcloud/devices/ghost/readings", "{\"temperature\": 20}");
    // Then a good one: the ingest is still taking messages, and nothing before it was republished.
    publish("dcloud/devices/thermo-2/readings", "{\"temperature\": 20}");

    Reading sentinel = processed.poll(20, TimeUnit.SECONDS);
    assertThat(sentinel).isNotNull();
    assertThat(sentinel.device()).isEqualTo("thermo-2");
    awaitSize(store.rejections, 9);
    assertThat(store.rejections).extracting(RecordingReadingStore.Rejection::reason).containsExactlyInAnyOrder(
        "unknown field \"x\" (declared: humidity, mode, ok, temperature)",
        "field \"temperature\": expected a number, got \"hot\"",
        "field \"temperature\": 100 is above its maximum 85",
        "field \"humidity\": expected an integer, got 4.5",
        "not JSON: Unexpected character ('o' (code 111)): was expecting double-quote to start field name",
        "expected a JSON object",
        "no field of the type (declared: humidity, mode, ok, temperature)",
        "payload of 312 bytes exceeds the maximum of 256",
        "device is disabled");
    assertThat(store.rejections).filteredOn(r -> r.device().equals("thermo-off")).hasSize(1);
    assertThat(store.rejections).noneMatch(r -> r.device().equals("ghost"));
    assertThat(store.readings).extracting(Reading::device).containsExactly("thermo-2");
    assertThat(counted("rejected")).isEqualTo(10);
    assertThat(counted("accepted")).isEqualTo(1);
  }

  @Test
  void theDevicesOwnTimeIsKeptWithinTheClockSkewAndABadOneIsRejected() throws Exception {
    Instant iso = Instant.now().minusSeconds(30).truncatedTo(ChronoUnit.MILLIS);
    Instant millis = Instant.now().minusSeconds(20).truncatedTo(ChronoUnit.MILLIS);
    Instant tooOld = Instant.now().minus(Duration.ofHours(1));
    publish("dcloud/devices/thermo-1/readings", "{\"ts\": \"" + iso + "\", \"temperature\": 1}");
    publish("dcloud/devices/thermo-1/readings", "{\"ts\": " + millis.toEpochMilli() + ", \"temperature\": 2}");
    publish("dcloud/devices/thermo-1/readings", "{\"ts\": \"" + tooOld + "\", \"temperature\": 3}");
    publish("dcloud/devices/thermo-1/readings", "{\"ts\": \"yesterday\", \"temperature\": 4}");

    Map<Object, Reading> byValue = new java.util.HashMap<>();
    for (int i = 0; i < 3; i++) {
      Reading reading = processed.poll(20, TimeUnit.SECONDS);
      assertThat(reading).isNotNull();
      byValue.put(reading.values().get("temperature"), reading);
    }
    assertThat(byValue.get(1.0).at()).isEqualTo(iso);
    assertThat(byValue.get(2.0).at()).isEqualTo(millis);
    assertThat(byValue.get(3.0).at()).isEqualTo(byValue.get(3.0).receivedAt());
    assertThat(byValue.get(1.0).values()).doesNotContainKey("ts");
    awaitSize(store.rejections, 1);
    assertThat(store.rejections.get(0).reason())
        .isEqualTo("field \"ts\": expected an ISO-8601 time or epoch milliseconds, got \"yesterday\"");
    // The delay is measured only for the device times believed.
    assertThat(meters.get("dcloud.device.reading.delay").timer().count()).isEqualTo(2);
    assertThat(meters.get("dcloud.device.reading.delay").timer().totalTime(TimeUnit.SECONDS)).isGreaterThanOrEqualTo(50);
  }

  @Test
  void acknowledgementsReachTheCallbackAndMalformedOnesAreDropped() throws Exception {
    publish("dcloud/devices/valve-1/acks", "{\"id\": \"c1\"}");
    publish("dcloud/devices/valve-1/acks", "not json");
    publish("dcloud/devices/valve-1/acks", "{\"id\": \"c2\", \"ok\": false, \"message\": \"stuck\"}");
    publish("dcloud/devices/valve-2/acks", "{\"id\": \"c3\", \"ok\": true}");

    awaitSize(acks, 2);
    assertThat(acks).containsExactlyInAnyOrder(
        Map.entry("valve-1", new DeviceCommands.Acknowledge("c2", false, "stuck")),
        Map.entry("valve-2", new DeviceCommands.Acknowledge("c3", true, null)));
  }

  @Test
  void appsCommandOnlyTheirBoundControllersWithValidCommands() throws Exception {
    Instant before = Instant.now();
    publish("dcloud/services/greenhouse/commands/valve-2", "{\"name\": \"set\", \"params\": {\"position\": 50}}");
    publish("dcloud/services/other/commands/valve-1", "{\"name\": \"set\", \"params\": {\"position\": 50}}");
    publish("dcloud/services/greenhouse/commands/thermo-1", "{\"name\": \"set\", \"params\": {\"position\": 50}}");
    publish("dcloud/services/greenhouse/commands/valve-1", "{\"name\": \"open\"}");
    publish("dcloud/services/greenhouse/commands/valve-1", "{\"name\": \"set\", \"params\": {\"position\": 500}}");
    publish("dcloud/services/greenhouse/commands/valve-1", "{\"name\": \"set\"}");
    publish("dcloud/services/greenhouse/commands/valve-1", "{\"name\": \"set\", \"params\": {\"position\": 50}}");
    publish("dcloud/services/greenhouse/commands/valve-1", "{\"name\": \"close\"}");

    awaitSize(issued, 2);
    assertThat(issued).extracting(DeviceCommand::name).containsExactlyInAnyOrder("set", "close");
    DeviceCommand set = issued.stream().filter(c -> c.name().equals("set")).findFirst().orElseThrow();
    assertThat(set.device()).isEqualTo("valve-1");
    assertThat(set.params()).isEqualTo("{\"position\":50}");
    assertThat(set.issuedBy()).isEqualTo("service:greenhouse");
    assertThat(set.status()).isEqualTo(DeviceCommand.Status.PENDING);
    assertThat(set.attempts()).isZero();
    assertThat(set.issuedAt()).isBetween(before, Instant.now());
    assertThat(set.id()).isNotBlank();
    // Counted once the entity confirmed the command, which is after the callback saw it.
    awaitCount("dcloud.device.app.commands", "issued", 2);
    awaitCount("dcloud.device.app.commands", "dropped", 6);
  }

  @Test
  void gatewaysShareTheReadings() throws Exception {
    SimpleMeterRegistry otherMeters = new SimpleMeterRegistry();
    ReadingIngest other = new ReadingIngest(SETTINGS, () -> TestRegistry.VIEW, store, (d, a) -> {},
        CompletableFuture::completedFuture, otherMeters, Clock.systemUTC());
    MqttConnection otherConnection = connectIngest(broker, other, "test-ingest-other");
    try {
      for (int i = 0; i < 20; i++) {
        publish("dcloud/devices/thermo-1/readings", "{\"temperature\": " + i + "}");
      }
      awaitSize(store.readings, 20);
      double mine = counted("accepted");
      double theirs = otherMeters.get("dcloud.device.readings").tag("outcome", "accepted").counter().count();
      // Each reading went to one of the two (a plain subscription would give each all 20).
      assertThat(mine + theirs).isEqualTo(20);
      assertThat(mine).isPositive();
      assertThat(theirs).isPositive();
    } finally {
      other.close();
      otherConnection.close();
    }
  }

  private double counted(String outcome) {
    return meters.get("dcloud.device.readings").tag("outcome", outcome).counter().count();
  }

  private void awaitCount(String name, String outcome, double expected) {
    Awaitility.await().atMost(Duration.ofSeconds(20))
        .until(() -> meters.get(name).tag("outcome", outcome).counter().count() >= expected);
    assertThat(meters.get(name).tag("outcome", outcome).counter().count()).isEqualTo(expected);
  }

  static void awaitSize(List<?> list, int size) {
    Awaitility.await().atMost(Duration.ofSeconds(20)).until(() -> list.size() >= size);
    assertThat(list).hasSize(size);
  }

  private static void publish(String topic, String payload) throws Exception {
    publisher.client().publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false).waitForCompletion(10_000);
  }
}
