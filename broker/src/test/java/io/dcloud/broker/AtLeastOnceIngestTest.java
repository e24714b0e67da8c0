package io.dcloud.broker;

import static io.dcloud.broker.ReadingIngestTest.connectIngest;
import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.device.Reading;
import io.dcloud.device.ReadingStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.Collection;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The ingest against a real Mosquitto takes readings in at least once: a reading is acknowledged to
 * the broker only once it is stored, so what a gateway had not stored when its connection died is
 * handed to its next session (same client id, persistent session), with what arrived meanwhile.
 */
@Tag("mqtt")
class AtLeastOnceIngestTest {
  private static final Logger LOG = LoggerFactory.getLogger(AtLeastOnceIngestTest.class);
  private static MosquittoBroker broker;
  private static MqttConnection publisher;

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

  @Test
  void readingsNotStoredWhenTheConnectionDiedReachTheNextSessionOfTheSameClient() throws Exception {
    String clientId = "gateway-" + UUID.randomUUID();
    HeldReadingStore slow = new HeldReadingStore();
    ReadingIngest dying = ingest(slow, new SimpleMeterRegistry());
    MqttConnection dyingConnection = connectIngest(broker, dying, clientId);
    publishTemperatures(0, 30);
    await(() -> slow.writes.size() == 30, () -> "writes begun: " + slow.writes.size());

    cut(dyingConnection);
    // Published while no gateway is connected: the session keeps them.
    publishTemperatures(30, 50);
    RecordingReadingStore store = new RecordingReadingStore();
    ReadingIngest next = ingest(store, new SimpleMeterRegistry());
    MqttConnection nextConnection = connectIngest(broker, next, clientId);
    try {
      await(() -> temperatures(store.readings).size() == 50, () -> "stored: " + temperatures(store.readings));
      assertThat(temperatures(store.readings)).isEqualTo(range(0, 50));
    } finally {
      next.close();
      nextConnection.close();
    }
  }

  @Test
  void aReadingIsAcknowledgedOnlyOnceItsWriteCompleted() throws Exception {
    String clientId = "gateway-" + UUID.randomUUID();
    HeldReadingStore held = new HeldReadingStore();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ReadingIngest first = ingest(held, meters);
    MqttConnection firstConnection = connectIngest(broker, first, clientId);
    publishTemperatures(1, 2);
    await(() -> held.writes.size() == 1, () -> "writes begun: " + held.writes.size());
    assertThat(unacknowledged(meters)).as("held while its write runs").isEqualTo(1);
    held.release(1.0);
    publishTemperatures(2, 3);
    await(() -> held.writes.size() == 2, () -> "writes begun: " + held.writes.size());
    // A clean disconnect sends whatever acknowledgement Paho has queued before it goes.
    firstConnection.close();

    assertThat(redeliveredTo(clientId)).isEqualTo(Set.of(2.0));
  }

  @Test
  void aFailedWriteIsTriedAgainAndAfterTheLastAttemptCountedLostAndAcknowledged() throws Exception {
    String clientId = "gateway-" + UUID.randomUUID();
    HeldReadingStore failing = new HeldReadingStore();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    ReadingIngest first = ingest(failing, meters);
    MqttConnection firstConnection = connectIngest(broker, first, clientId);

    // Two failures, then a write that succeeds (the settings allow three attempts).
    failing.failing.set(2);
    publishTemperatures(1, 2);
    await(() -> failing.writes.size() == 3, () -> "attempts: " + failing.writes.size());
    failing.release(1.0);
    // Three failures: the reading is given up.
    failing.failing.set(3);
    publishTemperatures(2, 3);
    await(() -> lost(meters) == 1, () -> "lost: " + lost(meters));
    assertThat(failing.writes).hasSize(6);
    assertThat(meters.get("dcloud.device.readings").tag("outcome", "accepted").counter().count()).isEqualTo(2);
    // The loss is counted just before the acknowledgement is handed to Paho: close only after it.
    await(() -> unacknowledged(meters) == 0, () -> "unacknowledged: " + unacknowledged(meters));
    firstConnection.close();

    // Both were acknowledged: the stored one, and the lost one (else it would hold the session).
    assertThat(redeliveredTo(clientId)).isEmpty();
  }

  /**
   * Mosquitto 2.0.11 picks the member of a shared subscription for each message in turn, absent
   * ones with a persistent session included: their share is queued and handed over when they return.
   */
  @Test
  void aSharedSubscriptionKeepsTheShareOfAMemberThatIsAway() throws Exception {
    String away = "gateway-" + UUID.randomUUID();
    RecordingReadingStore store = new RecordingReadingStore();
    RecordingReadingStore returned = new RecordingReadingStore();
    ReadingIngest present = ingest(store, new SimpleMeterRegistry());
    MqttConnection presentConnection = connectIngest(broker, present, "gateway-" + UUID.randomUUID());
    ReadingIngest absent = ingest(new RecordingReadingStore(), new SimpleMeterRegistry());
    cut(connectIngest(broker, absent, away));
    try {
      publishTemperatures(0, 40);
      int whileAway = store.readings.size();
      ReadingIngest back = ingest(returned, new SimpleMeterRegistry());
      MqttConnection backConnection = connectIngest(broker, back, away);
      try {
        await(() -> temperatures(store.readings).size() + temperatures(returned.readings).size() >= 40,
            () -> "stored " + temperatures(store.readings) + " and on return " + temperatures(returned.readings));
        LOG.info("Of 40 readings, the present member took {} (by the time all were published: {}), the returning one {}",
            store.readings.size(), whileAway, returned.readings.size());
        Set<Double> all = temperatures(store.readings);
        all.addAll(temperatures(returned.readings));
        assertThat(all).isEqualTo(range(0, 40));
        assertThat(returned.readings).isNotEmpty();
      } finally {
        back.close();
        backConnection.close();
      }
    } finally {
      present.close();
      presentConnection.close();
    }
  }

  /** What a new session under {@code clientId} is handed before a reading published after it connected. */
  private Set<Double> redeliveredTo(String clientId) throws Exception {
    RecordingReadingStore store = new RecordingReadingStore();
    ReadingIngest next = ingest(store, new SimpleMeterRegistry());
    MqttConnection connection = connectIngest(broker, next, clientId);
    try {
      publishTemperatures(80, 81);
      // The broker sends a returning session what it holds before anything newer.
      await(() -> temperatures(store.readings).contains(80.0), () -> "stored: " + temperatures(store.readings));
      Set<Double> handed = temperatures(store.readings);
      handed.remove(80.0);
      return handed;
    } finally {
      next.close();
      connection.close();
    }
  }

  private static ReadingIngest ingest(ReadingStore store, SimpleMeterRegistry meters) {
    return new ReadingIngest(ReadingIngestTest.SETTINGS, () -> TestRegistry.VIEW, store, (device, ack) -> {},
        CompletableFuture::completedFuture, meters, Clock.systemUTC());
  }

  /** The gateway's process dies: the socket closes without a DISCONNECT and nothing more is acknowledged. */
  private static void cut(MqttConnection connection) throws Exception {
    connection.client().disconnectForcibly(0, 0, false);
    connection.close();
  }

  private static void publishTemperatures(int from, int to) throws Exception {
    for (int i = from; i < to; i++) {
      publisher.client().publish("dcloud/devices/thermo-1/readings",
          ("{\"temperature\": " + i + "}").getBytes(StandardCharsets.UTF_8), 1, false).waitForCompletion(10_000);
    }
  }

  private static double unacknowledged(SimpleMeterRegistry meters) {
    return meters.get("dcloud.device.messages.unacknowledged").gauge().value();
  }

  private static double lost(SimpleMeterRegistry meters) {
    return meters.get("dcloud.device.readings").tag("outcome", "lost").counter().count();
  }

  private static Set<Double> temperatures(Collection<Reading> readings) {
    return readings.stream().map(r -> (Double) r.values().get("temperature")).collect(Collectors.toSet());
  }

  private static Set<Double> range(int from, int to) {
    return IntStream.range(from, to).mapToObj(i -> (double) i).collect(Collectors.toSet());
  }

  private static void await(BooleanSupplier condition, java.util.function.Supplier<String> state) {
    Awaitility.await().atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(condition.getAsBoolean()).as(state).isTrue());
  }
}
