package io.dcloud.broker;

import static io.dcloud.broker.Registries.binding;
import static io.dcloud.broker.Registries.device;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.device.DeviceSecrets;
import io.dcloud.secret.SecretBox;
import java.util.List;
import org.junit.jupiter.api.Test;

class AccountChangesTest {
  private static final DeviceSecrets SECRETS = new DeviceSecrets(new SecretBox(new byte[SecretBox.KEY_BYTES]));

  private static BrokerState state(long version, List<io.dcloud.device.Device> devices, List<io.dcloud.device.Binding> bindings) {
    return BrokerState.of(BrokerAccounts.from(Registries.view(version, devices, bindings), SECRETS));
  }

  private static List<String> described(List<ObjectNode> commands) {
    return commands.stream().map(c -> AccountChanges.describe(List.of(c))).toList();
  }

  @Test
  void nothingChangesNothing() {
    BrokerState state = state(1, List.of(device("t1", "thermo")), List.of());
    assertThat(AccountChanges.between(state, state)).isEmpty();
  }

  @Test
  void aNewDeviceGetsItsRoleFirstThenItsClientWithPasswordAndFingerprint() {
    List<ObjectNode> commands = AccountChanges.between(state(1, List.of(), List.of()), state(2, List.of(device("t1", "thermo")), List.of()));

    assertThat(described(commands)).containsExactly("createRole device-t1", "createClient device-t1");
    ObjectNode client = commands.get(1);
    assertThat(client.path("password").asText()).isEqualTo(SECRETS.devicePassword(device("t1", "thermo")));
    assertThat(client.path("textdescription").asText()).startsWith("dcloud password ");
    assertThat(client.path("roles").get(0).path("rolename").asText()).isEqualTo("device-t1");
    assertThat(commands.get(0).path("acls")).hasSize(2);
  }

  @Test
  void aNewDisabledDeviceIsDisabledBeforeItHasAPassword() {
    List<ObjectNode> commands = AccountChanges.between(
        state(1, List.of(), List.of()), state(2, List.of(device("t1", "thermo").withEnabled(false)), List.of()));

    assertThat(described(commands)).containsExactly("createRole device-t1", "createClient device-t1", "disableClient device-t1", "modifyClient device-t1");
    assertThat(commands.get(1).has("password")).isFalse();
    assertThat(commands.get(3).has("password")).isTrue();
  }

  @Test
  void disablingRotatingAndDeletingAreOneCommandEach() {
    BrokerState before = state(1, List.of(device("t1", "thermo"), device("t2", "thermo"), device("t3", "thermo")), List.of());
    BrokerState after = state(2, List.of(device("t1", "thermo").withEnabled(false), device("t2", "thermo").withCredentialNonce("n2")), List.of());

    assertThat(described(AccountChanges.between(before, after)))
        .containsExactly("disableClient device-t1", "modifyClient device-t2", "deleteClient device-t3", "deleteRole device-t3");
  }

  @Test
  void unbindingADeviceRemovesExactlyItsRightsFromTheService() {
    BrokerState before = state(1, List.of(device("t1", "thermo"), device("t2", "thermo")), List.of(binding("b1", "gh", 1, "t1", "t2")));
    BrokerState after = state(2, List.of(device("t1", "thermo"), device("t2", "thermo")), List.of(binding("b1", "gh", 1, "t1")));

    assertThat(described(AccountChanges.between(before, after))).containsExactlyInAnyOrder(
        "removeRoleACL service-gh dcloud/readings/t2", "removeRoleACL service-gh dcloud/readings/t2");
    assertThat(AccountChanges.between(before, after)).extracting(c -> c.path("acltype").asText())
        .containsExactlyInAnyOrder("subscribeLiteral", "publishClientReceive");
  }

  @Test
  void theLastBindingsGoingDeletesTheServicesAccount() {
    BrokerState before = state(1, List.of(device("t1", "thermo")), List.of(binding("b1", "gh", 1, "t1")));
    BrokerState after = state(2, List.of(device("t1", "thermo")), List.of());

    assertThat(described(AccountChanges.between(before, after))).containsExactly("deleteClient service-gh", "deleteRole service-gh");
  }

  @Test
  void aFullSyncReadsTheBrokerKeepsCurrentPasswordsAndLeavesForeignAccountsAlone() throws Exception {
    BrokerState desired = state(3, List.of(device("t1", "thermo"), device("t2", "thermo")), List.of());
    String fingerprint = BrokerState.fingerprint("device-t1", SECRETS.devicePassword(device("t1", "thermo")));
    ObjectMapper json = new ObjectMapper();
    BrokerState broker = BrokerState.fromListing(
        json.readTree("""
            {"clients": [
              {"username": "dcloud-admin", "roles": [{"rolename": "admin"}]},
              {"username": "device-t1", "textdescription": "%s", "roles": [{"rolename": "device-t1"}]},
              {"username": "device-t2", "textdescription": "dcloud password 0000", "disabled": true, "roles": []},
              {"username": "device-gone", "roles": [{"rolename": "device-gone"}]}]}
            """.formatted(fingerprint)),
        json.readTree("""
            {"roles": [
              {"rolename": "admin", "acls": [{"acltype": "subscribePattern", "topic": "#", "allow": true}]},
              {"rolename": "device-t1", "acls": [
                {"acltype": "publishClientSend", "topic": "dcloud/devices/t1/readings", "allow": true},
                {"acltype": "publishClientSend", "topic": "dcloud/devices/t1/acks", "allow": false},
                {"acltype": "publishClientSend", "topic": "dcloud/devices/x/readings", "allow": true}]},
              {"rolename": "device-gone", "acls": []}]}
            """));

    assertThat(described(AccountChanges.between(broker, desired))).containsExactly(
        "removeRoleACL device-t1 dcloud/devices/t1/acks", "addRoleACL device-t1 dcloud/devices/t1/acks",
        "removeRoleACL device-t1 dcloud/devices/x/readings",
        "createRole device-t2",
        "modifyClient device-t2", "enableClient device-t2", "addClientRole device-t2",
        "deleteClient device-gone", "deleteRole device-gone");
  }

  @Test
  void theAdminGetsDefaultDenyAndItsRoleOnce() throws Exception {
    ObjectMapper json = new ObjectMapper();
    BrokerState fresh = BrokerState.fromListing(
        json.readTree("{\"clients\": [{\"username\": \"dcloud-admin\", \"roles\": [{\"rolename\": \"admin\"}]}]}"),
        json.readTree("{\"roles\": [{\"rolename\": \"admin\", \"acls\": []}]}"));
    List<ObjectNode> first = AdminRights.commands(fresh, "dcloud-admin");
    assertThat(described(first)).containsExactly("setDefaultACLAccess ", "createRole dcloud");
    assertThat(described(AdminRights.grantToAdmin(fresh, "dcloud-admin"))).containsExactly("addClientRole dcloud-admin");
    assertThat(first.get(0).path("acls").toString()).contains("{\"acltype\":\"publishClientReceive\",\"allow\":false}");

    BrokerState done = BrokerState.fromListing(
        json.readTree("{\"clients\": [{\"username\": \"dcloud-admin\", \"roles\": [{\"rolename\": \"admin\"}, {\"rolename\": \"dcloud\"}]}]}"),
        json.readTree("{\"roles\": [{\"rolename\": \"dcloud\", \"acls\": " + first.get(1).path("acls") + "}]}"));
    assertThat(described(AdminRights.commands(done, "dcloud-admin"))).containsExactly("setDefaultACLAccess ");
    assertThat(AdminRights.grantToAdmin(done, "dcloud-admin")).isEmpty();
  }
}
