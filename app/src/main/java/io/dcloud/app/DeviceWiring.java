package io.dcloud.app;

import com.typesafe.config.Config;
import io.dcloud.broker.BrokerAccess;
import io.dcloud.broker.BrokerSettings;
import io.dcloud.broker.IngestSettings;
import io.dcloud.broker.MqttCommandSender;
import io.dcloud.broker.MqttConnection;
import io.dcloud.broker.MqttReadingsFeed;
import io.dcloud.broker.ReadingIngest;
import io.dcloud.device.DeviceCommand;
import io.dcloud.device.DeviceCommands;
import io.dcloud.device.DeviceEraser;
import io.dcloud.device.DeviceRegistry;
import io.dcloud.device.DeviceSecrets;
import io.dcloud.device.ReadingStore;
import io.dcloud.device.RegistryChanged;
import io.dcloud.device.RegistryMirror;
import io.dcloud.gateway.common.DeviceBackends;
import io.dcloud.persistence.CassandraReadingStore;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.eclipse.paho.client.mqttv3.MqttException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sensors and controllers on a node: the readings' tables in Cassandra; on every node the
 * controllers' command entities (sharded like the rest), publishing through this node's broker
 * connection; on control nodes the registry and the broker's access rules (singletons); on
 * gateways the readings ingest (one shared subscription among gateways), the live feed and the
 * routes' backends. Each connection to the broker retries until it connects: DCloud starts, and
 * serves everything else, while the broker is down. With {@code dcloud.broker.enabled = off} no
 * connection is made at all, and the device routes answer what needs the broker with a 503.
 */
final class DeviceWiring {
  private static final Logger LOG = LoggerFactory.getLogger(DeviceWiring.class);

  private DeviceWiring() {}

  static CompletionStage<Done> createSchema(ActorSystem<?> system, Config config) {
    return CassandraReadingStore.createSchema(system, CassandraReadingStore.Settings.fromConfig(config));
  }

  /** Where this node reads and writes readings (the gateway's routes and ingest, the registry's erasures). */
  static ReadingStore readings(ActorSystem<?> system, Config config) {
    return new CassandraReadingStore(system, CassandraReadingStore.Settings.fromConfig(config), Clock.systemUTC());
  }

  /** How the registry erases a deleted device's readings and commands (their entities started on every node). */
  static DeviceEraser eraser(ActorSystem<?> system, Config config, ReadingStore readings) {
    ClusterSharding sharding = ClusterSharding.get(system);
    return DeviceEraser.of(readings, id -> sharding.entityRefFor(DeviceCommands.TYPE_KEY, id),
        config.getDuration("dcloud.ask-timeout"));
  }

  /** The topic of registry change notices, the controllers' command entities and their broker connection. */
  static ActorRef<Topic.Command<RegistryChanged>> startOnEveryNode(
      ActorContext<?> context, Config config, MeterRegistry meters) {
    ActorSystem<?> system = context.getSystem();
    ActorRef<Topic.Command<RegistryChanged>> changes =
        context.spawn(Topic.create(RegistryChanged.class, RegistryChanged.TOPIC_NAME), "device-registry-changes");
    if (!brokerEnabled(config)) {
      LOG.info("dcloud.broker.enabled is off: no MQTT broker, so no sensors or controllers on this cluster");
      // The gateways refuse new commands; one issued before the switch fails each time it is sent again.
      DeviceCommands.init(system, (device, payload) ->
          CompletableFuture.failedFuture(new IllegalStateException("the MQTT broker is off (dcloud.broker.enabled)")));
      return changes;
    }
    MqttConnection commands = connection(system, config, meters, "dcloud-commands", connection -> {});
    DeviceCommands.init(system, new MqttCommandSender(commands));
    return changes;
  }

  /**
   * The broker's accounts kept in line with the registry (DCloudNode starts it as a singleton);
   * empty without a secrets key: there are no device passwords then, so nothing to give the broker.
   */
  static Optional<Behavior<BrokerAccess.Command>> access(Config config, ActorRef<DeviceRegistry.Command> registry,
      ActorRef<Topic.Command<RegistryChanged>> changes) {
    if (!brokerEnabled(config)) {
      return Optional.empty();
    }
    DeviceSecrets secrets = DeviceBackends.secrets(config);
    if (secrets == null) {
      LOG.warn("No dcloud.secrets.key: devices cannot be given broker accounts, so the broker's access rules are not kept");
      return Optional.empty();
    }
    return Optional.of(BrokerAccess.create(brokerSettings(config), secrets, registry, changes));
  }

  /**
   * The readings ingest, the live feed, and what the gateway's device routes use. The ingest's
   * connection has a persistent session under {@code dcloud-ingest-<nodeId>}: the node id is the
   * same after a restart and differs between nodes, so the broker hands a restarted gateway what
   * it had not acknowledged, and what arrived for it while it was away.
   */
  static DeviceBackends forGateway(ActorContext<?> context, Config config, String nodeId, MeterRegistry meters,
      ActorRef<DeviceRegistry.Command> registry, ActorRef<Topic.Command<RegistryChanged>> changes, ReadingStore store) {
    ActorSystem<?> system = context.getSystem();
    ClusterSharding sharding = ClusterSharding.get(system);
    BrokerSettings broker = brokerSettings(config);
    RegistryMirror mirror = new RegistryMirror();
    context.spawn(mirror.follower(registry, changes, broker.access().refreshInterval()), "device-registry-mirror");
    MqttReadingsFeed feed = new MqttReadingsFeed();
    DeviceBackends backends = new DeviceBackends(registry, id -> sharding.entityRefFor(DeviceCommands.TYPE_KEY, id),
        store, feed, DeviceBackends.secrets(config), DeviceBackends.brokerUrl(config));
    if (!backends.brokerEnabled()) {
      return backends;
    }
    Duration askTimeout = config.getDuration("dcloud.ask-timeout");
    // An app's command is acknowledged to the broker once its entity confirmed it: asked, not told.
    ReadingIngest ingest = new ReadingIngest(IngestSettings.fromConfig(broker, config), mirror, store,
        (device, ack) -> sharding.entityRefFor(DeviceCommands.TYPE_KEY, device).tell(ack),
        command -> sharding.entityRefFor(DeviceCommands.TYPE_KEY, command.device())
            .<DeviceCommand>ask(replyTo -> new DeviceCommands.Issue(command, replyTo), askTimeout),
        meters, Clock.systemUTC());
    watched(system, meters, "dcloud-ingest",
        () -> MqttConnection.openPersistent(broker, "dcloud-ingest-" + nodeId, ingest::subscribe));
    connection(system, config, meters, "dcloud-feed", feed::connected);
    return backends;
  }

  private static boolean brokerEnabled(Config config) {
    return config.getBoolean("dcloud.broker.enabled");
  }

  private static BrokerSettings brokerSettings(Config config) {
    return BrokerSettings.fromConfig(config.getConfig("dcloud.broker"));
  }

  /** A connection as DCloud's admin, closed when the node stops, with its {@code dcloud_broker_connected} gauge. */
  private static MqttConnection connection(ActorSystem<?> system, Config config, MeterRegistry meters, String purpose,
      Consumer<MqttConnection> onEveryConnect) {
    return watched(system, meters, purpose, () -> MqttConnection.open(brokerSettings(config), purpose, onEveryConnect));
  }

  /** What Paho's constructors throw: only for a malformed broker URL. */
  private interface Opening {
    MqttConnection open() throws MqttException;
  }

  private static MqttConnection watched(ActorSystem<?> system, MeterRegistry meters, String purpose, Opening opening) {
    try {
      MqttConnection connection = opening.open();
      Gauge.builder("dcloud_broker_connected", connection, c -> c.connected() ? 1 : 0)
          .description("Whether this node's connection to the MQTT broker is up (1) or not (0)")
          .tag("connection", purpose).register(meters);
      system.getWhenTerminated().thenRun(connection::close);
      return connection;
    } catch (MqttException e) {
      throw new IllegalStateException("cannot make the MQTT client " + purpose + " (is dcloud.broker.host valid?)", e);
    }
  }
}
