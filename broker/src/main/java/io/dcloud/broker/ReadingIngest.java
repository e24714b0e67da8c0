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
import java.util.function.Function;
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
 *
 * <p>At least once: on a connection from {@link MqttConnection#openPersistent} each message is
 * acknowledged to the broker only once it was dealt with (a reading stored or its rejection
 * recorded, an ack handed on, an app's command confirmed by {@code commands}), so what a gateway
 * had not finished when it died is sent again when it reconnects. A failed step is retried
 * ({@link IngestSettings#writeAttempts}) and then given up, logged and counted: a message is never
 * held unacknowledged for ever, as the broker sends a client only so many at once. A message may
 * therefore be taken in twice (stored twice, republished twice).
 */
public final class ReadingIngest implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ReadingIngest.class);
  private static final int QOS = 1;
  /**
   * Processed readings go out at QoS 0: a live view for bound apps and the SSE feed, delivered at
   * most once, while the stored copy is the one kept at least once. At QoS 1 every reading would
   * hold a slot of this connection's in-flight window until the broker's PUBACK, and a 2-core
   * machine under 1,000 readings/s filled it ("too many publishes in progress") and dropped them.
   */
  private static final int REPUBLISH_QOS = 0;
  private static final CompletionStage<Done> DONE = CompletableFuture.completedFuture(Done.getInstance());

  private final IngestSettings settings;
  private final Supplier<RegistryView> registry;
  private final ReadingStore store;
  private final BiConsumer<String, DeviceCommands.Acknowledge> acks;
  private final Function<DeviceCommand, CompletionStage<?>> commands;
  private final IngestMeters meters;
  private final Clock clock;
  private final ReadingCheck check;
  /** The connection, from the latest {@link #subscribe}; null before. */
  private volatile MqttConnection connection;

  public ReadingIngest(IngestSettings settings, Supplier<RegistryView> registry,
      ReadingStore store, BiConsumer<String, DeviceCommands.Acknowledge> acks,
      Function<DeviceCommand, CompletionStage<?>> commands,
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
   * connection ({@code MqttConnection.openPersistent(settings, "dcloud-ingest-<node>", ingest::subscribe)}):
   * a persistent session keeps its subscriptions, but subscribing again costs nothing and covers a
   * session the broker dropped (restarted without persistence, or expired).
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

  /**
   * A bad message must not stop the ingest (and the connection drops when a handler throws); it is
   * acknowledged like any other, or the broker would send it again on every reconnect.
   */
  private void dispatch(String topic, MqttMessage message) {
    Runnable acknowledge = connection.acknowledgement(message);
    meters.received();
    CompletionStage<?> handled;
    try {
      String[] parts = topic.split("/", -1);
      if (parts.length == 4 && parts[1].equals("devices") && parts[3].equals("readings")) {
        handled = onReading(topic, message);
      } else if (parts.length == 4 && parts[1].equals("devices") && parts[3].equals("acks")) {
        onAck(topic, message);
        handled = DONE;
      } else if (parts.length == 5 && parts[1].equals("services") && parts[3].equals("commands")) {
        handled = onAppCommand(parts[2], parts[4], message);
      } else {
        LOG.debug("Ignored a message on {}", topic);
        handled = DONE;
      }
    } catch (RuntimeException e) {
      LOG.warn("Dropped a message on {}: {}", topic, e.toString(), e);
      handled = DONE;
    }
    // Every handler's stage ends in success (its failures are logged and counted within).
    handled.whenComplete((done, failure) -> {
      acknowledge.run();
      meters.acknowledged();
    });
  }

  private <T> CompletionStage<T> retried(Supplier<? extends CompletionStage<T>> step) {
    return Retries.retry(step, settings.writeAttempts(), settings.writeBackoff());
  }

  private CompletionStage<?> onReading(String topic, MqttMessage message) {
    String deviceId = DeviceTopics.deviceOf(topic);
    Instant arrival = clock.instant();
    ReadingCheck.Outcome outcome = check.check(deviceId, message.getPayload(), registry.get(), arrival);
    if (outcome instanceof ReadingCheck.Accepted accepted) {
      Reading reading = accepted.reading();
      meters.accepted(accepted.deviceTime() ? Duration.between(reading.at(), arrival) : null);
      // Apps get the reading without waiting for Cassandra: the store's write is not on the path
      // from device to app, whose latency is what they see. The reading is acknowledged once both
      // are done.
      CompletionStage<Done> republished = republish(deviceId, ProcessedReadings.toJson(reading));
      CompletionStage<Done> stored = retried(() -> store.append(reading)).exceptionally(failure -> {
        meters.lost();
        LOG.warn("A reading of device {} at {} was delivered but not stored after {} attempts; it is lost: {}",
            deviceId, reading.at(), settings.writeAttempts(), failure.toString());
        return Done.getInstance();
      });
      return republished.thenCombine(stored, (a, b) -> b);
    }
    ReadingCheck.Rejected rejected = (ReadingCheck.Rejected) outcome;
    meters.rejected();
    LOG.debug("Rejected a reading of device {}: {}", deviceId, rejected.reason());
    // A device unknown here was deleted (its readings forgotten) or never was: nothing to record on.
    if (rejected.device() == null) {
      return DONE;
    }
    return retried(() -> store.recordRejection(deviceId, arrival, rejected.reason())).exceptionally(failure -> {
      LOG.warn("Could not record a rejected reading of device {} after {} attempts: {}", deviceId,
          settings.writeAttempts(), failure.toString());
      return Done.getInstance();
    });
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

  /** Issuing again is safe: DeviceCommands answers a command id it knows with how far it got. */
  private CompletionStage<?> onAppCommand(String service, String deviceId, MqttMessage message) {
    DeviceCommand command;
    try {
      command = AppCommandCheck.check(service, deviceId, message.getPayload(), registry.get(), clock.instant());
    } catch (AppCommandCheck.Refused e) {
      meters.commandDropped();
      LOG.info("Dropped a command of service {} to device {}: {}", service, deviceId, e.getMessage());
      return DONE;
    }
    return retried(() -> commands.apply(command)).handle((answer, failure) -> {
      if (failure == null) {
        meters.commandIssued();
        LOG.debug("Service {} issued command {} ({}) to device {}", service, command.id(), command.name(), deviceId);
      } else {
        meters.commandLost();
        LOG.warn("Command {} ({}) of service {} to device {} was not confirmed after {} attempts; it may not be issued: {}",
            command.id(), command.name(), service, deviceId, settings.writeAttempts(), failure.toString());
      }
      return Done.getInstance();
    });
  }

  /** Published for the bound apps and the live feed; tried again like a write, then given up (logged). */
  private CompletionStage<Done> republish(String deviceId, byte[] payload) {
    MqttConnection current = connection;
    return retried(() -> current.publish(DeviceTopics.processed(deviceId), payload, REPUBLISH_QOS, false))
        .handle((done, failure) -> {
          if (failure != null) {
            LOG.warn("A reading of device {} was not republished after {} attempts: {}", deviceId,
                settings.writeAttempts(), failure.toString());
          }
          return Done.getInstance();
        });
  }

  /**
   * Stops taking messages in and gives up this session's share of them (the connection stays its
   * owner's). A node that stops does not call it: its persistent session keeps its subscriptions,
   * so the broker keeps this node's share for it until it returns.
   */
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
