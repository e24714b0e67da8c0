package io.dcloud.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.dcloud.broker.MosquittoBroker;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttConnectOptions;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * The part of DCloud's devices API the simulator calls, served on loopback, with each device's
 * account made in a real Mosquitto's dynamic security exactly as the issue's contract says
 * (publish its readings and acks; a controller subscribes to its commands). The gateway's own
 * device routes are tested in http-gateway; this lets the simulator's test use a real broker
 * without a whole DCloud.
 */
final class FakeDevicesApi implements AutoCloseable {
  static final String TOKEN = "simulator-test-token";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String CONTROL = "$CONTROL/dynamic-security/v1";

  private final MosquittoBroker broker;
  private final Map<String, JsonNode> types;
  private final Map<String, String> devices = new ConcurrentHashMap<>();
  private final List<String> rotated = new CopyOnWriteArrayList<>();
  private final BlockingQueue<JsonNode> responses = new LinkedBlockingQueue<>();
  private final MqttClient admin;
  private final HttpServer server;

  /** {@code types}: sensor type name to its JSON as {@code GET /sensor-types/{name}} answers it. */
  FakeDevicesApi(MosquittoBroker broker, Map<String, JsonNode> types) throws IOException, MqttException {
    this.broker = broker;
    this.types = types;
    admin = new MqttClient(broker.url(), "fake-devices-api", new MemoryPersistence());
    MqttConnectOptions options = new MqttConnectOptions();
    options.setUserName(broker.adminUsername());
    options.setPassword(broker.adminPassword().toCharArray());
    admin.connect(options);
    admin.subscribe(CONTROL + "/response", 1, (topic, message) -> responses.add(JSON.readTree(message.getPayload())));
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext("/api/v1/", this::handle);
    server.start();
  }

  URI base() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** The devices whose secret was rotated, in order. */
  List<String> rotated() {
    return rotated;
  }

  /** Registers a device as {@code POST /devices} does; its credentials. */
  ObjectNode register(String id, String type) throws Exception {
    boolean controller = types.get(type).path("kind").asText().equals("controller");
    String password = secret();
    List<Map<String, Object>> commands = new ArrayList<>(List.of(
        Map.of("command", "createRole", "rolename", "device-" + id),
        acl("device-" + id, "publishClientSend", "dcloud/devices/" + id + "/readings"),
        acl("device-" + id, "publishClientSend", "dcloud/devices/" + id + "/acks")));
    if (controller) {
      commands.add(acl("device-" + id, "subscribePattern", "dcloud/devices/" + id + "/commands"));
      commands.add(acl("device-" + id, "publishClientReceive", "dcloud/devices/" + id + "/commands"));
    }
    commands.add(Map.of("command", "createClient", "username", "device-" + id, "password", password,
        "roles", List.of(Map.of("rolename", "device-" + id))));
    dynsec(commands);
    devices.put(id, type);
    return credentials(id, password);
  }

  /**
   * An account that reads and writes everything under dcloud/ (DCloud's own, in effect): the test
   * watches the devices and commands the controllers with it. Its own, not the admin's: Mosquitto
   * 2.0 disconnects every client of a role whose rules change.
   */
  MqttConnectOptions watcher() throws IOException {
    String password = secret();
    dynsec(List.of(Map.of("command", "createRole", "rolename", "watcher"),
        acl("watcher", "publishClientSend", "dcloud/#"),
        acl("watcher", "subscribePattern", "dcloud/#"),
        acl("watcher", "publishClientReceive", "dcloud/#"),
        Map.of("command", "createClient", "username", "watcher", "password", password,
            "roles", List.of(Map.of("rolename", "watcher")))));
    MqttConnectOptions options = new MqttConnectOptions();
    options.setUserName("watcher");
    options.setPassword(password.toCharArray());
    return options;
  }

  private static Map<String, Object> acl(String role, String type, String topic) {
    return Map.of("command", "addRoleACL", "rolename", role, "acltype", type, "topic", topic, "allow", true);
  }

  private ObjectNode credentials(String id, String password) {
    return JSON.createObjectNode().put("username", "device-" + id).put("password", password).put("broker", broker.url());
  }

  private static String secret() {
    return HexFormat.of().formatHex(new SecureRandom().generateSeed(16));
  }

  /** Sends dynamic-security commands and waits for their answer; fails on any error. */
  private synchronized void dynsec(List<Map<String, Object>> commands) throws IOException {
    try {
      admin.publish(CONTROL, JSON.writeValueAsBytes(Map.of("commands", commands)), 1, false);
      JsonNode response = responses.poll(10, TimeUnit.SECONDS);
      if (response == null) {
        throw new IOException("no answer from the dynamic-security plugin");
      }
      for (JsonNode answer : (ArrayNode) response.path("responses")) {
        if (answer.has("error")) {
          throw new IOException("dynsec " + answer);
        }
      }
    } catch (MqttException e) {
      throw new IOException(e + "; the broker's log:\n" + broker.log(), e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
  }

  private void handle(HttpExchange exchange) throws IOException {
    try (exchange) {
      try {
        route(exchange);
      } catch (Exception e) {
        answer(exchange, 500, problem(e.toString()));
      }
    }
  }

  private void route(HttpExchange exchange) throws Exception {
    if (!("Bearer " + TOKEN).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
      answer(exchange, 401, problem("unauthorized"));
      return;
    }
    String method = exchange.getRequestMethod();
    String[] path = exchange.getRequestURI().getPath().substring("/api/v1/".length()).split("/");
    if (method.equals("GET") && path.length == 2 && path[0].equals("sensor-types")) {
      JsonNode type = types.get(path[1]);
      answer(exchange, type == null ? 404 : 200, type == null ? problem("no such type") : type);
    } else if (method.equals("GET") && path.length == 2 && path[0].equals("devices") && path[1].equals("broker")) {
      answer(exchange, 200, JSON.createObjectNode().put("url", broker.url()));
    } else if (method.equals("POST") && path.length == 1 && path[0].equals("devices")) {
      JsonNode body = JSON.readTree(exchange.getRequestBody());
      String id = body.path("id").asText();
      if (devices.containsKey(id)) {
        answer(exchange, 409, problem("device " + id + " exists"));
        return;
      }
      ObjectNode created = JSON.createObjectNode().put("id", id).put("type", body.path("type").asText());
      created.set("location", body.path("location"));
      created.set("credentials", register(id, body.path("type").asText()));
      answer(exchange, 201, created);
    } else if (method.equals("GET") && path.length == 2 && path[0].equals("devices") && devices.containsKey(path[1])) {
      answer(exchange, 200, JSON.createObjectNode().put("id", path[1]).put("type", devices.get(path[1])));
    } else if (method.equals("POST") && path.length == 3 && path[0].equals("devices") && path[2].equals("credentials")
        && devices.containsKey(path[1])) {
      String password = secret();
      dynsec(List.of(Map.of("command", "setClientPassword", "username", "device-" + path[1], "password", password)));
      rotated.add(path[1]);
      answer(exchange, 200, credentials(path[1], password));
    } else {
      answer(exchange, 404, problem("not found"));
    }
  }

  private static JsonNode problem(String title) {
    return JSON.createObjectNode().put("title", title);
  }

  private static void answer(HttpExchange exchange, int status, JsonNode body) throws IOException {
    byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().set("Content-Type", status < 300 ? "application/json" : "application/problem+json");
    exchange.sendResponseHeaders(status, bytes.length);
    exchange.getResponseBody().write(bytes);
  }

  @Override
  public void close() throws MqttException {
    server.stop(0);
    admin.disconnect();
    admin.close();
  }
}
