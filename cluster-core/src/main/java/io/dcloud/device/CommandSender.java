package io.dcloud.device;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/** Publishes a command to a controller ({@link DeviceTopics#commands}, QoS 1); the broker module implements it. */
public interface CommandSender {
  /** Completes when the broker accepted the message (its PUBACK), fails otherwise. */
  CompletionStage<Done> send(String deviceId, String payloadJson);
}
