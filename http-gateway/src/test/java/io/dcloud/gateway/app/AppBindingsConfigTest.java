package io.dcloud.gateway.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.dcloud.device.BindingSlot;
import io.dcloud.device.DeviceSecrets;
import io.dcloud.device.RegistryView;
import io.dcloud.device.SensorType;
import io.dcloud.environment.EnvironmentSpecParser;
import io.dcloud.environment.SpecLimits;
import io.dcloud.gateway.Api;
import io.dcloud.gateway.app.AppConfig;
import io.dcloud.gateway.app.AppConfigParser;
import io.dcloud.gateway.app.AppLimits;
import io.dcloud.gateway.app.AppServiceBody;
import io.dcloud.gateway.common.ProblemException;
import io.dcloud.gateway.model.BatchingRequests;
import io.dcloud.gateway.model.ModelLimits;
import io.dcloud.gateway.service.BindingSlots;
import io.dcloud.gateway.service.ServiceMqttEnv;
import io.dcloud.gateway.service.AutoscalingRequests;
import io.dcloud.gateway.service.ServiceRequests;
import io.dcloud.resources.Resources;
import io.dcloud.secret.SecretBox;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.validation.FieldError;
import io.dcloud.validation.ValidationException;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An app's {@code bindings}: read from its config, carried into the service's definition, and the
 * broker's address, account and bindings topic given to its replicas (the password sealed).
 */
class AppBindingsConfigTest {
  private static final AppLimits LIMITS = AppLimits.fromConfig(ConfigFactory.load());
  private static final SecretBox GATEWAY_BOX = SecretBox.throwaway();
  private static final DeviceSecrets SECRETS = new DeviceSecrets(SecretBox.throwaway());
  private static final String APP = """
      {"name": "plant", "runtime": {"language-name": "python", "libraries": []}, "command": ["python3", "app.py"],
       "port": 5000, "env": {"MODE": "prod"}%s}""";

  private static AppConfig config(String bindings) {
    return AppConfigParser.parse(Api.parse(APP.formatted(bindings)), LIMITS);
  }

  private static ServiceDefinition service(AppConfig config, ServiceMqttEnv mqtt) {
    ServiceRequests requests = new ServiceRequests(10, new BatchingRequests(ModelLimits.fromConfig(ConfigFactory.load())),
        AutoscalingRequests.fromConfig(ConfigFactory.load()), mqtt);
    return requests.parse(AppServiceBody.of(config, 1), environment -> EnvironmentSpecParser.parse(environment,
        new Resources(1000, 1L << 30, 0, 0, null), SpecLimits.fromConfig(ConfigFactory.load()), GATEWAY_BOX));
  }

  @Test
  void bindingsDefaultTheirCountsAndReachTheServiceDefinition() {
    AppConfig config = config(", \"bindings\": [{\"type\": \"thermometer\", \"min\": 2, \"max\": 5}, {\"type\": \"valve\"},"
        + " {\"type\": \"lamp\", \"min\": 0}]");

    assertThat(config.bindings()).containsExactly(
        new BindingSlot("thermometer", 2, 5), new BindingSlot("valve", 1, 1), new BindingSlot("lamp", 0, 1));
    assertThat(service(config, new ServiceMqttEnv(true, 1883, SECRETS, GATEWAY_BOX)).bindings()).isEqualTo(config.bindings());
  }

  @Test
  void anAppWithBindingsGetsTheBrokerAndItsAccountInItsEnvironmentAndThePasswordSealed() {
    ServiceDefinition definition = service(config(", \"bindings\": [{\"type\": \"thermometer\"}]"),
        new ServiceMqttEnv(true, 11883, SECRETS, GATEWAY_BOX));

    EnvironmentSpec spec = definition.spec();
    assertThat(spec.env()).containsAllEntriesOf(Map.of(
        "MODE", "prod",
        "DCLOUD_MQTT_HOST", "dcloud-gateway",
        "DCLOUD_MQTT_PORT", "11883",
        "DCLOUD_MQTT_USERNAME", "service-plant",
        "DCLOUD_MQTT_BINDINGS_TOPIC", "dcloud/services/plant/bindings"));
    String sealed = spec.secretEnv().get("DCLOUD_MQTT_PASSWORD");
    assertThat(sealed).isNotEqualTo(SECRETS.servicePassword("plant"));
    assertThat(GATEWAY_BOX.open("DCLOUD_MQTT_PASSWORD", sealed)).isEqualTo(SECRETS.servicePassword("plant"));
  }

  @Test
  void anAppWithoutBindingsGetsNoBrokerVariables() {
    ServiceDefinition definition = service(config(""), new ServiceMqttEnv(true, 1883, SECRETS, GATEWAY_BOX));

    assertThat(definition.bindings()).isEmpty();
    assertThat(definition.spec().env()).doesNotContainKey("DCLOUD_MQTT_HOST");
    assertThat(definition.spec().secretEnv()).doesNotContainKey("DCLOUD_MQTT_PASSWORD");
  }

  @Test
  void badBindingsAreNamedByField() {
    assertThatThrownBy(() -> config(", \"bindings\": [{\"type\": \"thermometer\", \"min\": 3, \"max\": 2},"
        + " {\"min\": 1}, {\"type\": \"valve\", \"max\": 1001}, {\"type\": \"thermometer\"}, \"x\"]"))
        .isInstanceOfSatisfying(ValidationException.class, invalid -> assertThat(invalid.errors())
            .extracting(FieldError::field)
            .contains("bindings[0].min", "bindings[1].type", "bindings[2].max", "bindings[3].type", "bindings[4]"));
    assertThatThrownBy(() -> config(", \"bindings\": {\"type\": \"thermometer\"}"))
        .isInstanceOfSatisfying(ValidationException.class, invalid -> assertThat(invalid.errors())
            .extracting(FieldError::field).containsExactly("bindings"));
  }

  @Test
  void withoutASecretsKeyAnAppWithBindingsIsRefusedWithA503() {
    assertThatThrownBy(() -> service(config(", \"bindings\": [{\"type\": \"thermometer\"}]"), new ServiceMqttEnv(true, 1883, null, GATEWAY_BOX)))
        .isInstanceOfSatisfying(ProblemException.class, refused ->
            assertThat(refused.problem().status()).isEqualTo(503));
  }

  @Test
  void withTheBrokerOffAnAppWithBindingsIsRefusedNamingTheSetting() {
    assertThatThrownBy(() -> service(config(", \"bindings\": [{\"type\": \"thermometer\"}]"),
        new ServiceMqttEnv(false, 1883, SECRETS, GATEWAY_BOX)))
        .isInstanceOfSatisfying(ProblemException.class, refused -> {
          assertThat(refused.problem().status()).isEqualTo(503);
          assertThat(refused.problem().detail()).contains("dcloud.broker.enabled = off");
        });
  }

  @Test
  void typesThatAreNotRegisteredAtDeployTimeAreNamed() {
    SensorType thermometer = new SensorType("thermometer", SensorType.Kind.SENSOR,
        Map.of("t", new SensorType.Field(SensorType.FieldType.NUMBER, "°C", null, null)), Map.of(), "carl", Instant.now());
    RegistryView registry = new RegistryView(1, Map.of("thermometer", thermometer), Map.of(), Map.of());

    BindingSlots.checkTypes(java.util.List.of(new BindingSlot("thermometer", 1, 1)), registry);
    assertThatThrownBy(() -> BindingSlots.checkTypes(
            java.util.List.of(new BindingSlot("thermometer", 1, 1), new BindingSlot("valve", 1, 1)), registry))
        .isInstanceOfSatisfying(ValidationException.class, invalid -> assertThat(invalid.errors())
            .extracting(FieldError::field).containsExactly("bindings[1].type"));
  }
}
