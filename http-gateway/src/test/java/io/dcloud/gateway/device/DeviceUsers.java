package io.dcloud.gateway.device;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.gateway.Api;
import io.dcloud.gateway.GatewayTestCluster;

/** The device tests' callers: a platform configurer, an end user, an app developer, signed in on {@code cluster}. */
public final class DeviceUsers {
  public final Api admin;
  public final Api configurer;
  public final Api endUser;
  public final Api developer;

  public DeviceUsers(GatewayTestCluster cluster) {
    admin = Api.admin(cluster.base);
    configurer = make("carl", "platform-configurer");
    endUser = make("erin", "end-user");
    developer = make("dave", "app-developer");
  }

  /** Another signed-in user of {@code role}. */
  public Api make(String name, String role) {
    return admin.newUser(name, role);
  }

  public static final String THERMOMETER = """
      {"name": "%s", "kind": "sensor", "fields": {"temperature": {"type": "number", "unit": "°C", "min": -40, "max": 85},
       "battery": {"type": "integer", "min": 0, "max": 100}}}""";

  public static final String VALVE = """
      {"name": "%s", "kind": "controller", "fields": {"open": {"type": "boolean"}},
       "commands": {"set": {"params": {"position": {"type": "integer", "unit": "%%", "min": 0, "max": 100}}}, "close": {}}}""";

  /** Registers a type as the configurer (a 201 asserted). */
  public void type(String template, String name) {
    Api.Answer made = configurer.post("/api/v1/sensor-types", Api.JSON, template.formatted(name));
    assertThat(made.status()).as(made.body()).isEqualTo(201);
  }

  /** Registers a device at {@code site} as the configurer (a 201 asserted); answers its body. */
  public Api.Answer device(String id, String type, String site) {
    Api.Answer made = configurer.post("/api/v1/devices", Api.JSON,
        "{\"id\": \"" + id + "\", \"type\": \"" + type + "\", \"location\": {\"site\": \"" + site + "\"}}");
    assertThat(made.status()).as(made.body()).isEqualTo(201);
    return made;
  }
}
