package io.dcloud.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallback;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The app's side of the devices benchmark: logged in to the broker as the app's own account
 * ({@code service-<name>}, its replica's DCLOUD_MQTT_PASSWORD), subscribed to each bound device's
 * processed readings ({@code dcloud/readings/<id>}), it takes, for every reading that arrives, the
 * time from the device's publish ({@code at}: the device's own {@code ts}) to now, in milliseconds.
 * Devices and this JVM share one machine, so one clock. Paho delivers on one callback thread, the
 * only writer of the samples.
 */
final class ReadingLatencies implements MqttCallback, AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  /** Topics per SUBSCRIBE packet. */
  private static final int TOPICS_PER_SUBSCRIBE = 100;

  private final MqttAsyncClient client;
  private long[] millis = new long[1 << 16];
  private volatile int received;
  private volatile int unreadable;

  ReadingLatencies(String broker, String service, String password) throws MqttException {
    client = new MqttAsyncClient(broker, "bench-" + service, new MemoryPersistence());
    client.setCallback(this);
    MqttConnectOptions options = new MqttConnectOptions();
    // 3.1.1 only: Paho would fall back to 3.1, whose SUBACK cannot say a subscription was refused.
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setUserName("service-" + service);
    options.setPassword(password.toCharArray());
    options.setCleanSession(true);
    options.setMaxInflight(1000);
    client.connect(options).waitForCompletion(TimeUnit.SECONDS.toMillis(30));
  }

  /** Subscribes (QoS 1) to the processed readings of these devices; fails when the broker refuses one. */
  void subscribe(List<String> devices) throws MqttException {
    for (int from = 0; from < devices.size(); from += TOPICS_PER_SUBSCRIBE) {
      List<String> batch = devices.subList(from, Math.min(devices.size(), from + TOPICS_PER_SUBSCRIBE));
      String[] topics = batch.stream().map(id -> "dcloud/readings/" + id).toArray(String[]::new);
      int[] qos = new int[topics.length];
      Arrays.fill(qos, 1);
      var token = client.subscribe(topics, qos);
      token.waitForCompletion(TimeUnit.SECONDS.toMillis(30));
      for (int i = 0; i < topics.length; i++) {
        if (token.getGrantedQos()[i] == 0x80) {
          throw new IllegalStateException("the broker refused service-account subscription to " + topics[i]
              + ": the app's account does not cover that device");
        }
      }
    }
  }

  @Override
  public void messageArrived(String topic, MqttMessage message) {
    long now = System.currentTimeMillis();
    try {
      JsonNode reading = JSON.readTree(message.getPayload());
      long at = Instant.parse(reading.path("at").asText()).toEpochMilli();
      if (received == millis.length) {
        millis = Arrays.copyOf(millis, millis.length * 2);
      }
      millis[received] = now - at;
      received++;
    } catch (IOException | DateTimeParseException e) {
      unreadable++;
    }
  }

  int received() {
    return received;
  }

  int unreadable() {
    return unreadable;
  }

  /** The latencies so far, sorted (call once the readings stopped arriving). */
  long[] sorted() {
    long[] copy = Arrays.copyOf(millis, received);
    Arrays.sort(copy);
    return copy;
  }

  static long percentile(long[] sorted, double p) {
    return sorted.length == 0 ? -1 : sorted[(int) Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
  }

  @Override
  public void connectionLost(Throwable cause) {
    System.err.println("bench-devices: the app's connection to the broker was lost: " + cause);
  }

  @Override
  public void deliveryComplete(IMqttDeliveryToken token) {
    // It publishes nothing.
  }

  @Override
  public void close() throws MqttException {
    client.disconnect().waitForCompletion(TimeUnit.SECONDS.toMillis(10));
    client.close();
  }
}
