package io.dcloud.broker;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * A device's or an app's MQTT client in the tests (Paho, MQTT 3.1.1, no automatic reconnect):
 * what it receives queues up as "topic payload" lines, and lost connections are counted.
 */
final class DeviceClient implements AutoCloseable {
  private final MqttClient client;
  final LinkedBlockingQueue<String> received = new LinkedBlockingQueue<>();
  final AtomicInteger lost = new AtomicInteger();

  private DeviceClient(MqttClient client) {
    this.client = client;
  }

  /** Connects or throws MqttException (refused credentials: reason code 4 or 5). */
  static DeviceClient connect(MosquittoBroker broker, String username, String password) throws MqttException {
    MqttClient client = new MqttClient(broker.url(), username + "-" + System.nanoTime(), new MemoryPersistence());
    DeviceClient device = new DeviceClient(client);
    client.setCallback(new MqttCallback() {
      @Override
      public void connectionLost(Throwable cause) {
        device.lost.incrementAndGet();
      }

      @Override
      public void messageArrived(String topic, MqttMessage message) {
        device.received.add(topic + " " + new String(message.getPayload(), StandardCharsets.UTF_8));
      }

      @Override
      public void deliveryComplete(IMqttDeliveryToken token) {}
    });
    try {
      client.connect(MosquittoBrokerTest.options(username, password));
    } catch (MqttException e) {
      client.close();
      throw e;
    }
    return device;
  }

  /** The QoS the broker granted: 0x80 when it refused. */
  int subscribe(String topic) throws MqttException {
    try {
      IMqttToken token = client.subscribeWithResponse(topic, 1);
      return token.getGrantedQos()[0];
    } catch (MqttException e) {
      if (e.getReasonCode() == MqttException.REASON_CODE_SUBSCRIBE_FAILED) {
        return 0x80;
      }
      throw e;
    }
  }

  void publish(String topic, String payload) throws MqttException {
    client.publish(topic, payload.getBytes(StandardCharsets.UTF_8), 1, false);
  }

  /** The next message received within 10 s, or null. */
  String next() throws InterruptedException {
    return received.poll(10, TimeUnit.SECONDS);
  }

  boolean connected() {
    return client.isConnected();
  }

  @Override
  public void close() {
    try {
      if (client.isConnected()) {
        client.disconnect();
      }
      client.close();
    } catch (MqttException e) {
      // Already gone: the broker may have dropped it (what some tests check).
    }
  }
}
