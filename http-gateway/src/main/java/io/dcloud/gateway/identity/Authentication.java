package io.dcloud.gateway.identity;

import io.dcloud.gateway.common.ClientAddress;
import io.dcloud.gateway.common.Problem;
import io.dcloud.identity.Caller;
import io.dcloud.identity.IdentitySettings;
import io.dcloud.identity.Role;
import io.dcloud.identity.Tokens;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpMethod;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * Who is asking: every route but sign-in, health and the console's files goes through {@link
 * #authenticated}. A token comes as {@code Authorization: Bearer …} (scripts, the CLI) or in the
 * session cookie (browsers, whose event streams and WebSockets cannot set headers); a request that
 * the cookie authenticates must repeat the session's CSRF token in a header to change anything,
 * which another site's page cannot do. Checking costs a signature and a map lookup, no round trip.
 */
public final class Authentication extends AllDirectives {
  private static final Set<HttpMethod> SAFE = Set.of(HttpMethods.GET, HttpMethods.HEAD, HttpMethods.OPTIONS);
  private static final String BEARER = "Bearer ";

  private final Tokens tokens;
  private final IdentitySettings settings;
  private final Clock clock;
  private final ClientAddress clientAddress;

  public Authentication(Tokens tokens, IdentitySettings settings, Clock clock, ClientAddress clientAddress) {
    this.clientAddress = clientAddress;
    this.tokens = tokens;
    this.settings = settings;
    this.clock = clock;
  }

  /** The caller, with where they are (for the audit). */
  public Route authenticated(Function<Caller, Route> inner) {
    return authenticated(true, inner);
  }

  /**
   * The proxy's: as {@link #authenticated}, but a request the cookie authenticates needs no CSRF
   * header, which an environment's own pages cannot know; the proxy checks their Origin instead.
   */
  public Route authenticatedWithoutCsrfHeader(Function<Caller, Route> inner) {
    return authenticated(false, inner);
  }

  private Route authenticated(boolean csrfHeader, Function<Caller, Route> inner) {
    return attribute(AttributeKeys.remoteAddress, peer -> optionalHeaderValueByName("X-Forwarded-For", forwarded -> {
      String address = clientAddress.of(peer.getAddress().map(a -> a.getHostAddress()).orElse("unknown"), forwarded);
      return withToken(csrfHeader, caller -> inner.apply(caller.from(address)));
    }));
  }

  private Route withToken(boolean csrfHeader, Function<Caller, Route> inner) {
    return extractRequest(request -> {
      Optional<String> bearer = request.getHeader("Authorization")
          .map(header -> header.value())
          .filter(value -> value.regionMatches(true, 0, BEARER, 0, BEARER.length()))
          .map(value -> value.substring(BEARER.length()).strip());
      if (bearer.isPresent()) {
        return bearer(bearer.get())
            .map(inner)
            .orElseGet(() -> unauthenticated(INVALID_BEARER));
      }
      return optionalCookie(settings.sessionCookie(), cookie -> {
        if (cookie.isEmpty() || cookie.get().value().isEmpty()) {
          return unauthenticated("send Authorization: Bearer <token> (POST /api/v1/auth/login gives one)");
        }
        Optional<Caller> caller = tokens.verify(cookie.get().value(), clock.instant(), true);
        if (caller.isEmpty()) {
          return unauthenticated("the session has ended (expired or signed out): sign in again");
        }
        if (csrfHeader && !SAFE.contains(request.method()) && !csrfMatches(request, caller.get())) {
          return Directives.complete(Problem.of(
                  Problem.Type.CSRF,
                  "a request signed in by the session cookie must send the session's CSRF token in " + settings.csrfHeader(),
                  settings.csrfHeader(), "is missing or does not match the session")
              .toResponse());
        }
        return inner.apply(caller.get());
      });
    });
  }

  /** Why a bearer token is refused: the same words over HTTP and over the client protocol. */
  public static final String INVALID_BEARER = "the bearer token is not valid (expired, revoked or not DCloud's): sign in again";

  /** The caller a bearer token (an API or session token, not a cookie) names; empty when it is not valid now. */
  public Optional<Caller> bearer(String token) {
    return tokens.verify(token, clock.instant(), false);
  }

  private boolean csrfMatches(HttpRequest request, Caller caller) {
    String sent = request.getHeader(settings.csrfHeader()).map(h -> h.value()).orElse(null);
    return caller.csrf() != null && sent != null
        && MessageDigest.isEqual(caller.csrf().getBytes(StandardCharsets.UTF_8), sent.getBytes(StandardCharsets.UTF_8));
  }

  private static Route unauthenticated(String detail) {
    return Directives.complete(Problem.of(Problem.Type.UNAUTHENTICATED, detail).toResponse()
        .addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "dcloud"))));
  }

  /** 403 unless the caller holds one of {@code roles} (admins hold every role). */
  public static Route requireAny(Caller caller, Set<Role> roles, Supplier<Route> inner) {
    return lacking(caller, roles).map(problem -> Directives.complete(problem.toResponse())).orElseGet(inner);
  }

  /** The 403 of a caller who holds none of {@code roles}; empty when they hold one. */
  public static Optional<Problem> lacking(Caller caller, Set<Role> roles) {
    if (caller.hasAny(roles)) {
      return Optional.empty();
    }
    String needed = roles.equals(ADMINS) ? "the role admin"
        : (roles.size() == 1 ? "the role " : "one of the roles ")
            + roles.stream().map(Role::wireName).sorted().collect(Collectors.joining(", ")) + " (or admin)";
    return Optional.of(Problem.of(
        Problem.Type.FORBIDDEN, "this needs " + needed + "; " + caller.username()
            + " has " + (caller.roles().isEmpty() ? "none" : caller.roles().stream().map(Role::wireName).sorted()
                .collect(Collectors.joining(", ")))));
  }

  /** The roles that may create what costs capacity (environments, and later services). */
  public static final Set<Role> CREATORS = Set.of(Role.DATA_SCIENTIST, Role.APP_DEVELOPER);
  /** The roles that run the platform: catalog, templates, nodes. */
  public static final Set<Role> CONFIGURERS = Set.of(Role.PLATFORM_CONFIGURER);
  /** Admins alone: what only they see (audit log, every owner's usage). */
  public static final Set<Role> ADMINS = Set.of(Role.ADMIN);
}
