package io.dcloud.broker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The fixture itself: the admin logs in, a stranger does not. */
@Tag("mqtt")
class MosquittoBrokerTest {

  @Test
  void admitsTheAdminAndRefusesStrangers() throws MqttException {
    try (MosquittoBroker broker = MosquittoBroker.start()) {
      MqttClient admin = new MqttClient(broker.url(), "admin-test", new MemoryPersistence());
      admin.connect(options(broker.adminUsername(), broker.adminPassword()));
      assertThat(admin.isConnected()).isTrue();
      admin.disconnect();
      admin.close();

      MqttClient stranger = new MqttClient(broker.url(), "stranger", new MemoryPersistence());
      assertThatThrownBy(() -> stranger.connect(options("nobody", "wrong")))
          .isInstanceOf(MqttException.class)
          .satisfies(e -> assertThat(((MqttException) e).getReasonCode())
              .isIn((int) MqttException.REASON_CODE_NOT_AUTHORIZED, (int) MqttException.REASON_CODE_FAILED_AUTHENTICATION));
      stranger.close();
    }
  }

  static MqttConnectOptions options(String username, String password) {
    MqttConnectOptions options = new MqttConnectOptions();
    // 3.1.1 only: Paho would fall back to 3.1, whose SUBACK cannot say a subscription was refused.
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setUserName(username);
    options.setPassword(password.toCharArray());
    options.setCleanSession(true);
    return options;
  }
}
