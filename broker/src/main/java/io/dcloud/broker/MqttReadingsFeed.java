package io.dcloud.broker;

import io.dcloud.device.DeviceTopics;
import io.dcloud.device.Reading;
import io.dcloud.device.ReadingsFeed;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Live readings for the gateway's SSE, from the processed readings the ingest publishes: one
 * subscription to {@link DeviceTopics#processed} per followed device on this gateway's connection,
 * however many follow it, taken when the first follows and dropped when the last stops.
 */
public final class MqttReadingsFeed implements ReadingsFeed {
  private static final Logger LOG = LoggerFactory.getLogger(MqttReadingsFeed.class);
  /** A live view: a reading missed while a connection recovers is not worth a retransmission. */
  private static final int QOS = 0;

  /** Followers by device; guards {@link #connection} too. */
  private final Map<String, List<Consumer<Reading>>> followers = new HashMap<>();
  private MqttConnection connection;

  /**
   * Subscribes on {@code connection} for every device followed now, and for those followed from now on.
   * Called on every connect of the feed's connection ({@code MqttConnection.connect(settings,
   * "dcloud-feed", feed::connected)}): its sessions are clean.
   */
  public void connected(MqttConnection connection) {
    synchronized (followers) {
      this.connection = connection;
      followers.forEach(this::subscribe);
    }
  }

  @Override
  public AutoCloseable follow(String deviceId, Consumer<Reading> onReading) {
    // Wrapped, so that one consumer following twice is two followers, each closed on its own.
    Consumer<Reading> follower = onReading::accept;
    synchronized (followers) {
      List<Consumer<Reading>> current = followers.get(deviceId);
      if (current == null) {
        current = new CopyOnWriteArrayList<>();
        followers.put(deviceId, current);
        subscribe(deviceId, current);
      }
      current.add(follower);
    }
    return () -> stop(deviceId, follower);
  }

  private void subscribe(String deviceId, List<Consumer<Reading>> current) {
    if (connection == null) {
      return;
    }
    connection.subscribe(DeviceTopics.processed(deviceId), QOS, (topic, message) -> deliver(deviceId, current, message))
        .whenComplete((done, failure) -> {
          if (failure != null) {
            LOG.warn("Could not follow the readings of device {}: {}", deviceId, failure.toString());
          }
        });
    LOG.debug("Following the readings of device {}", deviceId);
  }

  private static void deliver(String deviceId, List<Consumer<Reading>> current, MqttMessage message) {
    Reading reading;
    try {
      reading = ProcessedReadings.fromJson(message.getPayload());
    } catch (IllegalArgumentException e) {
      LOG.warn("Dropped a processed reading of device {}: {}", deviceId, e.getMessage());
      return;
    }
    for (Consumer<Reading> follower : current) {
      try {
        follower.accept(reading);
      } catch (RuntimeException e) {
        // One follower's failure (a closed SSE stream) is neither the others' nor the connection's.
        LOG.debug("A follower of device {} failed: {}", deviceId, e.toString());
      }
    }
  }

  private void stop(String deviceId, Consumer<Reading> follower) {
    synchronized (followers) {
      List<Consumer<Reading>> current = followers.get(deviceId);
      if (current == null || !current.remove(follower) || !current.isEmpty()) {
        return;
      }
      followers.remove(deviceId);
      if (connection == null) {
        return;
      }
      try {
        connection.client().unsubscribe(DeviceTopics.processed(deviceId));
        LOG.debug("No longer following the readings of device {}", deviceId);
      } catch (MqttException e) {
        LOG.warn("Could not stop following the readings of device {}: {}", deviceId, e.toString());
      }
    }
  }
}
