package io.dcloud.broker;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.device.DeviceCommand;
import io.dcloud.device.DeviceCommands;
import io.dcloud.device.DeviceTopics;
import io.dcloud.device.Reading;
import io.dcloud.device.ReadingStore;
import io.dcloud.device.RegistryView;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.eclipse.paho.client.mqttv3.IMqttToken;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What devices and apps publish, taken in on DCloud's admin connection through shared
 * subscriptions (each message reaches one gateway of {@link IngestSettings#group}): readings are
 * checked ({@link ReadingCheck}), kept in the {@link ReadingStore} and republished processed on
 * {@link DeviceTopics#processed}, or dropped with their reason recorded on the device;
 * acknowledgements go to {@code acks} (the application sends them to DeviceCommands); apps' commands
 * to their bound controllers are checked ({@link AppCommandCheck}) and go to {@code commands}.
 * Knows no cluster: the registry comes from {@code registry}, a local copy kept fresh elsewhere.
 */
public final class ReadingIngest implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReadingIngest.class);
  private static final int QOS = 1;

  private final IngestSettings settings;
  private final Supplier<RegistryView> registry;
  private final ReadingStore store;
  private final BiConsumer<String, DeviceCommands.Acknowledge> acks;
  private final Consumer<DeviceCommand> commands;
  private final IngestMeters meters;
  private final Clock clock;
  private final ReadingCheck check;
  /** The connection, from the latest {@link #subscribe}; null before. */
  private volatile MqttConnection connection;

  public ReadingIngest(IngestSettings settings, Supplier<RegistryView> registry,
      ReadingStore store, BiConsumer<String, DeviceCommands.Acknowledge> acks, Consumer<DeviceCommand> commands,
      MeterRegistry meterRegistry, Clock clock) {
    this.settings = settings;
    this.registry = registry;
    this.store = store;
    this.acks = acks;
    this.commands = commands;
    this.meters = new IngestMeters(meterRegistry);
    this.clock = clock;
    this.check = new ReadingCheck(settings);
  }

  private String[] topics() {
    return new String[] {settings.shared(DeviceTopics.ALL_READINGS), settings.shared(DeviceTopics.ALL_ACKS),
        settings.shared(DeviceTopics.ALL_SERVICE_COMMANDS)};
  }

  /**
   * Subscribes on {@code connection}, and publishes processed readings with it from now on;
   * completes when the broker granted every subscription. Called on every connect of the ingest's
   * connection ({@code MqttConnection.connect(settings, "dcloud-ingest", ingest::subscribe)}): its
   * sessions are clean, so a reconnect finds no subscription left.
   */
  public CompletionStage<Done> subscribe(MqttConnection connection) {
    this.connection = connection;
    connection.onSharedMessages(this::dispatch);
    // The listener also given to each subscription would take over should Paho ever match shared
    // filters; a message goes to a matching listener or else to onSharedMessages, never to both.
    CompletableFuture<?>[] subscriptions = Arrays.stream(topics())
        .map(topic -> connection.subscribe(topic, QOS, this::dispatch).toCompletableFuture())
        .toArray(CompletableFuture[]::new);
    return CompletableFuture.allOf(subscriptions).thenApply(all -> {
      LOG.info("Ingesting device readings, acknowledgements and app commands (shared group {})", settings.group());
      return Done.getInstance();
    }).whenComplete((done, failure) -> {
      if (failure != null) {
        LOG.error("The readings ingest could not subscribe (does the admin's role allow $share/#?): {}",
            failure.toString());
      }
    });
  }

  /** A bad message must not stop the ingest (and the connection drops when a handler throws). */
  private void dispatch(String topic, MqttMessage message) {
    try {
      String[] parts = topic.split("/", -1);
      if (parts.length == 4 && parts[1].equals("devices") && parts[3].equals("readings")) {
        onReading(topic, message);
      } else if (parts.length == 4 && parts[1].equals("devices") && parts[3].equals("acks")) {
        onAck(topic, message);
      } else if (parts.length == 5 && parts[1].equals("services") && parts[3].equals("commands")) {
        onAppCommand(parts[2], parts[4], message);
      } else {
        LOG.debug("Ignored a message on {}", topic);
      }
    } catch (RuntimeException e) {
      LOG.warn("Dropped a message on {}: {}", topic, e.toString(), e);
    }
  }

  private void onReading(String topic, MqttMessage message) {
    String deviceId = DeviceTopics.deviceOf(topic);
    Instant arrival = clock.instant();
    ReadingCheck.Outcome outcome = check.check(deviceId, message.getPayload(), registry.get(), arrival);
    if (outcome instanceof ReadingCheck.Accepted accepted) {
      Reading reading = accepted.reading();
      meters.accepted(accepted.deviceTime() ? Duration.between(reading.at(), arrival) : null);
      // Apps get the reading without waiting for Cassandra: the store's write is not on the path
      // from device to app, whose latency is what they see.
      publish(deviceId, ProcessedReadings.toJson(reading));
      store.append(reading).whenComplete((done, failure) -> {
        if (failure != null) {
          LOG.warn("A reading of device {} was delivered but not stored: {}", deviceId, failure.toString());
        }
      });
    } else if (outcome instanceof ReadingCheck.Rejected rejected) {
      meters.rejected();
      LOG.debug("Rejected a reading of device {}: {}", deviceId, rejected.reason());
      // A device unknown here was deleted (its readings forgotten) or never was: nothing to record on.
      if (rejected.device() != null) {
        store.recordRejection(deviceId, arrival, rejected.reason()).whenComplete((done, failure) -> {
          if (failure != null) {
            LOG.warn("Could not record a rejected reading of device {}: {}", deviceId, failure.toString());
          }
        });
      }
    }
  }

  private void onAck(String topic, MqttMessage message) {
    String deviceId = DeviceTopics.deviceOf(topic);
    JsonNode json;
    try {
      json = ProcessedReadings.parse(message.getPayload());
    } catch (IllegalArgumentException e) {
      LOG.info("Dropped an acknowledgement of device {}: {}", deviceId, e.getMessage());
      return;
    }
    JsonNode id = json == null ? null : json.get("id");
    JsonNode ok = json == null ? null : json.get("ok");
    if (id == null || !id.isTextual() || ok == null || !ok.isBoolean()) {
      LOG.info("Dropped an acknowledgement of device {}: expected {\"id\": string, \"ok\": boolean}", deviceId);
      return;
    }
    JsonNode text = json.get("message");
    acks.accept(deviceId, new DeviceCommands.Acknowledge(id.textValue(), ok.booleanValue(),
        text != null && text.isTextual() ? text.textValue() : null));
  }

  private void onAppCommand(String service, String deviceId, MqttMessage message) {
    try {
      DeviceCommand command =
          AppCommandCheck.check(service, deviceId, message.getPayload(), registry.get(), clock.instant());
      commands.accept(command);
      meters.commandIssued();
      LOG.debug("Service {} issued command {} ({}) to device {}", service, command.id(), command.name(), deviceId);
    } catch (AppCommandCheck.Refused e) {
      meters.commandDropped();
      LOG.info("Dropped a command of service {} to device {}: {}", service, deviceId, e.getMessage());
    }
  }

  private void publish(String deviceId, byte[] payload) {
    connection.publish(DeviceTopics.processed(deviceId), payload, QOS, false).whenComplete((done, failure) -> {
      if (failure != null) {
        LOG.warn("A reading of device {} was not republished: {}", deviceId, failure.toString());
      }
    });
  }

  /** Stops taking messages in (the connection stays its owner's). */
  @Override
  public void close() {
    MqttConnection connection = this.connection;
    if (connection == null) {
      return;
    }
    connection.onSharedMessages((topic, message) -> {});
    try {
      IMqttToken token = connection.client().unsubscribe(topics());
      token.waitForCompletion(Duration.ofSeconds(10).toMillis());
    } catch (MqttException e) {
      LOG.debug("Could not unsubscribe the ingest: {}", e.toString());
    }
  }
}
