package io.dcloud.node;

import com.typesafe.config.Config;
import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime;
import java.io.Closeable;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Lets apps reach the MQTT broker from their containers without the broker being exposed beyond
 * the host: on the gateway address of each DCloud network (what containers know as
 * {@code dcloud-gateway}), relays TCP on {@code dcloud.broker.relay-port} to
 * {@code dcloud.broker.host:port}, byte for byte, so the broker still checks every login and topic.
 * One relay per address, started when the runtime tells of it (see
 * {@link ContainerRuntime#watchNetworkGateways}): at start for the networks that exist, so adopted
 * containers are served, and before a container is created on a new network.
 *
 * <p>An address that cannot be bound (typically another DCloud node on this machine relays there
 * already, to the same broker) is logged once and never tried again: the other relay serves it.
 */
public final class BrokerRelay implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BrokerRelay.class);
  /** Connections the OS queues per address before the relay accepts them (Pekko's default). */
  private static final int BACKLOG = 100;

  /**
   * {@code dcloud.broker.host/port/relay-port}; {@code connectTimeout} bounds reaching the broker and
   * binding an address ({@code dcloud.broker.request-timeout}); {@code retryInterval} is how soon the
   * networks are listed again when the engine could not list them at start ({@code dcloud.node.gossip-interval},
   * as for the node's engine event stream).
   */
  public record Settings(String brokerHost, int brokerPort, int relayPort, Duration connectTimeout, Duration retryInterval) {
    public static Settings fromConfig(Config root) {
      Config broker = root.getConfig("dcloud.broker");
      // With the broker off (dcloud.broker.enabled) there is nothing to relay to.
      return new Settings(broker.getString("host"), broker.getInt("port"),
          broker.getBoolean("enabled") ? broker.getInt("relay-port") : 0,
          broker.getDuration("request-timeout"), root.getDuration("dcloud.node.gossip-interval"));
    }

    /** A relay port of 0 turns the relay off. */
    boolean enabled() {
      return relayPort > 0;
    }
  }

  private final ActorSystem<?> system;
  private final String nodeId;
  private final Settings settings;
  private final ContainerRuntime runtime;
  private final Executor blocking;
  /** Each address told, with its binding (empty: it could not be bound, and is left alone). */
  private final Map<String, CompletableFuture<Optional<Tcp.ServerBinding>>> relays = new ConcurrentHashMap<>();
  private final AtomicBoolean closed = new AtomicBoolean();
  private volatile Closeable watch;

  private BrokerRelay(ActorSystem<?> system, String nodeId, Settings settings, ContainerRuntime runtime) {
    this.system = system;
    this.nodeId = nodeId;
    this.settings = settings;
    this.runtime = runtime;
    this.blocking = system.dispatchers().lookup(DispatcherSelector.fromConfig(NodeSettings.BLOCKING_DISPATCHER));
  }

  /**
   * Starts relaying for the node's containers (nothing when the relay port is 0) and stops when the
   * actor system shuts down. Returns at once: the networks are listed on the blocking dispatcher.
   */
  public static BrokerRelay start(ActorSystem<?> system, String nodeId, Settings settings, ContainerRuntime runtime) {
    BrokerRelay relay = new BrokerRelay(system, nodeId, settings, runtime);
    if (!settings.enabled()) {
      log.info("Node {} relays no MQTT to its containers: dcloud.broker.relay-port is 0", nodeId);
      return relay;
    }
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(), "broker-relay-" + nodeId, () -> {
      relay.close();
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    relay.watchNetworks();
    return relay;
  }

  private void watchNetworks() {
    CompletableFuture.runAsync(() -> {
      Closeable opened = runtime.watchNetworkGateways(this::relayOn);
      watch = opened;
      if (closed.get()) {
        ContainerOperations.closeQuietly(opened); // closed while the listing ran: nobody else will
      }
    }, blocking).whenComplete((done, failure) -> {
      if (failure != null && !closed.get()) {
        log.warn("Node {} could not list its engine's networks to relay the broker on ({}); trying again in {}",
            nodeId, Failures.rootMessage(failure), settings.retryInterval());
        system.scheduler().scheduleOnce(settings.retryInterval(), this::watchNetworks, system.executionContext());
      }
    });
  }

  /**
   * Relays on {@code address} unless it is relayed already or could not be bound; waits (at most the
   * connect timeout) for the binding, so a container created next finds the broker there. True when
   * this relay serves the address.
   */
  boolean relayOn(String address) {
    if (closed.get()) {
      return false;
    }
    CompletableFuture<Optional<Tcp.ServerBinding>> relay = relays.computeIfAbsent(address, this::bind);
    try {
      return relay.get(settings.connectTimeout().toMillis(), TimeUnit.MILLISECONDS).isPresent();
    } catch (TimeoutException slow) {
      log.warn("Node {}: binding the broker relay on {}:{} takes longer than {}; containers may not reach the broker yet",
          nodeId, address, settings.relayPort(), settings.connectTimeout());
      return false;
    } catch (ExecutionException impossible) {
      throw new IllegalStateException("a relay's binding never fails: failures are empty", impossible);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private CompletableFuture<Optional<Tcp.ServerBinding>> bind(String address) {
    Tcp tcp = Tcp.get(system);
    InetSocketAddress broker = InetSocketAddress.createUnresolved(settings.brokerHost(), settings.brokerPort());
    // Half-close both ways: a client that ends its input still gets the broker's last answer.
    CompletionStage<Tcp.ServerBinding> bound = tcp.bind(address, settings.relayPort(), BACKLOG, List.of(), true, Optional.empty())
        .to(Sink.foreach(connection -> connection
            .handleWith(tcp.outgoingConnection(broker, Optional.empty(), List.of(), true,
                Optional.of(settings.connectTimeout()), Optional.empty()), system)
            .whenComplete((outgoing, failure) -> {
              if (failure != null) {
                log.debug("Node {}: a connection from {} could not reach the broker at {}:{}: {}", nodeId,
                    connection.remoteAddress(), settings.brokerHost(), settings.brokerPort(), Failures.rootMessage(failure));
              }
            })))
        .run(system);
    return bound.toCompletableFuture().handle((binding, failure) -> {
      if (failure == null && closed.get()) {
        binding.unbind(); // bound while the relay closed: close() sees it as unbound
        return Optional.empty();
      }
      if (failure != null) {
        log.info("Node {} does not relay the broker on {}:{} ({}); another DCloud node on this machine may relay "
            + "there already. Not retried.", nodeId, address, settings.relayPort(), Failures.rootMessage(failure));
        return Optional.empty();
      }
      log.info("Node {} relays MQTT from {}:{} ({} for containers on that network) to the broker at {}:{}",
          nodeId, address, settings.relayPort(), EnvironmentNames.GATEWAY_HOST, settings.brokerHost(), settings.brokerPort());
      return Optional.of(binding);
    });
  }

  /** Stops listening for networks and unbinds every relay (connections open through them stay). */
  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      return;
    }
    Closeable opened = watch;
    if (opened != null) {
      ContainerOperations.closeQuietly(opened);
    }
    List<String> served = relays.entrySet().stream()
        .filter(relay -> relay.getValue().getNow(Optional.empty()).isPresent())
        .map(Map.Entry::getKey)
        .sorted()
        .toList();
    // One still binding is unbound when it completes, here or in bind(): never twice.
    relays.values().forEach(relay -> relay.thenAccept(binding -> binding.ifPresent(Tcp.ServerBinding::unbind)));
    if (!served.isEmpty()) {
      log.info("Node {} stopped relaying the broker on {}", nodeId, served);
    }
  }
}
