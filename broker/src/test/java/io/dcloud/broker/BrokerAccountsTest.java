package io.dcloud.broker;

import static io.dcloud.broker.BrokerAccount.Acl.PUBLISH_RECEIVE;
import static io.dcloud.broker.BrokerAccount.Acl.PUBLISH_SEND;
import static io.dcloud.broker.BrokerAccount.Acl.SUBSCRIBE_LITERAL;
import static io.dcloud.broker.BrokerAccount.Acl.allow;
import static io.dcloud.broker.Registries.binding;
import static io.dcloud.broker.Registries.device;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.device.DeviceSecrets;
import io.dcloud.device.RegistryView;
import io.dcloud.secret.SecretBox;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class BrokerAccountsTest {
  private static final SecretBox BOX = new SecretBox(new byte[SecretBox.KEY_BYTES]);
  private static final DeviceSecrets SECRETS = new DeviceSecrets(BOX);

  private final RegistryView view = Registries.view(7,
      List.of(device("t1", "thermo"), device("t2", "thermo").withEnabled(false), device("v1", "valve")),
      List.of(binding("b2", "greenhouse", 2, "t1"), binding("b1", "greenhouse", 1, "t1", "v1")));

  @Test
  void aSensorMayOnlyPublishItsReadingsAndAcksWithItsDerivedPassword() {
    BrokerAccount t1 = BrokerAccounts.from(view, SECRETS).accounts().get("device-t1");

    assertThat(t1.password()).isEqualTo(SECRETS.devicePassword(device("t1", "thermo"))).isNotBlank();
    assertThat(t1.enabled()).isTrue();
    assertThat(t1.acls()).containsExactlyInAnyOrder(
        allow(PUBLISH_SEND, "dcloud/devices/t1/readings"), allow(PUBLISH_SEND, "dcloud/devices/t1/acks"));
  }

  @Test
  void aControllerAlsoReceivesItsCommandsAndADisabledDeviceIsADisabledAccount() {
    BrokerAccounts accounts = BrokerAccounts.from(view, SECRETS);

    assertThat(accounts.accounts().get("device-v1").acls()).containsExactlyInAnyOrder(
        allow(PUBLISH_SEND, "dcloud/devices/v1/readings"), allow(PUBLISH_SEND, "dcloud/devices/v1/acks"),
        allow(SUBSCRIBE_LITERAL, "dcloud/devices/v1/commands"), allow(PUBLISH_RECEIVE, "dcloud/devices/v1/commands"));
    assertThat(accounts.accounts().get("device-t2").enabled()).isFalse();
  }

  @Test
  void aBoundServiceReceivesItsBindingsAndBoundReadingsAndCommandsOnlyBoundControllers() {
    BrokerAccounts accounts = BrokerAccounts.from(view, SECRETS);
    BrokerAccount service = accounts.accounts().get("service-greenhouse");

    assertThat(accounts.accounts()).containsOnlyKeys("device-t1", "device-t2", "device-v1", "service-greenhouse");
    assertThat(service.password()).isEqualTo(SECRETS.servicePassword("greenhouse"));
    assertThat(service.acls()).containsExactlyInAnyOrder(
        allow(SUBSCRIBE_LITERAL, "dcloud/services/greenhouse/bindings"), allow(PUBLISH_RECEIVE, "dcloud/services/greenhouse/bindings"),
        allow(SUBSCRIBE_LITERAL, "dcloud/readings/t1"), allow(PUBLISH_RECEIVE, "dcloud/readings/t1"),
        allow(SUBSCRIBE_LITERAL, "dcloud/readings/v1"), allow(PUBLISH_RECEIVE, "dcloud/readings/v1"),
        allow(PUBLISH_SEND, "dcloud/services/greenhouse/commands/v1"));
  }

  @Test
  void aServiceWithoutBindingsHasNoAccountAndNoDocument() {
    BrokerAccounts accounts = BrokerAccounts.from(Registries.view(8, List.of(device("t1", "thermo")), List.of()), SECRETS);

    assertThat(accounts.accounts()).containsOnlyKeys("device-t1");
    assertThat(accounts.documents()).isEmpty();
    assertThat(accounts.version()).isEqualTo(8);
  }

  /** Its app connects before its first binding and reads that it has none after its last. */
  @Test
  void aDeclaredServiceWithoutBindingsHasAnAccountForItsBindingsAndAnEmptyDocument() throws Exception {
    RegistryView unbound = Registries.view(8, List.of(device("t1", "thermo")), List.of());
    RegistryView declared = new RegistryView(9, unbound.types(), unbound.devices(), unbound.bindings(), Set.of("greenhouse"),
        Map.of());
    BrokerAccounts accounts = BrokerAccounts.from(declared, SECRETS);

    assertThat(accounts.accounts()).containsOnlyKeys("device-t1", "service-greenhouse");
    assertThat(accounts.accounts().get("service-greenhouse").acls()).containsExactlyInAnyOrder(
        allow(SUBSCRIBE_LITERAL, "dcloud/services/greenhouse/bindings"), allow(PUBLISH_RECEIVE, "dcloud/services/greenhouse/bindings"));
    assertThat(new ObjectMapper().readTree(accounts.documents().get("greenhouse")))
        .isEqualTo(new ObjectMapper().readTree("{\"service\": \"greenhouse\", \"bindings\": []}"));
  }

  @Test
  void theBindingsDocumentListsBindingsOldestFirstWithEachDevicesTopics() throws Exception {
    JsonNode document = new ObjectMapper().readTree(BrokerAccounts.from(view, SECRETS).documents().get("greenhouse"));

    assertThat(document.path("service").asText()).isEqualTo("greenhouse");
    assertThat(document.path("bindings").findValuesAsText("id")).startsWith("b1");
    JsonNode first = document.path("bindings").get(0);
    assertThat(first.path("owner").asText()).isEqualTo("alice");
    JsonNode thermo = first.path("devices").get(0);
    assertThat(thermo.path("id").asText()).isEqualTo("t1");
    assertThat(thermo.path("kind").asText()).isEqualTo("sensor");
    assertThat(thermo.path("type").asText()).isEqualTo("thermo");
    assertThat(thermo.path("readings").asText()).isEqualTo("dcloud/readings/t1");
    assertThat(thermo.has("commands")).isFalse();
    assertThat(thermo.path("location").path("site").asText()).isEqualTo("lab");
    assertThat(thermo.path("location").has("lat")).isFalse();
    JsonNode valve = first.path("devices").get(1);
    assertThat(valve.path("kind").asText()).isEqualTo("controller");
    assertThat(valve.path("commands").asText()).isEqualTo("dcloud/services/greenhouse/commands/v1");
    assertThat(document.path("bindings").get(1).path("id").asText()).isEqualTo("b2");
  }

  @Test
  void rotatingADevicesNonceChangesOnlyItsPassword() {
    RegistryView rotated = Registries.view(8,
        List.of(device("t1", "thermo").withCredentialNonce("new"), device("t2", "thermo").withEnabled(false), device("v1", "valve")),
        List.of(binding("b2", "greenhouse", 2, "t1"), binding("b1", "greenhouse", 1, "t1", "v1")));

    BrokerAccounts before = BrokerAccounts.from(view, SECRETS);
    BrokerAccounts after = BrokerAccounts.from(rotated, SECRETS);

    assertThat(after.accounts().get("device-t1").password()).isNotEqualTo(before.accounts().get("device-t1").password());
    assertThat(after.accounts().get("device-v1")).isEqualTo(before.accounts().get("device-v1"));
  }
}
