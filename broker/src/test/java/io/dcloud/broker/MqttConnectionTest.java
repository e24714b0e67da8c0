package io.dcloud.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.typesafe.config.ConfigFactory;
import io.dcloud.testing.LogCapture;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

@Tag("mqtt")
class MqttConnectionTest {

  static BrokerSettings settings(MosquittoBroker broker) {
    return BrokerSettings.fromConfig(ConfigFactory.parseMap(broker.config())
        .withFallback(ConfigFactory.load()).getConfig("dcloud.broker"));
  }

  @Test
  void connectsAsTheAdminRunsItsSubscriptionsAndIsClosedForGood() throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.start()) {
      LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
      AtomicInteger connects = new AtomicInteger();
      MqttConnection connection = MqttConnection.connect(settings(broker), "test", c -> {
        connects.incrementAndGet();
        try {
          c.client().subscribe("$SYS/broker/version", 0,
              (topic, message) -> received.add(new String(message.getPayload(), StandardCharsets.UTF_8)));
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
      }).toCompletableFuture().get(20, TimeUnit.SECONDS);

      assertThat(connection.connected()).isTrue();
      assertThat(connection.clientId()).startsWith("test-");
      assertThat(connects).hasValue(1);
      // $SYS/broker/version is retained by Mosquitto: the subscription made on connect gets it.
      assertThat(received.poll(20, TimeUnit.SECONDS)).startsWith("mosquitto version");

      connection.close();
      assertThat(connection.connected()).isFalse();
      assertThat(connection.client().isConnected()).isFalse();
    }
  }

  /** The broker drops the admin's connections when its roles change: back at once, so said, not warned. */
  @Test
  void aDropTheReconnectMendsAtOnceIsNoWarning() throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.start(); LogCapture logged = LogCapture.of(MqttConnection.class)) {
      AtomicInteger connects = new AtomicInteger();
      MqttConnection connection = MqttConnection.connect(settings(broker), "dropped", c -> connects.incrementAndGet())
          .toCompletableFuture().get(20, TimeUnit.SECONDS);
      MqttConnection admin = MqttConnection.connect(settings(broker), "roles").toCompletableFuture().get(20, TimeUnit.SECONDS);
      try {
        DynamicSecurity dynsec = DynamicSecurity.over(admin, settings(broker));
        dynsec.subscribe().toCompletableFuture().get(20, TimeUnit.SECONDS);
        dynsec.executeAll(List.of(DynamicSecurity.command("createRole").put("rolename", "dropping"),
            DynamicSecurity.command("addClientRole").put("username", MosquittoBroker.ADMIN).put("rolename", "dropping")));

        await().atMost(Duration.ofSeconds(30)).until(() -> connects.get() == 2 && connection.connected());
        assertThat(logged.messages(Level.INFO)).anySatisfy(message -> assertThat(message).contains("lost its connection"));
        assertThat(logged.messages(Level.WARN)).isEmpty();
      } finally {
        admin.close();
        connection.close();
      }
    }
  }

  @Test
  void aBrokerThatIsNotThereIsWarnedOfAtTheFirstSecondAndFourthTryAndTheConnectSaysHowManyFailed() throws Exception {
    int port = MosquittoBroker.freePort();
    String password = "late-broker-password";
    BrokerSettings settings = BrokerSettings.fromConfig(ConfigFactory.parseMap(Map.of(
            "dcloud.broker.host", "127.0.0.1", "dcloud.broker.port", port,
            "dcloud.broker.admin-username", MosquittoBroker.ADMIN, "dcloud.broker.admin-password", password,
            "dcloud.broker.reconnect-max-delay", "1s"))
        .withFallback(ConfigFactory.load()).getConfig("dcloud.broker"));
    try (LogCapture logged = LogCapture.of(MqttConnection.class)) {
      MqttConnection connection = MqttConnection.open(settings, "late", c -> {});
      try {
        await().atMost(Duration.ofSeconds(30)).until(() -> failedTries(logged.messages(Level.DEBUG)).size() >= 5);
        // Every try at DEBUG; at WARN only the first, second and fourth (then the eighth, ...).
        assertThat(failedTries(logged.messages(Level.DEBUG))).startsWith(1, 2, 3, 4, 5);
        assertThat(failedTries(logged.messages(Level.WARN))).startsWith(1, 2, 4).doesNotContain(3, 5, 6, 7);
        assertThat(logged.messages(Level.WARN)).first().asString().contains("the next warning at 2");

        try (MosquittoBroker broker = MosquittoBroker.start(port, password)) {
          await().atMost(Duration.ofSeconds(30)).until(connection::connected);
          assertThat(logged.messages(Level.INFO)).anySatisfy(message ->
              assertThat(message).containsPattern("connected to tcp://127.0.0.1:" + port + " as dcloud-admin after \\d+ failed tries"));
        }
      } finally {
        connection.close();
      }
    }
  }

  private static List<Integer> failedTries(List<String> messages) {
    return messages.stream().map(FAILED_TRIES::matcher).filter(Matcher::find)
        .map(matcher -> Integer.parseInt(matcher.group(1))).toList();
  }

  private static final Pattern FAILED_TRIES = Pattern.compile("cannot connect .*\\(failed tries: (\\d+)");
}
