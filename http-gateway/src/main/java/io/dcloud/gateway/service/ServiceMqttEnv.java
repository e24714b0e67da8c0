package io.dcloud.gateway.service;

import io.dcloud.device.DeviceSecrets;
import io.dcloud.device.DeviceTopics;
import io.dcloud.gateway.common.DeviceBackends;
import io.dcloud.gateway.device.DeviceRoutes;
import io.dcloud.secret.SecretBox;
import io.dcloud.spec.EnvironmentSpec;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What an app with device bindings is told about the broker: where it is from inside its container
 * ({@code dcloud-gateway}, the worker's relay on the tenant network), its account, and the retained
 * topic of its bindings (which change at run time, so they are not in the environment). The
 * password goes in as secret-env, sealed like any other. Added to the parsed spec: users may not
 * set DCLOUD_* themselves.
 */
public final class ServiceMqttEnv {
  static final String HOST = "DCLOUD_MQTT_HOST";
  static final String PORT = "DCLOUD_MQTT_PORT";
  static final String USERNAME = "DCLOUD_MQTT_USERNAME";
  static final String PASSWORD = "DCLOUD_MQTT_PASSWORD";
  static final String BINDINGS_TOPIC = "DCLOUD_MQTT_BINDINGS_TOPIC";
  /** The name every container resolves to its network's gateway address. */
  /** Every variable {@link #addTo} sets (env and secret-env): DCloud's, never the definition's. */
  static final List<String> VARIABLES = List.of(HOST, PORT, USERNAME, PASSWORD, BINDINGS_TOPIC);
  static final String GATEWAY_HOST = "dcloud-gateway";

  private final boolean brokerEnabled;
  private final int relayPort;
  private final DeviceSecrets secrets;
  private final SecretBox box;

  /**
   * @param brokerEnabled {@code dcloud.broker.enabled}: off, an app with bindings is refused (503)
   * @param secrets derives the service's password; {@code box} seals it (the gateway's secret-env
   *     key). Either null: no secrets key, and an app with bindings is refused (503).
   */
  public ServiceMqttEnv(boolean brokerEnabled, int relayPort, DeviceSecrets secrets, SecretBox box) {
    this.brokerEnabled = brokerEnabled;
    this.relayPort = relayPort;
    this.secrets = secrets;
    this.box = box;
  }

  /** {@code spec} with the variables of {@code service}'s broker account. */
  EnvironmentSpec addTo(EnvironmentSpec spec, String service) {
    if (!brokerEnabled) {
      throw DeviceBackends.brokerOff().exception();
    }
    if (secrets == null || box == null) {
      throw DeviceRoutes.noSecrets().exception();
    }
    Map<String, String> env = new LinkedHashMap<>(spec.env());
    env.put(HOST, GATEWAY_HOST);
    env.put(PORT, Integer.toString(relayPort));
    env.put(USERNAME, DeviceTopics.serviceUsername(service));
    env.put(BINDINGS_TOPIC, DeviceTopics.serviceBindings(service));
    Map<String, String> secretEnv = new LinkedHashMap<>(spec.secretEnv());
    secretEnv.put(PASSWORD, box.seal(PASSWORD, secrets.servicePassword(service)));
    return new EnvironmentSpec(spec.name(), spec.version(), spec.os(), spec.osRelease(), spec.languages(),
        spec.resources(), spec.datasets(), spec.ports(), spec.storage(), spec.command(), Map.copyOf(env),
        spec.constraints(), spec.restartPolicy(), Map.copyOf(secretEnv), spec.idleTimeout(), spec.service());
  }
}
