package io.dcloud.deploy;

import com.github.dockerjava.api.exception.NotFoundException;
import com.github.dockerjava.api.model.Network;
import io.dcloud.deploy.DockerSettings.NetworkSettings;
import java.io.Closeable;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bridge networks environments join, made on demand: one per tenant, so the engine's isolation
 * between bridge networks keeps owners apart, and a shared one for environments without an owner,
 * made with inter-container traffic off. No container ever joins Docker's default bridge, where
 * every container reaches every other.
 *
 * <p>Networks are left in place when their last container goes: an empty bridge costs nothing, and
 * removing it would race the owner's next deploy.
 */
final class TenantNetworks {
  private static final Logger log = LoggerFactory.getLogger(TenantNetworks.class);

  /** Names the owner a network was made for (the name itself may be shortened or hashed). */
  static final String TENANT_LABEL = "dcloud.tenant";
  static final String ENABLE_ICC = "com.docker.network.bridge.enable_icc";
  static final String BRIDGE_NAME = "com.docker.network.bridge.name";
  /** Docker limits names to what a Linux interface and DNS accept; keep well under both. */
  private static final int MAX_TENANT_CHARS = 40;
  private static final int HASH_HEX_CHARS = 8;
  /** Creations tried when a racing process's network neither appears nor lets ours be made. */
  private static final int CREATE_ATTEMPTS = 3;
  /** How long a competing creation may take to become visible to inspect, and how often to look. */
  private static final Duration RACE_SETTLE = Duration.ofSeconds(2);
  private static final Duration RACE_POLL = Duration.ofMillis(20);

  private final EngineConnection engine;
  private final DaemonCalls calls;
  private final NetworkSettings settings;
  private final Duration callTimeout;
  private final KeyedLocks locks = new KeyedLocks();
  /** The IPv4 gateway of each network ensured, as seen when it was last ensured (absent: it has none). */
  private final Map<String, String> gateways = new ConcurrentHashMap<>();
  private final List<Consumer<String>> gatewayListeners = new CopyOnWriteArrayList<>();

  TenantNetworks(EngineConnection engine, DaemonCalls calls, NetworkSettings settings, Duration callTimeout) {
    this.engine = engine;
    this.calls = calls;
    this.settings = settings;
    this.callTimeout = callTimeout;
  }

  /** The network of {@code tenant} (null: the shared one), made first if it does not exist. */
  String ensure(String tenant) {
    String name = name(settings, tenant);
    // One creation per name in this process: the engine would otherwise accept two networks with one name.
    locks.with(name, () -> log.debug("waiting for network {} to be made", name), () ->
        calls.run("making network " + name, callTimeout, () -> createIfMissing(name, tenant)));
    gateway(name).ifPresent(gateway -> gatewayListeners.forEach(listener -> tell(listener, gateway)));
    return name;
  }

  /** See {@link ContainerRuntime#watchNetworkGateways}. */
  Closeable watchGateways(Consumer<String> listener) {
    // Registered before the listing: a network made meanwhile is told twice rather than never.
    gatewayListeners.add(listener);
    try {
      existingGateways().forEach(gateway -> tell(listener, gateway));
    } catch (RuntimeException listingFailed) {
      gatewayListeners.remove(listener);
      throw listingFailed;
    }
    return () -> gatewayListeners.remove(listener);
  }

  /** A listener that throws must not fail the container's creation; its failure is only logged. */
  private static void tell(Consumer<String> listener, String gateway) {
    try {
      listener.accept(gateway);
    } catch (RuntimeException e) {
      log.warn("a network gateway listener failed on {}", gateway, e);
    }
  }

  /**
   * The IPv4 gateway address of a network {@link #ensure} returned: the host as its containers see it.
   * Empty when the network has none (an IPv6-only or gateway-less IPAM configuration).
   */
  Optional<String> gateway(String network) {
    return Optional.ofNullable(gateways.get(network));
  }

  /** The IPv4 gateways of every DCloud network on the engine (the shared one and the tenants'), made by any node. */
  private List<String> existingGateways() {
    List<Network> all = calls.call("listing networks", callTimeout, () -> engine.client().listNetworksCmd().exec());
    return all.stream()
        .filter(network -> network.getName().equals(settings.shared()) || network.getName().startsWith(settings.tenantPrefix()))
        .map(TenantNetworks::ipv4Gateway)
        .filter(Objects::nonNull)
        .distinct()
        .toList();
  }

  private void createIfMissing(String name, String tenant) {
    for (int attempt = 1; ; attempt++) {
      if (find(name).isPresent()) {
        return;
      }
      try {
        create(name, tenant);
        find(name); // the engine chose the subnet: only an inspect tells the gateway
        return;
      } catch (RuntimeException refused) {
        // Another node on this engine is making it: the engine answers 409 for the name or, as the
        // bridge name is derived from it, "networks have same bridge name" -- and the latter may come
        // while the other's network is known to the bridge driver but not yet to inspect (or is being
        // rolled back). Wait for it to show; if it never does, try again ourselves.
        if (awaitMadeElsewhere(name)) {
          log.debug("network {} was made by another process meanwhile ({})", name, refused.getMessage());
          return;
        }
        if (attempt >= CREATE_ATTEMPTS) {
          throw refused;
        }
        log.debug("network {} refused ({}) and still missing: trying again", name, refused.getMessage());
      }
    }
  }

  private void create(String name, String tenant) {
    Map<String, String> labels = new LinkedHashMap<>(settings.labels());
    // Owners of one tenant network trust each other; strangers on the shared one must not meet.
    boolean shared = tenant == null;
    if (!shared) {
      labels.put(TENANT_LABEL, tenant);
    }
    engine.client().createNetworkCmd()
        .withName(name)
        .withDriver("bridge")
        .withCheckDuplicate(true)
        .withLabels(labels)
        .withOptions(Map.of(ENABLE_ICC, String.valueOf(!shared), BRIDGE_NAME, bridge(settings, name)))
        .exec();
    log.info("made network {} for {}", name, shared ? "environments without an owner" : "tenant " + tenant);
  }

  /** Whether the network shows up within {@link #RACE_SETTLE}: a competing creation finishing. */
  private boolean awaitMadeElsewhere(String name) {
    long deadline = System.nanoTime() + RACE_SETTLE.toNanos();
    while (find(name).isEmpty()) {
      if (System.nanoTime() - deadline >= 0) {
        return false;
      }
      LockSupport.parkNanos(RACE_POLL.toNanos());
    }
    return true;
  }

  /** Inspects the network, remembering its gateway: every ensure inspects anyway, so the address never goes stale. */
  private Optional<Network> find(String name) {
    try {
      Network network = engine.client().inspectNetworkCmd().withNetworkId(name).exec();
      String gateway = ipv4Gateway(network);
      if (gateway == null) {
        gateways.remove(name);
      } else {
        gateways.put(name, gateway);
      }
      return Optional.of(network);
    } catch (NotFoundException missing) {
      return Optional.empty();
    }
  }

  /** The first IPv4 gateway of the network's address pools, or null. */
  static String ipv4Gateway(Network network) {
    if (network.getIpam() == null || network.getIpam().getConfig() == null) {
      return null;
    }
    return network.getIpam().getConfig().stream()
        .map(Network.Ipam.Config::getGateway)
        .filter(gateway -> gateway != null && !gateway.isBlank() && !gateway.contains(":"))
        .findFirst()
        .orElse(null);
  }

  /**
   * {@code <prefix><owner>} when the owner is already a valid name part (lowercase letters, digits,
   * '.', '_', '-'), otherwise the owner with other characters as '-' plus a hash of the original,
   * so "Bob" and "bob" never share a network.
   */
  static String name(NetworkSettings settings, String tenant) {
    if (tenant == null) {
      return settings.shared();
    }
    String sanitized = tenant.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9_.-]", "-");
    if (sanitized.length() > MAX_TENANT_CHARS) {
      sanitized = sanitized.substring(0, MAX_TENANT_CHARS);
    }
    return settings.tenantPrefix() + (sanitized.equals(tenant) ? tenant : sanitized + "-" + hash(tenant));
  }

  /**
   * The host interface of a network: {@code <bridge-prefix><hash>}, so one host firewall rule
   * ({@code -i <bridge-prefix>+}) covers every DCloud network (Linux allows 15 characters).
   */
  static String bridge(NetworkSettings settings, String network) {
    return settings.bridgePrefix() + hash(network);
  }

  private static String hash(String text) {
    try {
      byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest).substring(0, HASH_HEX_CHARS);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }
}
