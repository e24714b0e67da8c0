package io.dcloud.gateway;

import static org.assertj.core.api.Assertions.assertThat;

/** The device tests' callers: a platform configurer, an end user, an app developer, signed in on {@code cluster}. */
final class DeviceUsers {
  final Api admin;
  final Api configurer;
  final Api endUser;
  final Api developer;

  DeviceUsers(GatewayTestCluster cluster) {
    admin = Api.admin(cluster.base);
    configurer = make(cluster, "carl", "platform-configurer");
    endUser = make(cluster, "erin", "end-user");
    developer = make(cluster, "dave", "app-developer");
  }

  /** Another signed-in user of {@code role}. */
  Api make(GatewayTestCluster cluster, String name, String role) {
    Api.Answer made = admin.post("/api/v1/users", Api.JSON, "{\"username\": \"" + name + "\", \"password\": \"password-of-"
        + name + "\", \"roles\": [\"" + role + "\"]}");
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    return new Api(cluster.base).signedIn(name, "password-of-" + name);
  }

  static final String THERMOMETER = """
      {"name": "%s", "kind": "sensor", "fields": {"temperature": {"type": "number", "unit": "°C", "min": -40, "max": 85},
       "battery": {"type": "integer", "min": 0, "max": 100}}}""";

  static final String VALVE = """
      {"name": "%s", "kind": "controller", "fields": {"open": {"type": "boolean"}},
       "commands": {"set": {"params": {"position": {"type": "integer", "unit": "%%", "min": 0, "max": 100}}}, "close": {}}}""";

  /** Registers a type as the configurer (a 201 asserted). */
  void type(String template, String name) {
    Api.Answer made = configurer.post("/api/v1/sensor-types", Api.JSON, template.formatted(name));
    assertThat(made.status()).as(made.body()).isEqualTo(201);
  }

  /** Registers a device at {@code site} as the configurer (a 201 asserted); answers its body. */
  Api.Answer device(String id, String type, String site) {
    Api.Answer made = configurer.post("/api/v1/devices", Api.JSON,
        "{\"id\": \"" + id + "\", \"type\": \"" + type + "\", \"location\": {\"site\": \"" + site + "\"}}");
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    return made;
  }
}
