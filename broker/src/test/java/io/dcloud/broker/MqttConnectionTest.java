package io.dcloud.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
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
}
