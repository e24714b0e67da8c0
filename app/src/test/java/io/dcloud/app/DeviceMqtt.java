package io.dcloud.app;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A device's own MQTT connection (Eclipse Paho) to the broker DCloud administers, as the devices
 * tests make it: signed in as device-{id} with the password its registration answered, and what it
 * publishes (QoS 1, never retained).
 */
final class DeviceMqtt {
  /** DCloud gives the broker a new device's account a moment after the API answered (BrokerAccess follows the registry). */
  private static final Duration ALLOWED_WITHIN = Duration.ofSeconds(30);

  private DeviceMqtt() {}

  /** Connected as device now, or refused with the broker's MqttException. */
  static MqttClient connect(String brokerUrl, String clientId, String device, String password) throws MqttException {
    MqttClient client = new MqttClient(brokerUrl, clientId, new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    // 3.1.1 only: Paho would fall back to 3.1, whose SUBACK cannot say a subscription was refused.
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setUserName("device-" + device);
    options.setPassword(password.toCharArray());
    options.setCleanSession(true);
    try {
      client.connect(options);
    } catch (MqttException refused) {
      client.close();
      throw refused;
    }
    return client;
  }

  /** Connected as device once the broker knows it. */
  static MqttClient connectOnceAllowed(String brokerUrl, String clientId, String device, String password) {
    MqttClient[] connected = new MqttClient[1];
    await().atMost(ALLOWED_WITHIN).ignoreExceptionsInstanceOf(MqttException.class).until(() -> {
      connected[0] = connect(brokerUrl, clientId, device, password);
      return true;
    });
    return connected[0];
  }

  /** Whether the broker lets device in with password now. */
  static boolean letsIn(String brokerUrl, String clientId, String device, String password) {
    try {
      disconnect(connect(brokerUrl, clientId, device, password));
      return true;
    } catch (MqttException refused) {
      return false;
    }
  }

  static void publish(MqttClient client, String topic, String payload) throws MqttException {
    client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
  }

  /** A reading, on the device's own readings topic. */
  static void publishReading(MqttClient client, String device, String json) throws MqttException {
    publish(client, "dcloud/devices/" + device + "/readings", json);
  }

  static void disconnect(MqttClient client) throws MqttException {
    client.disconnect();
    client.close();
  }
}
