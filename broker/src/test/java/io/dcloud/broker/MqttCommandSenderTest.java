package io.dcloud.broker;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Commands reach the controller's topic at QoS 1, not retained. */
@Tag("mqtt")
class MqttCommandSenderTest {

  @Test
  void aSentCommandArrivesOnTheControllersTopic() throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.start()) {
      AdminGrants.grant(broker);
      try (MqttConnection controller = MqttConnection.connect(MqttConnectionTest.settings(broker), "test-controller")
              .toCompletableFuture().get(20, TimeUnit.SECONDS);
          MqttConnection dcloud = MqttConnection.connect(MqttConnectionTest.settings(broker), "test-commands")
              .toCompletableFuture().get(20, TimeUnit.SECONDS)) {
        LinkedBlockingQueue<MqttMessage> received = new LinkedBlockingQueue<>();
        controller.client().subscribe("dcloud/devices/valve-1/commands", 1, (topic, message) -> received.add(message))
            .waitForCompletion(10_000);
        String payload = "{\"id\":\"c1\",\"name\":\"set\",\"params\":{\"position\":50}}";

        Done done = new MqttCommandSender(dcloud).send("valve-1", payload)
            .toCompletableFuture().get(20, TimeUnit.SECONDS);

        assertThat(done).isEqualTo(Done.getInstance());
        MqttMessage message = received.poll(20, TimeUnit.SECONDS);
        assertThat(message).isNotNull();
        assertThat(new String(message.getPayload(), StandardCharsets.UTF_8)).isEqualTo(payload);
        assertThat(message.getQos()).isEqualTo(1);
        assertThat(message.isRetained()).isFalse();
      }
    }
  }

  @Test
  void aSendOnAClosedConnectionFails() throws Exception {
    try (MosquittoBroker broker = MosquittoBroker.start()) {
      MqttConnection dcloud = MqttConnection.connect(MqttConnectionTest.settings(broker), "test-commands")
          .toCompletableFuture().get(20, TimeUnit.SECONDS);
      dcloud.close();

      assertThat(new MqttCommandSender(dcloud).send("valve-1", "{}").toCompletableFuture())
          .failsWithin(20, TimeUnit.SECONDS);
    }
  }
}
