package io.dcloud.gateway;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.device.DeviceSecrets;
import io.dcloud.device.DeviceTopics;

/**
 * What an app with device bindings is told about the broker: where it is from inside its container
 * ({@code dcloud-gateway}, the worker's relay on the tenant network), its account, and the retained
 * topic of its bindings (which change at run time, so they are not in the environment). The
 * password goes in as secret-env, sealed like any other.
 */
final class ServiceMqttEnv {
  static final String HOST = "DCLOUD_MQTT_HOST";
  static final String PORT = "DCLOUD_MQTT_PORT";
  static final String USERNAME = "DCLOUD_MQTT_USERNAME";
  static final String PASSWORD = "DCLOUD_MQTT_PASSWORD";
  static final String BINDINGS_TOPIC = "DCLOUD_MQTT_BINDINGS_TOPIC";
  /** The name every container resolves to its network's gateway address. */
  static final String GATEWAY_HOST = "dcloud-gateway";

  private final int relayPort;
  private final DeviceSecrets secrets;

  /** {@code secrets} null: no secrets key, so an app with bindings cannot be given a password (503). */
  ServiceMqttEnv(int relayPort, DeviceSecrets secrets) {
    this.relayPort = relayPort;
    this.secrets = secrets;
  }

  /** Adds the variables to an environment config ({@code env} and {@code secret-env}, made when missing). */
  void addTo(ObjectNode environment, String service) {
    if (secrets == null) {
      throw DeviceRoutes.noSecrets().exception();
    }
    ObjectNode env = environment.get("env") instanceof ObjectNode given ? given : environment.putObject("env");
    env.put(HOST, GATEWAY_HOST);
    env.put(PORT, Integer.toString(relayPort));
    env.put(USERNAME, DeviceTopics.serviceUsername(service));
    env.put(BINDINGS_TOPIC, DeviceTopics.serviceBindings(service));
    ObjectNode secretEnv = environment.get("secret-env") instanceof ObjectNode given
        ? given : environment.putObject("secret-env");
    secretEnv.put(PASSWORD, secrets.servicePassword(service));
  }
}
