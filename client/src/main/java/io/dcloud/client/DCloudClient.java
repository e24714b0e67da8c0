package io.dcloud.client;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.dcloud.client.tls.ClientTls;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Another service's way into DCloud by actor messaging: an actor system of its own that joins the
 * cluster ({@code dcloud.client.seed-nodes}) as a member with the role {@code client}, which the nodes
 * never give a shard or a singleton and leave out of their downing decisions. Requests go to the gateway
 * nodes' client services, each with a DCloud API token that decides what it may do ({@link #environments()}
 * with {@code dcloud.client.token}, or {@link #as}). Settings: {@code dcloud.client} in reference.conf.
 */
public final class DCloudClient implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DCloudClient.class);
  public static final String ROLE = "client";

  private final ActorSystem<Void> system;
  private final GatewayServices services;
  private final Duration askTimeout;
  private final Duration closeTimeout;
  private final String token;

  private DCloudClient(
      ActorSystem<Void> system, GatewayServices services, Duration askTimeout, Duration closeTimeout, String token) {
    this.system = system;
    this.services = services;
    this.askTimeout = askTimeout;
    this.closeTimeout = closeTimeout;
    this.token = token;
  }

  /** A client from the application's configuration ({@code application.conf}, -D properties, DCLOUD_TOKEN). */
  public static DCloudClient start() {
    return start(ConfigFactory.load());
  }

  /** A client from {@code config} (resolved, with this module's reference.conf below it); joins at once. */
  public static DCloudClient start(Config config) {
    Config client = config.getConfig("dcloud.client");
    List<String> seeds = client.getStringList("seed-nodes");
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("dcloud.client.seed-nodes is empty: name a few DCloud nodes, e.g. "
          + "[\"pekko://" + client.getString("cluster-name") + "@10.0.0.1:25520\"]");
    }
    Config pekko = client.getConfig("pekko").atKey("pekko")
        .withValue("pekko.cluster.roles", ConfigValueFactory.fromIterable(List.of(ROLE)))
        .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seeds));
    Config systemConfig = ClientTls.configure(pekko, client.getConfig("tls")).withFallback(config);
    GatewayServices services = new GatewayServices();
    ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(context -> {
      context.spawn(services.subscriber(), "gateway-services");
      return Behaviors.empty();
    }), client.getString("cluster-name"), systemConfig);
    LOG.info("DCloud client joining {} through {}", client.getString("cluster-name"), seeds);
    return new DCloudClient(system, services, client.getDuration("ask-timeout"), client.getDuration("close-timeout"),
        client.getString("token"));
  }

  /** Requests made with {@code dcloud.client.token}. */
  public Environments environments() {
    if (token.isBlank()) {
      throw new IllegalStateException("dcloud.client.token (or DCLOUD_TOKEN) is not set: give a DCloud API token, or use as(token)");
    }
    return as(token);
  }

  /** Requests made with {@code apiToken} (one service may act as several DCloud users). */
  public Environments as(String apiToken) {
    return new Environments(system, services, apiToken, askTimeout);
  }

  /** The client's actor system: run a watch's stream on it ({@code watching.changes().getSource().runWith(…, system())}). */
  public ActorSystem<Void> system() {
    return system;
  }

  /** Leaves the cluster and stops, waiting at most {@code dcloud.client.close-timeout}. */
  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(closeTimeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException stuck) {
      LOG.warn("DCloud client's actor system did not stop within {} (dcloud.client.close-timeout): closing anyway",
          closeTimeout);
    } catch (ExecutionException failed) {
      LOG.warn("DCloud client's actor system stopped with an error", failed.getCause());
    } catch (InterruptedException interrupted) {
      Thread.currentThread().interrupt();
    }
  }
}
