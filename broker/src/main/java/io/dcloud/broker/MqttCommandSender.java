package io.dcloud.broker;

import io.dcloud.device.CommandSender;
import io.dcloud.device.DeviceTopics;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * Publishes commands to controllers on {@link DeviceTopics#commands} at QoS 1, not retained (a
 * command is redelivered by DeviceCommands until acknowledged, never replayed to a late subscriber).
 */
public final class MqttCommandSender implements CommandSender {
  private static final int QOS = 1;

  private final MqttConnection connection;

  public MqttCommandSender(MqttConnection connection) {
    this.connection = connection;
  }

  @Override
  public CompletionStage<Done> send(String deviceId, String payloadJson) {
    return connection.publish(DeviceTopics.commands(deviceId), payloadJson.getBytes(StandardCharsets.UTF_8), QOS, false)
        .thenApply(sent -> Done.getInstance());
  }
}
