package io.dcloud.broker;

import org.apache.pekko.Done;
import java.util.concurrent.CompletableFuture;
import static io.dcloud.broker.Registries.THERMO;
import static io.dcloud.broker.Registries.VALVE;
import static io.dcloud.broker.Registries.binding;
import static io.dcloud.broker.Registries.device;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.device.BindingSlot;
import io.dcloud.device.Device;
import io.dcloud.device.DeviceRegistry;
import io.dcloud.device.DeviceSecrets;
import io.dcloud.device.RegistryChanged;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.secret.SecretBox;
import io.dcloud.testing.LogCapture;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.javadsl.SnapshotTestKit;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * BrokerAccess against a real Mosquitto and a real device registry (in-memory journal): what the
 * registry says is what devices and apps, as real Paho clients, may do at the broker.
 */
@Tag("mqtt")
class BrokerAccessTest {
  private static final Config CONFIG = EventSourcedBehaviorTestKit.config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create("broker-access-test", CONFIG);
  private static final Duration WITHIN = Duration.ofSeconds(20);
  private static final DeviceSecrets SECRETS = new DeviceSecrets(SecretBox.throwaway());
  private static final List<BindingSlot> SLOTS = List.of(new BindingSlot("thermo", 1, 2), new BindingSlot("valve", 0, 1));
  private static int instances;

  static {
    Metrics.addRegistry(new SimpleMeterRegistry());
  }

  private MosquittoBroker broker;
  private ActorRef<DeviceRegistry.Command> registry;
  private ActorRef<BrokerAccess.Command> access;
  private static final String OBSERVER = "test-observer";
  private DeviceClient admin;
  private BrokerSettings settings;
  private MqttConnection adminConnection;
  private final List<DeviceClient> clients = new java.util.ArrayList<>();
  private LogCapture accessLog;
  private LogCapture syncLog;

  @BeforeEach
  void setUp() throws Exception {
    PersistenceTestKit.create(testKit.system()).clearAll();
    SnapshotTestKit.create(testKit.system()).clearAll();
    broker = MosquittoBroker.start();
    int n = ++instances;
    ActorRef<Topic.Command<RegistryChanged>> changes =
        testKit.spawn(Topic.create(RegistryChanged.class, RegistryChanged.TOPIC_NAME + "-" + n), "changes-" + n);
    registry = testKit.spawn(DeviceRegistry.create(JournalBackoff.fromConfig(CONFIG), changes,
        (id, by) -> CompletableFuture.completedFuture(Done.getInstance())), "registry-" + n);
    BrokerSettings settings = BrokerSettings.fromConfig(ConfigFactory.parseMap(broker.config())
        .withFallback(ConfigFactory.parseMap(Map.of("dcloud.broker.access.retry-min-backoff", "200ms")))
        .withFallback(CONFIG).getConfig("dcloud.broker"));
    observerAccount(settings);
    accessLog = LogCapture.of(BrokerAccess.class);
    syncLog = LogCapture.of(AccessSync.class);
    access = testKit.spawn(BrokerAccess.create(settings, SECRETS, registry, changes), "access-" + n);
    admin = track(DeviceClient.connect(broker, OBSERVER, OBSERVER));
    registry(r -> new DeviceRegistry.RegisterType(THERMO, r));
    registry(r -> new DeviceRegistry.RegisterType(VALVE, r));
  }

  @AfterEach
  void tearDown() {
    clients.forEach(DeviceClient::close);
    if (access != null) {
      testKit.stop(access);
    }
    if (registry != null) {
      testKit.stop(registry);
    }
    if (adminConnection != null) {
      adminConnection.close();
    }
    if (broker != null) {
      broker.close();
    }
    if (accessLog != null) {
      accessLog.close();
      syncLog.close();
    }
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /**
   * The tests watch as an account of their own, made before BrokerAccess starts: giving the admin
   * DCloud's role drops the admin's connections once, which would drop a test's admin client too.
   */
  private void observerAccount(BrokerSettings settings) throws Exception {
    MqttConnection connection = MqttConnection.connect(settings, "test-admin").toCompletableFuture().get(20, TimeUnit.SECONDS);
    DynamicSecurity dynsec = DynamicSecurity.over(connection, settings);
    this.settings = settings;
    dynsec.subscribe().toCompletableFuture().get(20, TimeUnit.SECONDS);
    ObjectNode role = DynamicSecurity.command("createRole").put("rolename", OBSERVER);
    for (String type : List.of("publishClientSend", "publishClientReceive", "subscribePattern")) {
      role.withArray("acls").addObject().put("acltype", type).put("topic", "#").put("allow", true);
    }
    ObjectNode client = DynamicSecurity.command("createClient").put("username", OBSERVER).put("password", OBSERVER);
    client.withArray("roles").addObject().put("rolename", OBSERVER);
    for (var stage : dynsec.executeAll(List.of(role, client))) {
      stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
    }
    adminConnection = connection;
  }

  private DeviceRegistry.Reply registry(Function<ActorRef<DeviceRegistry.Reply>, DeviceRegistry.Command> command) {
    DeviceRegistry.Reply reply = org.apache.pekko.actor.typed.javadsl.AskPattern.ask(
        registry, command::apply, WITHIN, testKit.scheduler()).toCompletableFuture().join();
    assertThat(reply).isNotInstanceOf(DeviceRegistry.Refused.class);
    return reply;
  }

  private Device register(Device device) {
    registry(r -> new DeviceRegistry.RegisterDevice(device, r));
    return device;
  }

  private DeviceClient track(DeviceClient client) {
    clients.add(client);
    return client;
  }

  /** Connects once BrokerAccess has made the account (polled until the deadline). */
  private DeviceClient connectWhenAllowed(String username, String password) {
    AtomicReference<DeviceClient> client = new AtomicReference<>();
    await("%s may connect".formatted(username)).atMost(WITHIN).ignoreExceptionsInstanceOf(MqttException.class)
        .until(() -> client.compareAndSet(null, DeviceClient.connect(broker, username, password)));
    return track(client.get());
  }

  private boolean refused(String username, String password) {
    try {
      DeviceClient.connect(broker, username, password).close();
      return false;
    } catch (MqttException e) {
      return e.getReasonCode() == MqttException.REASON_CODE_FAILED_AUTHENTICATION
          || e.getReasonCode() == MqttException.REASON_CODE_NOT_AUTHORIZED;
    }
  }

  private DeviceClient connectAs(Device device) {
    return connectWhenAllowed("device-" + device.id(), SECRETS.devicePassword(device));
  }

  /**
   * setUp started DCloud's access on a fresh broker, whose first full sync gave the admin account
   * DCloud's role; the broker then dropped the account's connections, as it does, and the access
   * synced again once reconnected. Said, not warned: it happens on every new broker.
   */
  @Test
  void givingTheAdminItsRoleOnAFreshBrokerIsExplainedNotWarned() {
    await().atMost(WITHIN).until(() -> accessLog.messages(Level.INFO).stream().anyMatch(m -> m.contains("(full sync, ")));

    assertThat(syncLog.messages(Level.INFO)).anyMatch(m -> m.startsWith("giving DCloud's admin account"));
    assertThat(accessLog.messages(Level.WARN)).isEmpty();
  }

  @Test
  void aDevicePublishesOnlyOnItsOwnTopicAndCannotSubscribeToAnothersCommands() throws Exception {
    Device t1 = register(device("t1", "thermo"));
    register(device("t2", "thermo"));
    assertThat(admin.subscribe("dcloud/devices/+/readings")).isEqualTo(1);
    DeviceClient sensor = connectAs(t1);

    sensor.publish("dcloud/devices/t2/readings", "{\"temperature\": 99}");
    sensor.publish("dcloud/devices/t1/readings", "{\"temperature\": 21}");

    // Both sent on one connection in this order: the forged one, had it been delivered, came first.
    assertThat(admin.next()).isEqualTo("dcloud/devices/t1/readings {\"temperature\": 21}");
    assertThat(sensor.subscribe("dcloud/devices/t2/commands")).isEqualTo(0x80);
    assertThat(sensor.subscribe("dcloud/devices/t1/commands")).as("a sensor has no commands").isEqualTo(0x80);
    assertThat(sensor.connected()).isTrue();
  }

  @Test
  void aControllerReceivesTheCommandsDcloudPublishesOnItsTopic() throws Exception {
    Device v1 = register(device("v1", "valve"));
    DeviceClient valve = connectAs(v1);
    assertThat(valve.subscribe("dcloud/devices/v1/commands")).isEqualTo(1);

    admin.publish("dcloud/devices/v1/commands", "{\"id\": \"c1\", \"name\": \"open\", \"params\": {\"percent\": 50}}");

    assertThat(valve.next()).isEqualTo("dcloud/devices/v1/commands {\"id\": \"c1\", \"name\": \"open\", \"params\": {\"percent\": 50}}");
  }

  @Test
  void disablingOrDeletingADeviceDropsItsConnectionAndRefusesItAgain() throws Exception {
    Device t1 = register(device("t1", "thermo"));
    String password = SECRETS.devicePassword(t1);
    DeviceClient sensor = connectAs(t1);

    registry(r -> new DeviceRegistry.SetEnabled("t1", false, r));
    await("disabled: dropped").atMost(WITHIN).until(() -> !sensor.connected());
    assertThat(refused("device-t1", password)).isTrue();

    registry(r -> new DeviceRegistry.SetEnabled("t1", true, r));
    DeviceClient again = connectWhenAllowed("device-t1", password);

    registry(r -> new DeviceRegistry.DeleteDevice("t1", "carol", r));
    await("deleted: dropped").atMost(WITHIN).until(() -> !again.connected());
    assertThat(refused("device-t1", password)).isTrue();
  }

  @Test
  void rotatingCredentialsRefusesTheOldPasswordAndAdmitsTheNew() throws Exception {
    Device t1 = register(device("t1", "thermo"));
    DeviceClient old = connectAs(t1);

    registry(r -> new DeviceRegistry.RotateCredentials("t1", "rotated", r));
    DeviceClient rotated = connectAs(t1.withCredentialNonce("rotated"));

    assertThat(refused("device-t1", SECRETS.devicePassword(t1))).isTrue();
    await("the old secret's connection is dropped").atMost(WITHIN).until(() -> !old.connected());
    assertThat(rotated.connected()).isTrue();
  }

  @Test
  void aServiceReceivesItsBindingsAndBoundReadingsAndCommandsOnlyBoundControllers() throws Exception {
    register(device("t1", "thermo"));
    register(device("t2", "thermo"));
    register(device("v1", "valve"));
    register(device("v2", "valve"));
    registry(r -> new DeviceRegistry.CreateBinding(binding("b1", "gh", 1, "t1", "v1"), SLOTS, r));
    DeviceClient app = connectWhenAllowed("service-gh", SECRETS.servicePassword("gh"));

    assertThat(app.subscribe("dcloud/services/gh/bindings")).isEqualTo(1);
    assertThat(app.next()).startsWith("dcloud/services/gh/bindings {\"service\":\"gh\",\"bindings\":[{\"id\":\"b1\"")
        .contains("\"commands\":\"dcloud/services/gh/commands/v1\"");
    assertThat(app.subscribe("dcloud/readings/t1")).isEqualTo(1);
    assertThat(app.subscribe("dcloud/readings/t2")).isEqualTo(0x80);
    assertThat(app.subscribe("dcloud/readings/+")).isEqualTo(0x80);
    assertThat(app.subscribe("dcloud/devices/t1/readings")).isEqualTo(0x80);

    admin.publish("dcloud/readings/t2", "unbound");
    admin.publish("dcloud/readings/t1", "bound");
    assertThat(app.next()).isEqualTo("dcloud/readings/t1 bound");

    assertThat(admin.subscribe("dcloud/services/gh/commands/+")).isEqualTo(1);
    app.publish("dcloud/services/gh/commands/v2", "{\"name\": \"open\"}");
    app.publish("dcloud/services/gh/commands/t1", "{\"name\": \"open\"}");
    app.publish("dcloud/services/gh/commands/v1", "{\"name\": \"open\"}");
    assertThat(admin.next()).isEqualTo("dcloud/services/gh/commands/v1 {\"name\": \"open\"}");
  }

  @Test
  void unbindingStopsDeliveryAtOnceWithoutAReconnectAndTheLastBindingClearsTheDocument() throws Exception {
    register(device("t1", "thermo"));
    register(device("t2", "thermo"));
    registry(r -> new DeviceRegistry.CreateBinding(binding("b1", "gh", 1, "t1"), SLOTS, r));
    registry(r -> new DeviceRegistry.CreateBinding(binding("b2", "gh", 2, "t2"), SLOTS, r));
    DeviceClient app = connectWhenAllowed("service-gh", SECRETS.servicePassword("gh"));
    assertThat(app.subscribe("dcloud/services/gh/bindings")).isEqualTo(1);
    await("both bindings published").atMost(WITHIN).until(() -> app.next().contains("\"id\":\"b2\""));
    assertThat(app.subscribe("dcloud/readings/t1")).isEqualTo(1);
    assertThat(app.subscribe("dcloud/readings/t2")).isEqualTo(1);
    admin.publish("dcloud/readings/t2", "before");
    assertThat(app.next()).isEqualTo("dcloud/readings/t2 before");

    registry(r -> new DeviceRegistry.DeleteBinding("b2", r));
    // The document follows the rights: once it says b2 is gone, t2's readings are no longer delivered.
    String document = app.next();
    assertThat(document).startsWith("dcloud/services/gh/bindings").doesNotContain("b2");
    admin.publish("dcloud/readings/t2", "after");
    admin.publish("dcloud/readings/t1", "marker");
    assertThat(app.next()).isEqualTo("dcloud/readings/t1 marker");
    assertThat(app.connected()).isTrue();
    assertThat(app.lost).hasValue(0);

    registry(r -> new DeviceRegistry.DeleteBinding("b1", r));
    await("the service's account goes with its last binding").atMost(WITHIN).until(() -> !app.connected());
    assertThat(refused("service-gh", SECRETS.servicePassword("gh"))).isTrue();
    // A retained document would reach a new subscriber before anything published after subscribing.
    await("the document is cleared").atMost(WITHIN).until(() -> {
      try (DeviceClient reader = DeviceClient.connect(broker, broker.adminUsername(), broker.adminPassword())) {
        reader.subscribe("dcloud/services/gh/bindings");
        reader.subscribe("dcloud/marker");
        reader.publish("dcloud/marker", "m");
        return "dcloud/marker m".equals(reader.next());
      }
    });
  }

  @Test
  void aFullSyncRemovesAccountsTheRegistryDoesNotHave() throws Exception {
    Device t1 = register(device("t1", "thermo"));
    connectAs(t1).close();
    // An account left over from before (the registry lost it, or it was made by hand under DCloud's names).
    // Retried: BrokerAccess's first sync drops the admin's connections once (giving it DCloud's role).
    await("a stale account made").atMost(WITHIN).ignoreExceptions().until(() -> {
      try (MqttConnection connection = MqttConnection.connect(settings, "test-stale").toCompletableFuture().get(20, TimeUnit.SECONDS)) {
        DynamicSecurity admin = DynamicSecurity.over(connection, settings);
        admin.subscribe().toCompletableFuture().get(20, TimeUnit.SECONDS);
        admin.execute(DynamicSecurity.command("createClient").put("username", "device-stale").put("password", "pw"))
            .toCompletableFuture().get(20, TimeUnit.SECONDS);
      }
      return !refused("device-stale", "pw");
    });

    testKit.stop(access);
    ActorRef<Topic.Command<RegistryChanged>> changes = testKit.spawn(Topic.create(RegistryChanged.class, "restart-changes"));
    access = testKit.spawn(BrokerAccess.create(settings, SECRETS, registry, changes));

    await("the stale account is gone").atMost(WITHIN).until(() -> refused("device-stale", "pw"));
    assertThat(refused("device-t1", SECRETS.devicePassword(t1))).isFalse();
  }

}
