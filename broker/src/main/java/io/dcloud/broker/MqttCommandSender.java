package io.dcloud.broker;

import io.dcloud.device.CommandSender;
import io.dcloud.device.DeviceTopics;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.eclipse.paho.client.mqttv3.IMqttAsyncClient;
import org.eclipse.paho.client.mqttv3.MqttException;

/**
 * Publishes commands to controllers on {@link DeviceTopics#commands} at QoS 1, not retained (a
 * command is redelivered by DeviceCommands until acknowledged, never replayed to a late subscriber).
 */
public final class MqttCommandSender implements CommandSender {
  private static final int QOS = 1;

  private final IMqttAsyncClient client;

  public MqttCommandSender(IMqttAsyncClient client) {
    this.client = client;
  }

  @Override
  public CompletionStage<Done> send(String deviceId, String payloadJson) {
    CompletableFuture<Done> sent = new CompletableFuture<>();
    try {
      client.publish(DeviceTopics.commands(deviceId), payloadJson.getBytes(StandardCharsets.UTF_8), QOS, false,
          null, Paho.listener(sent, token -> Done.getInstance()));
    } catch (MqttException e) {
      sent.completeExceptionally(e);
    }
    return sent;
  }
}
