package io.dcloud.gateway.environment;

import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.BrowserSafety;
import io.dcloud.gateway.common.ClientAddress;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.GatewayBackends;
import io.dcloud.gateway.common.GatewaySettings;
import io.dcloud.gateway.common.ProblemExceptions;
import io.dcloud.gateway.common.ProblemRejections;
import io.dcloud.gateway.identity.Authentication;
import io.dcloud.gateway.identity.GatewayIdentity;
import java.net.URI;
import java.time.Clock;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Everything the proxy's binding serves: {@code /api/v1/environments/{id}/proxy/{port}/...} and
 * nothing else (the API is not on this origin, so a tenant's page can never read its answers), inside
 * the same error handling as the API. The session cookie authenticates here without the CSRF
 * header; a request from a page of another origin is refused whatever its method instead.
 */
public final class ProxyRoute extends AllDirectives {
  public static final String PROXY = "proxy";

  private final GatewaySettings settings;
  private final Authentication authentication;
  private final BrowserSafety browserSafety;
  private final EnvironmentProxy proxy;

  public ProxyRoute(ActorSystem<?> system, GatewayBackends backends, GatewaySettings settings, GatewayIdentity identity) {
    this.settings = settings;
    ClusterAsks asks = new ClusterAsks(system, backends, settings.askTimeout());
    this.authentication = new Authentication(
        identity.tokens(), identity.settings(), Clock.systemUTC(), new ClientAddress(settings.trustedProxies()));
    this.browserSafety = BrowserSafety.everyMethod(settings.allowedHosts());
    String scheme = URI.create(settings.proxy().publicUrl()).getScheme();
    this.proxy = new EnvironmentProxy(system, asks, new ProxyHeaders(
        identity.settings().sessionCookie(), identity.settings().csrfHeader(), settings.secrets(), scheme));
  }

  public Route route() {
    return withSizeLimit(settings.proxy().maxBodyBytes(), () ->
        handleExceptions(ProblemExceptions.handler(settings.askTimeout()), () ->
            handleRejections(ProblemRejections.handler(), () -> browserSafety.checked(() ->
                pathPrefix(ApiPaths.API, () -> pathPrefix(ApiPaths.VERSION, () ->
                    pathPrefix(ApiPaths.ENVIRONMENTS, this::environment)))))));
  }

  private Route environment() {
    return pathPrefix(PathMatchers.segment(), rawId -> pathPrefix(PROXY, () ->
        pathPrefix(PathMatchers.integerSegment(), port -> authentication.authenticatedWithoutCsrfHeader(caller ->
            EnvironmentRoutes.withId(rawId, id -> proxy.route(id, port, caller))))));
  }

}
