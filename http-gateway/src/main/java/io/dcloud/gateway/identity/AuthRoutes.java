package io.dcloud.gateway.identity;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.ClientAddress;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.RequestBodies;
import io.dcloud.identity.Authenticator;
import io.dcloud.identity.Authenticator.SignedIn;
import io.dcloud.identity.AuthenticatorUnavailable;
import io.dcloud.identity.BuiltInAuthenticator;
import io.dcloud.identity.Caller;
import io.dcloud.identity.Group;
import io.dcloud.identity.Role;
import io.dcloud.identity.Tokens;
import io.dcloud.identity.UserRegistry;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Metrics;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.http.javadsl.model.AttributeKeys;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpCookie;
import org.apache.pekko.http.javadsl.model.headers.RetryAfter;
import org.apache.pekko.http.javadsl.model.headers.SameSite;
import org.apache.pekko.http.javadsl.model.headers.SetCookie;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /auth}: sign in (a session token, and for browsers the same in an HttpOnly cookie) and sign
 * out (the token is refused on every gateway from then on). A wrong username and a wrong password
 * answer the same; passwords are never logged.
 */
public final class AuthRoutes extends AllDirectives {
  private static final Logger log = LoggerFactory.getLogger(AuthRoutes.class);

  private final ActorSystem<?> system;
  private final GatewayIdentity identity;
  private final JsonYaml codec;
  private final RequestBodies bodies;
  private final Authentication authentication;
  private final Clock clock;
  private final Duration askTimeout;
  private final ClientAddress clientAddress;

  public AuthRoutes(
      ActorSystem<?> system, GatewayIdentity identity, JsonYaml codec, RequestBodies bodies,
      Authentication authentication, Clock clock, Duration askTimeout, ClientAddress clientAddress) {
    this.clientAddress = clientAddress;
    this.system = system;
    this.identity = identity;
    this.codec = codec;
    this.bodies = bodies;
    this.authentication = authentication;
    this.clock = clock;
    this.askTimeout = askTimeout;
  }

  record LoginAnswer(
      String token, Instant expiresAt, String csrfToken, String username, List<String> roles, List<String> groups) {}

  /** Sign-in needs no token; sign-out does. */
  public Route publicRoute() {
    // The socket's peer (or, behind a trusted proxy, the client it names), never a header the
    // client writes itself: that would let it pick a new address for every guess.
    return pathPrefix("auth", () -> path("login", () -> post(() -> attribute(AttributeKeys.remoteAddress, ip ->
        optionalHeaderValueByName("X-Forwarded-For", forwarded -> {
      String address = clientAddress.of(ip.getAddress().map(a -> a.getHostAddress()).orElse("unknown"), forwarded);
      return bodies.document(body -> completeWithFuture(login(body, address)));
    })))));
  }

  public Route route() {
    return pathPrefix("auth", () -> CallerAttribute.of(caller -> path("logout", () -> post(() -> completeWithFuture(logout(caller))))));
  }

  private CompletionStage<HttpResponse> login(JsonNode body, String address) {
    String username = UserRoutes.requiredText(body, "username");
    String password = UserRoutes.requiredText(body, "password");
    Instant now = clock.instant();
    Duration wait = identity.throttle().waitBefore(username, address, now);
    if (!wait.isZero() && !wait.isNegative()) {
      long seconds = Math.max(1, (wait.toMillis() + 999) / 1000);
      identity.audit().record(username, "login", username, address, "throttled");
      counted("throttled", NOT_SIGNED_IN);
      return CompletableFuture.completedFuture(Problem.of(
              Problem.Type.TOO_MANY_LOGINS, "too many failed sign-ins for this user or from this address; retry in " + seconds + "s")
          .toResponse()
          .addHeader(RetryAfter.create(seconds)));
    }
    return authenticate(identity.authenticators(), 0, username, password).exceptionally(failure -> {
      Throwable cause = failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
          ? failure.getCause()
          : failure;
      if (cause instanceof AuthenticatorUnavailable unavailable) {
        counted("unavailable", NOT_SIGNED_IN);
        throw Problem.of(Problem.Type.CLUSTER_UNAVAILABLE, "sign-in is unavailable: " + unavailable.getMessage()).exception();
      }
      throw failure instanceof RuntimeException runtime ? runtime : new java.util.concurrent.CompletionException(failure);
    }).thenCompose(signedIn -> {
      if (signedIn.isEmpty()) {
        identity.throttle().failed(username, address, clock.instant());
        identity.audit().record(username, "login", username, address, "denied");
        counted("denied", NOT_SIGNED_IN);
        log.info("Failed sign-in for user {} from {}", printable(username), address);
        throw Problem.of(Problem.Type.UNAUTHENTICATED, "wrong username or password").exception();
      }
      SignedIn user = signedIn.get().user();
      identity.throttle().succeeded(username);
      identity.audit().record(user.username(), "login", user.username(), address, "ok");
      counted("ok", signedIn.get().via());
      // The groups go into the token (see Tokens).
      return AskPattern.<UserRegistry.Command, UserRegistry.Reply>ask(identity.users(),
              replyTo -> new UserRegistry.ListGroups(user.username(), replyTo), askTimeout, system.scheduler())
          .thenApply(groups -> session(user, ((UserRegistry.Groups) groups).groups().stream()
              .map(Group::name).collect(Collectors.toUnmodifiableSet())));
    });
  }

  private HttpResponse session(SignedIn signedIn, Set<String> groups) {
    Instant issuedAt = clock.instant();
    Tokens.Issued issued = identity.tokens().issue(signedIn.username(), signedIn.roles(), groups,
        Tokens.Kind.SESSION, issuedAt, issuedAt.plus(identity.settings().sessionTtl()));
    LoginAnswer answer = new LoginAnswer(issued.token(), issued.caller().expiresAt(), issued.caller().csrf(),
        issued.caller().username(), issued.caller().roles().stream().map(Role::wireName).sorted().toList(),
        groups.stream().sorted().toList());
    return codec.jsonResponse(StatusCodes.OK, answer)
        .addHeader(SetCookie.create(sessionCookie(issued.token(), identity.settings().sessionTtl().toSeconds())));
  }

  /**
   * Asks each authenticator in turn until one signs the user in. A name DCloud's own users have is
   * decided by the built-in check alone: a directory account of the same name (an LDAP "admin")
   * never signs in as that user.
   */
  private CompletionStage<Optional<Authenticated>> authenticate(
      List<Authenticator> authenticators, int index, String username, String password) {
    if (index >= authenticators.size()) {
      return CompletableFuture.completedFuture(Optional.empty());
    }
    Authenticator current = authenticators.get(index);
    return current.authenticate(username, password).thenCompose(result -> {
      if (result.isPresent()) {
        return (current instanceof BuiltInAuthenticator
            ? CompletableFuture.completedFuture(result)
            : recorded(result.get(), current.name()))
            .thenApply(user -> user.map(signedIn -> new Authenticated(signedIn, current.name())));
      }
      if (index + 1 >= authenticators.size()) {
        return CompletableFuture.completedFuture(Optional.<Authenticated>empty());
      }
      if (!(current instanceof BuiltInAuthenticator)) {
        return authenticate(authenticators, index + 1, username, password);
      }
      return AskPattern.<UserRegistry.Command, UserRegistry.Reply>ask(
              identity.users(), replyTo -> new UserRegistry.GetUser(username, replyTo), askTimeout, system.scheduler())
          .thenCompose(known -> known instanceof UserRegistry.Found found && !found.user().fromDirectory()
              ? CompletableFuture.completedFuture(Optional.<Authenticated>empty())
              : authenticate(authenticators, index + 1, username, password));
    });
  }

  /**
   * A directory's user is recorded at their sign-in (see {@link UserRegistry.RecordDirectorySignIn}),
   * so admins can list them, set their quota, add them to groups, disable or delete them, and they
   * can have API tokens. Refused (empty) when DCloud has them disabled, or the name is one of
   * DCloud's own users'.
   */
  private CompletionStage<Optional<SignedIn>> recorded(SignedIn signedIn, String source) {
    return AskPattern.<UserRegistry.Command, UserRegistry.Reply>ask(identity.users(),
            replyTo -> new UserRegistry.RecordDirectorySignIn(signedIn.username(), signedIn.roles(), source, replyTo),
            askTimeout, system.scheduler())
        .thenApply(reply -> {
          if (reply instanceof UserRegistry.Found found && !found.user().disabled()) {
            return Optional.of(new SignedIn(found.user().username(), found.user().roles()));
          }
          log.info("{} signed in {} but is not let in: {}", source, printable(signedIn.username()),
              reply instanceof UserRegistry.Found ? "disabled in DCloud" : "the name is one of DCloud's own users'");
          return Optional.<SignedIn>empty();
        });
  }

  private CompletionStage<HttpResponse> logout(Caller caller) {
    return AskPattern.<UserRegistry.Command, UserRegistry.Reply>ask(identity.users(),
            replyTo -> new UserRegistry.RevokeSession(caller.tokenId(), caller.expiresAt(), replyTo), askTimeout,
            system.scheduler())
        .thenApply(done -> {
          identity.audit().record(caller, "logout", caller.username(), "ok");
          return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT)
              .addHeader(SetCookie.create(sessionCookie("", 0)));
        });
  }

  /** Who signed in, and through which authenticator ({@code dcloud.identity.authenticators}' name). */
  private record Authenticated(SignedIn user, String via) {}

  /** The {@code via} of a sign-in that signed no one in. */
  private static final String NOT_SIGNED_IN = "none";

  /**
   * {@code dcloud_auth_logins_total{outcome, via}}: a rise of denied or throttled ones is someone
   * guessing; {@code via}: the authenticator that signed the user in (built-in, ldap), none otherwise.
   */
  private static void counted(String outcome, String via) {
    Counter.builder("dcloud.auth.logins").tag("outcome", outcome).tag("via", via)
        .description("Sign-ins by how they ended (ok, denied: wrong name or password, throttled, unavailable) and "
            + "through which authenticator (built-in, ldap; none when no one was signed in)")
        .register(Metrics.globalRegistry).increment();
  }

  /** The name as typed, made safe for one log line (no forged lines, bounded). */
  static String printable(String typed) {
    String shown = typed.length() > 64 ? typed.substring(0, 64) + "…" : typed;
    return shown.replaceAll("\\p{Cntrl}", "?");
  }

  private HttpCookie sessionCookie(String value, long maxAgeSeconds) {
    return HttpCookie.create(identity.settings().sessionCookie(), value)
        .withPath("/")
        .withHttpOnly(true)
        .withSecure(identity.settings().secureCookie())
        .withSameSite(SameSite.Strict)
        .withMaxAge(maxAgeSeconds);
  }
}
