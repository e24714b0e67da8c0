package io.dcloud.gateway.common;

import java.net.URI;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * What a browser's other tabs may not do: a page of another site may not change anything here
 * (a state-changing request whose {@code Origin} is neither this gateway nor an allowed origin is
 * 403; so is a WebSocket's opening), and, when {@code dcloud.http.allowed-hosts} is set, a request naming another {@code Host}
 * (DNS rebinding) is refused. Requests without an Origin (curl, the CLI) are not browsers' and pass.
 */
public final class BrowserSafety extends AllDirectives {
  private static final Set<HttpMethod> SAFE = Set.of(HttpMethods.GET, HttpMethods.HEAD, HttpMethods.OPTIONS);

  private final List<String> allowedOrigins;
  private final List<String> allowedHosts;
  /** Methods whose Origin is not checked. */
  private final Set<HttpMethod> unchecked;

  public BrowserSafety(List<String> allowedOrigins, List<String> allowedHosts) {
    this(allowedOrigins, allowedHosts, SAFE);
  }

  /**
   * The proxy's: a request of another origin is refused whatever its method. Its WebSockets open
   * with a GET, and a page of any site could otherwise open one into an environment with the
   * user's cookie; an environment's own pages send their own origin, the proxy's.
   */
  public static BrowserSafety everyMethod(List<String> allowedHosts) {
    return new BrowserSafety(List.of(), allowedHosts, Set.of());
  }

  private BrowserSafety(List<String> allowedOrigins, List<String> allowedHosts, Set<HttpMethod> unchecked) {
    this.unchecked = unchecked;
    this.allowedOrigins = allowedOrigins.stream().map(o -> o.toLowerCase(Locale.ROOT)).toList();
    this.allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).toList();
  }

  public Route checked(Supplier<Route> inner) {
    return extractRequest(request -> {
      String host = request.getHeader("Host").map(h -> h.value().toLowerCase(Locale.ROOT)).orElse("");
      if (!allowedHosts.isEmpty() && !allowedHosts.contains(host) && !allowedHosts.contains(hostName(host))) {
        return complete(Problem.of(Problem.Type.FORBIDDEN, "this gateway does not serve host " + host
            + " (dcloud.http.allowed-hosts)", "Host", "is not one of this gateway's names").toResponse());
      }
      Optional<String> origin = request.getHeader("Origin").map(h -> h.value().toLowerCase(Locale.ROOT));
      if (origin.isPresent() && (!unchecked.contains(request.method()) || isWebSocket(request))
          && !sameOrAllowed(origin.get(), host)) {
        return complete(Problem.of(Problem.Type.FORBIDDEN, "a page of " + origin.get()
            + " may not change anything here (dcloud.http.allowed-origins)", "Origin", "is not this gateway's origin")
            .toResponse());
      }
      return inner.get();
    });
  }

  /**
   * A WebSocket is opened with a GET, which a page of any site may make with the user's cookie,
   * and it cannot carry the CSRF header: it reaches into an environment, so it is held to the
   * origin check of a change.
   */
  private static boolean isWebSocket(HttpRequest request) {
    return request.getHeader("Upgrade").map(h -> h.value().equalsIgnoreCase("websocket")).orElse(false);
  }

  private boolean sameOrAllowed(String origin, String host) {
    if (allowedOrigins.contains(origin)) {
      return true;
    }
    try {
      URI uri = URI.create(origin);
      String authority = uri.getPort() < 0 ? uri.getHost() : uri.getHost() + ":" + uri.getPort();
      return authority != null && authority.equals(host);
    } catch (IllegalArgumentException malformed) {
      return false;
    }
  }

  private static String hostName(String hostHeader) {
    int colon = hostHeader.lastIndexOf(':');
    return colon > 0 && !hostHeader.endsWith("]") ? hostHeader.substring(0, colon) : hostHeader;
  }
}
