package io.dcloud.cli.device;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.cli.common.CliException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.IMqttActionListener;
import org.eclipse.paho.client.mqttv3.IMqttDeliveryToken;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttCallbackExtended;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.eclipse.paho.client.mqttv3.ScheduledExecutorPingSender;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * One simulated device as a real one behaves: its own MQTT connection with its own credentials,
 * readings published on {@code dcloud/devices/<id>/readings}, and for a controller every command
 * that arrives on {@code dcloud/devices/<id>/commands} acknowledged on {@code .../acks}.
 *
 * <p>Paho runs each connection's receiver, sender and callback loops as tasks of the executor it is
 * given, and its keep-alive pings on it too (ScheduledExecutorPingSender): the simulator's one
 * shared pool, instead of four threads of Paho's own per device.
 */
final class SimulatorDevice {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int QOS = 1;
  /** Readings a device may have unconfirmed at once; beyond it a publish counts as failed. */
  private static final int MAX_INFLIGHT = 100;
  private static final int CONNECT_TIMEOUT_S = 30;
  /**
   * How long a refused login is tried again: DCloud makes a device's broker account, or gives it its
   * new password, a moment after the API answered, so a device registered or rotated just now may be
   * refused at first.
   */
  static final Duration ACCOUNT_WAIT = Duration.ofSeconds(15);
  private static final long LOGIN_RETRY_MILLIS = 250;

  private final String id;
  private final String password;
  private final SimulatorValues values;
  private final boolean controller;
  private final SimulatorCounts counts;
  private final MqttAsyncClient client;
  private final ScheduledExecutorService pool;
  private final String readings;

  SimulatorDevice(String id, SimulatorCredentials credentials, SimulatorValues values, boolean controller,
      SimulatorCounts counts, ScheduledExecutorService pool) {
    this.id = id;
    this.password = credentials.password();
    this.values = values;
    this.controller = controller;
    this.counts = counts;
    this.readings = "dcloud/devices/" + id + "/readings";
    this.pool = pool;
    try {
      this.client = new MqttAsyncClient(credentials.broker(), credentials.username(), new MemoryPersistence(),
          new ScheduledExecutorPingSender(pool), pool);
    } catch (MqttException e) {
      throw CliException.usage("cannot use the broker " + credentials.broker() + ": " + e.getMessage());
    }
    client.setCallback(new Callback());
  }

  String id() {
    return id;
  }

  /** Whether it publishes readings (its type has fields; a controller may have commands alone). */
  boolean publishes() {
    return !values.isEmpty();
  }

  boolean connected() {
    return client.isConnected();
  }

  /** Connects in the background; {@code done} gets null once connected, else why not. */
  void connect(Consumer<Throwable> done) {
    connect(done, System.nanoTime() + ACCOUNT_WAIT.toNanos());
  }

  private void connect(Consumer<Throwable> done, long refusalsUntil) {
    MqttConnectOptions options = new MqttConnectOptions();
    // 3.1.1 only: Paho would fall back to 3.1, whose SUBACK cannot say a subscription was refused.
    options.setMqttVersion(MqttConnectOptions.MQTT_VERSION_3_1_1);
    options.setUserName(client.getClientId());
    options.setPassword(password.toCharArray());
    // Nothing to resume: readings are fresh each time, and a controller subscribes on every connect.
    options.setCleanSession(true);
    options.setAutomaticReconnect(true);
    options.setMaxInflight(MAX_INFLIGHT);
    options.setConnectionTimeout(CONNECT_TIMEOUT_S);
    try {
      client.connect(options, null, new IMqttActionListener() {
        @Override
        public void onSuccess(IMqttToken token) {
          done.accept(null);
        }

        @Override
        public void onFailure(IMqttToken token, Throwable failure) {
          if (refusedLogin(failure) && System.nanoTime() < refusalsUntil) {
            pool.schedule(() -> connect(done, refusalsUntil), LOGIN_RETRY_MILLIS, TimeUnit.MILLISECONDS);
          } else {
            done.accept(failure);
          }
        }
      });
    } catch (MqttException e) {
      done.accept(e);
    }
  }

  private static boolean refusedLogin(Throwable failure) {
    return failure instanceof MqttException refused
        && (refused.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION
            || refused.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED);
  }

  /** Publishes its next reading (QoS 1: counted as published once the broker confirms it). */
  void publish(long epochMillis) {
    byte[] payload = values.next(epochMillis).toString().getBytes(StandardCharsets.UTF_8);
    try {
      client.publish(readings, payload, QOS, false, null, counts.publishes());
    } catch (MqttException e) {
      // Not connected (yet, or any more) or too many unconfirmed: this reading is lost, as a device's would be.
      counts.failed();
    }
  }

  /** Starts disconnecting (without waiting for unconfirmed readings); null when not connected. */
  IMqttToken disconnect() {
    try {
      return client.isConnected() ? client.disconnect(0) : null;
    } catch (MqttException e) {
      return null;
    }
  }

  void close() {
    try {
      client.close(true);
    } catch (MqttException e) {
      // Closing at the end of a run: nothing is left to do with a connection that would not close cleanly.
    }
  }

  private void ack(MqttMessage message) {
    String commandId;
    try {
      JsonNode command = JSON.readTree(message.getPayload());
      commandId = command.path("id").asText(null);
    } catch (IOException notJson) {
      commandId = null;
    }
    if (commandId == null) {
      counts.failed();
      return;
    }
    byte[] ack = JSON.createObjectNode().put("id", commandId).put("ok", true).toString().getBytes(StandardCharsets.UTF_8);
    try {
      client.publish("dcloud/devices/" + id + "/acks", ack, QOS, false, null, counts.acks());
    } catch (MqttException e) {
      counts.failed();
    }
  }

  private final class Callback implements MqttCallbackExtended {
    @Override
    public void connectComplete(boolean reconnect, String serverUri) {
      if (!controller) {
        return;
      }
      try {
        // A clean session forgets subscriptions: a controller subscribes again after every reconnect.
        client.subscribe("dcloud/devices/" + id + "/commands", QOS);
      } catch (MqttException e) {
        counts.failed();
      }
    }

    @Override
    public void messageArrived(String topic, MqttMessage message) {
      ack(message);
    }

    @Override
    public void connectionLost(Throwable cause) {
      // Paho reconnects by itself (automatic reconnect); readings meanwhile count as failed.
    }

    @Override
    public void deliveryComplete(IMqttDeliveryToken token) {
      // Counted by the publish's own listener.
    }
  }
}
