package io.dcloud.gateway.environment;

import io.dcloud.environment.EnvironmentView;
import io.dcloud.identity.Caller;
import io.dcloud.node.ProxyWire;
import io.dcloud.secret.SecretBox;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * The headers a proxied request reaches the container with. DCloud's credentials are taken out —
 * a bearer token, the session cookie (other cookies, the application's own, stay), the CSRF header —
 * so no application, nor anyone who controls one, ever holds a user's DCloud session. What a
 * client says about earlier proxies is dropped and the gateway's own X-Forwarded-For, -Host and
 * -Proto are set. An environment with a {@value #NOTEBOOK_TOKEN} secret gets it, for its owner, as
 * {@code Authorization: token <it>}: Jupyter's own sign-in, done by DCloud's.
 */
public final class ProxyHeaders {
  /** The secret the jupyter template generates for each environment; Jupyter reads it as its token. */
  static final String NOTEBOOK_TOKEN = "JUPYTER_TOKEN";
  private static final String BEARER = "bearer ";
  /**
   * Per hop (RFC 9110 7.6.1), the client's claims about proxies, Pekko's own bookkeeping header,
   * and a WebSocket's handshake, which the node's client makes afresh. {@code Expect: 100-continue}
   * is met by the gateway, which asks for the body itself (the app would answer a 100 that the
   * node's client does not wait for).
   */
  private static final Set<String> DROPPED = Set.of(
      "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade", "expect",
      "proxy-authorization", "forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto",
      "x-forwarded-port", "x-real-ip", "timeout-access");
  private static final String WEBSOCKET_HANDSHAKE = "sec-websocket-";

  private final String sessionCookie;
  private final String csrfHeader;
  private final SecretBox secrets;
  private final String scheme;

  /** {@code scheme}: how clients reach the proxy (its public URL's), for X-Forwarded-Proto. */
  public ProxyHeaders(String sessionCookie, String csrfHeader, SecretBox secrets, String scheme) {
    this.sessionCookie = sessionCookie;
    this.csrfHeader = csrfHeader.toLowerCase(Locale.ROOT);
    this.secrets = secrets;
    this.scheme = scheme;
  }

  /** {@code view}: the environment opened, or null for a service's replica (which gets no notebook token). */
  public List<ProxyWire.Header> forwarded(HttpRequest request, Caller caller, EnvironmentView view, boolean webSocket) {
    List<ProxyWire.Header> forwarded = new ArrayList<>();
    String host = null;
    boolean authorization = false;
    for (HttpHeader header : request.getHeaders()) {
      String name = header.lowercaseName();
      if (DROPPED.contains(name) || name.equals(csrfHeader) || (webSocket && name.startsWith(WEBSOCKET_HANDSHAKE))) {
        continue;
      }
      if (name.equals("host")) {
        host = header.value();
      }
      if (name.equals("authorization")) {
        // A bearer token here is DCloud's: authentication tried it first.
        if (header.value().regionMatches(true, 0, BEARER, 0, BEARER.length())) {
          continue;
        }
        authorization = true;
      }
      if (name.equals("cookie")) {
        String others = withoutSessionCookie(header.value());
        if (!others.isEmpty()) {
          forwarded.add(new ProxyWire.Header(header.name(), others));
        }
        continue;
      }
      forwarded.add(new ProxyWire.Header(header.name(), header.value()));
    }
    if (caller.address() != null) {
      forwarded.add(new ProxyWire.Header("X-Forwarded-For", caller.address()));
    }
    forwarded.add(new ProxyWire.Header("X-Forwarded-Proto", scheme));
    if (host != null) {
      forwarded.add(new ProxyWire.Header("X-Forwarded-Host", host));
    }
    String token = view == null || view.spec() == null ? null : view.spec().secretEnv().get(NOTEBOOK_TOKEN);
    // Its owner's alone, like GET /secrets: an admin opening another's notebook signs in to it themselves.
    if (!authorization && token != null && secrets != null && caller.username().equals(view.owner())) {
      forwarded.add(new ProxyWire.Header("Authorization", "token " + secrets.open(NOTEBOOK_TOKEN, token)));
    }
    return forwarded;
  }

  /** The Cookie header's pairs but DCloud's session; empty when none is left. */
  private String withoutSessionCookie(String cookies) {
    return Arrays.stream(cookies.split(";"))
        .map(String::strip)
        .filter(pair -> !pair.isEmpty() && !pair.startsWith(sessionCookie + "="))
        .collect(Collectors.joining("; "));
  }
}
