package io.dcloud.broker;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.paho.client.mqttv3.MqttClient;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.eclipse.paho.client.mqttv3.persist.MemoryPersistence;

/**
 * Gives a test broker's admin the rights DCloud gives it ({@link AdminRights}: publishing on
 * {@code dcloud/#}, shared subscriptions; {@code dynsec init} only lets it subscribe and publish
 * on {@code $CONTROL}), and makes device accounts. Plain dynamic-security requests over MQTT.
 */
final class AdminGrants {
  private static final String CONTROL = DynamicSecurity.CONTROL_TOPIC;

  private AdminGrants() {}

  static void grant(MosquittoBroker broker) throws Exception {
    BrokerState initial = new BrokerState(
        Map.of(broker.adminUsername(), BrokerState.Client.of(broker.adminUsername(), broker.adminPassword(), true, Set.of("admin"))),
        Map.of());
    List<ObjectNode> commands = new ArrayList<>(AdminRights.commands(initial, broker.adminUsername()));
    commands.addAll(AdminRights.grantToAdmin(initial, broker.adminUsername()));
    ObjectNode request = JsonNodeFactory.instance.objectNode();
    commands.forEach(request.withArray("commands")::add);
    MqttClient admin = new MqttClient(broker.url(), "test-grants", new MemoryPersistence());
    try {
      admin.connect(MosquittoBrokerTest.options(broker.adminUsername(), broker.adminPassword()));
      admin.publish(CONTROL, request.toString().getBytes(StandardCharsets.UTF_8), 1, false);
    } catch (MqttException kicked) {
      // Dynamic security drops the connections of a role it changes, the admin's own included,
      // sometimes before the publish's acknowledgement: whether it took is checked below.
    } finally {
      admin.close(true);
    }
    MqttClient probe = new MqttClient(broker.url(), "test-grants-probe", new MemoryPersistence());
    try {
      probe.connect(MosquittoBrokerTest.options(broker.adminUsername(), broker.adminPassword()));
      int[] granted = probe.subscribeWithResponse(new String[] {"$share/probe/dcloud/probe"}, new int[] {1})
          .getGrantedQos();
      assertThat(granted).as("a shared subscription after the grants").containsExactly(1);
      probe.disconnect();
    } finally {
      probe.close(true);
    }
  }

  /** A device's account as DCloud gives it: it may publish its readings, nothing else. */
  static void device(MosquittoBroker broker, String id, String password) throws Exception {
    String user = "device-" + id;
    String request = """
        {"commands": [
          {"command": "createRole", "rolename": "%1$s"},
          {"command": "addRoleACL", "rolename": "%1$s", "acltype": "publishClientSend", "topic": "dcloud/devices/%2$s/readings", "allow": true},
          {"command": "createClient", "username": "%1$s", "password": "%3$s", "roles": [{"rolename": "%1$s"}]}
        ]}""".formatted(user, id, password);
    MqttClient admin = new MqttClient(broker.url(), "test-device-" + id, new MemoryPersistence());
    try {
      admin.connect(MosquittoBrokerTest.options(broker.adminUsername(), broker.adminPassword()));
      LinkedBlockingQueue<String> responses = new LinkedBlockingQueue<>();
      admin.subscribe(DynamicSecurity.RESPONSE_TOPIC, 1,
          (topic, message) -> responses.add(new String(message.getPayload(), StandardCharsets.UTF_8)));
      admin.publish(CONTROL, request.getBytes(StandardCharsets.UTF_8), 1, false);
      assertThat(responses.poll(20, TimeUnit.SECONDS)).as("dynsec response").isNotNull().doesNotContain("\"error\"");
      admin.disconnect();
    } finally {
      admin.close(true);
    }
  }
}
