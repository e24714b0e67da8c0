package io.dcloud.gateway;

import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.GatewayBackends;
import io.dcloud.gateway.common.GatewaySettings;
import io.dcloud.gateway.common.ProblemParsingErrorHandler;
import io.dcloud.gateway.environment.ProxyRoute;
import io.dcloud.gateway.identity.GatewayIdentity;
import io.micrometer.core.instrument.Metrics;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.settings.ServerSettings;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DCloud's HTTP API ({@code /api/v1}): JSON and YAML in, JSON out, problem+json for every error.
 * It only talks to actors (see {@link GatewayBackends}), so any number of gateways may run. Each also
 * serves other services over actor messaging ({@link io.dcloud.gateway.environment.ClientService}).
 */
public final class HttpGateway {
  private static final Logger log = LoggerFactory.getLogger(HttpGateway.class);

  private HttpGateway() {}

  /** Several gateways may run in one actor system (tests): each has its own client service. */
  private static final AtomicInteger CLIENT_SERVICES = new AtomicInteger();

  /**
   * Binds the API on {@code dcloud.http.host}:{@code dcloud.http.port} (see reference.conf).
   *
   * @return the binding, whose local address tells the port actually bound (useful with port 0)
   */
  public static CompletionStage<ServerBinding> start(ActorSystem<?> system, GatewayBackends backends) {
    return start(system, backends, GatewaySettings.fromConfig(system.settings().config()));
  }

  /**
   * The gateway binds once it has the key tokens are signed with (from config, or the user
   * registry's), so it never answers a request it cannot authenticate.
   */
  static CompletionStage<ServerBinding> start(ActorSystem<?> system, GatewayBackends backends, GatewaySettings settings) {
    return startBoth(system, backends, settings).thenApply(Bindings::api);
  }

  /** The API's binding and the proxy's ({@code dcloud.http.proxy.port}). */
  public record Bindings(ServerBinding api, ServerBinding proxy) {}

  /**
   * The proxy binds first: the API's answers carry its URL ({@code url}), which a port chosen by
   * the OS only makes known then.
   */
  public static CompletionStage<Bindings> startBoth(ActorSystem<?> system, GatewayBackends backends, GatewaySettings settings) {
    return GatewayIdentities.create(system, backends, settings.askTimeout())
        .thenCompose(identity -> bindProxy(system, backends, settings, identity)
            .thenCompose(proxy -> {
              GatewaySettings bound = settings.withProxy(
                  settings.proxy().bound(settings.host(), proxy.localAddress().getPort()));
              return bind(system, backends, bound, identity).thenApply(api -> new Bindings(api, proxy));
            }));
  }

  private static CompletionStage<ServerBinding> bindProxy(
      ActorSystem<?> system, GatewayBackends backends, GatewaySettings settings, GatewayIdentity identity) {
    int port = settings.proxy().port();
    // Its public URL is not needed to route: the binding's own port stands in until it is known.
    GatewaySettings provisional = settings.withProxy(settings.proxy().bound(settings.host(), port));
    ProxyRoute proxy = new ProxyRoute(system, backends, provisional, identity);
    return Http.get(system)
        .newServerAt(settings.host(), port)
        .withSettings(serverSettings(system))
        .bind(new RequestMetrics(Metrics.globalRegistry).around(proxy.route()))
        .whenComplete((binding, failure) -> {
          if (failure != null) {
            log.error("HTTP gateway could not bind its proxy on {}:{} (dcloud.http.proxy.port)", settings.host(), port,
                failure);
          } else {
            log.info("HTTP gateway proxying into environments on http://{}:{}", binding.localAddress().getHostString(),
                binding.localAddress().getPort());
          }
        });
  }

  /**
   * Requests too malformed to reach the route are answered as problems too. Every route needs the
   * peer's address (the sign-in throttle, the audit, X-Forwarded-For): set here, as the settings of
   * pekko-http's own reference.conf would win over this module's wherever its jar comes first on
   * the class path.
   */
  private static ServerSettings serverSettings(ActorSystem<?> system) {
    return ServerSettings.create(system.classicSystem())
        .withParsingErrorHandler(ProblemParsingErrorHandler.class.getName())
        .withRemoteAddressAttribute(true);
  }

  private static CompletionStage<ServerBinding> bind(
      ActorSystem<?> system, GatewayBackends backends, GatewaySettings settings, GatewayIdentity identity) {
    ApiRoute api = new ApiRoute(system, backends, settings, identity);
    system.systemActorOf(api.clientService(), "client-service-" + CLIENT_SERVICES.incrementAndGet(), Props.empty());
    ServerSettings server = serverSettings(system);
    return Http.get(system)
        .newServerAt(settings.host(), settings.port())
        .withSettings(server)
        // Into Micrometer's global registry: the app exposes it on its management port.
        .bind(new RequestMetrics(Metrics.globalRegistry).around(api.route()))
        .whenComplete((binding, failure) -> {
          if (failure != null) {
            log.error("HTTP gateway could not bind {}:{}", settings.host(), settings.port(), failure);
          } else {
            log.info("HTTP gateway serving {} on http://{}:{}", ApiPaths.ROOT, binding.localAddress().getHostString(),
                binding.localAddress().getPort());
          }
        });
  }
}
