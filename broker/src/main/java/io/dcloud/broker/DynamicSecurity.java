package io.dcloud.broker;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.paho.client.mqttv3.MqttMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Mosquitto's dynamic-security plugin administered over MQTT: commands published as the admin on
 * {@value #CONTROL_TOPIC}, each answered on {@value #RESPONSE_TOPIC} with the correlation data it
 * was sent with. Each command's stage completes with its response's {@code data} (an empty object
 * when it has none), or fails with {@link Failure} carrying the broker's error text, or with a
 * timeout after {@code request-timeout}.
 */
public final class DynamicSecurity {
  public static final String CONTROL_TOPIC = "$CONTROL/dynamic-security/v1";
  public static final String RESPONSE_TOPIC = CONTROL_TOPIC + "/response";
  private static final Logger log = LoggerFactory.getLogger(DynamicSecurity.class);
  private static final ObjectMapper JSON = new ObjectMapper();

  private final MqttConnection connection;
  private final BrokerSettings settings;
  private final Map<String, CompletableFuture<JsonNode>> pending = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();
  private final String prefix;

  /** The broker's answer to one command was an error. */
  public static final class Failure extends RuntimeException {
    public Failure(String command, String error) {
      super(command + ": " + error);
    }
  }

  private DynamicSecurity(MqttConnection connection, BrokerSettings settings) {
    this.connection = connection;
    this.settings = settings;
    // Correlation data unique to this connection: another admin client's responses go to the same topic.
    this.prefix = connection.clientId() + ":";
  }

  /**
   * Administers the broker over {@code connection}; call {@link #subscribe} from the connection's
   * {@code onEveryConnect} (and once now if it is connected), so responses keep arriving after a reconnect.
   */
  public static DynamicSecurity over(MqttConnection connection, BrokerSettings settings) {
    return new DynamicSecurity(connection, settings);
  }

  /** Subscribes to the responses (again after a reconnect: sessions are clean). */
  public CompletionStage<Void> subscribe() {
    return connection.subscribe(RESPONSE_TOPIC, 1, (topic, message) -> answered(message));
  }

  /** Sends one command ({@code {"command": ..., ...}}). */
  public CompletionStage<JsonNode> execute(ObjectNode command) {
    return executeAll(List.of(command)).get(0);
  }

  /** Sends the commands in one message; the broker applies them in order. One stage per command. */
  public List<CompletionStage<JsonNode>> executeAll(List<ObjectNode> commands) {
    ObjectNode request = JSON.createObjectNode();
    List<CompletionStage<JsonNode>> stages = new ArrayList<>(commands.size());
    List<String> ids = new ArrayList<>(commands.size());
    for (ObjectNode command : commands) {
      String id = prefix + sequence.incrementAndGet();
      ids.add(id);
      CompletableFuture<JsonNode> answer = new CompletableFuture<>();
      pending.put(id, answer);
      stages.add(answer.orTimeout(settings.requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .whenComplete((data, failure) -> pending.remove(id)));
      request.withArray("commands").add(command.deepCopy().put("correlationData", id));
    }
    byte[] payload;
    try {
      payload = JSON.writeValueAsBytes(request);
    } catch (IOException e) {
      throw new IllegalStateException("a command is always writable", e);
    }
    connection.publish(CONTROL_TOPIC, payload, 1, false).whenComplete((sent, failure) -> {
      if (failure != null) {
        ids.forEach(id -> {
          CompletableFuture<JsonNode> answer = pending.remove(id);
          if (answer != null) {
            answer.completeExceptionally(failure);
          }
        });
      }
    });
    return stages;
  }

  private void answered(MqttMessage message) {
    JsonNode responses;
    try {
      responses = JSON.readTree(message.getPayload()).path("responses");
    } catch (IOException e) {
      log.warn("dynamic security sent an unreadable response: {}", e.getMessage());
      return;
    }
    for (JsonNode response : responses) {
      CompletableFuture<JsonNode> answer = pending.remove(response.path("correlationData").asText(""));
      if (answer == null) {
        continue;
      }
      if (response.hasNonNull("error")) {
        answer.completeExceptionally(new Failure(response.path("command").asText(), response.get("error").asText()));
      } else {
        answer.complete(response.has("data") ? response.get("data") : JSON.createObjectNode());
      }
    }
  }

  /** A command object: {@code {"command": name}} to add fields to. */
  public static ObjectNode command(String name) {
    return JSON.createObjectNode().put("command", name);
  }
}
