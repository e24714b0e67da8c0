package io.dcloud.gateway;

import io.dcloud.gateway.common.AuditLog;
import io.dcloud.gateway.common.GatewayBackends;
import io.dcloud.gateway.identity.GatewayIdentity;
import io.dcloud.identity.Authenticator;
import io.dcloud.identity.BuiltInAuthenticator;
import io.dcloud.identity.IdentitySettings;
import io.dcloud.identity.LdapAuthenticator;
import io.dcloud.identity.LdapSettings;
import io.dcloud.identity.LoginThrottle;
import io.dcloud.identity.Passwords;
import io.dcloud.identity.RevocationView;
import io.dcloud.identity.Revocations;
import io.dcloud.identity.Tokens;
import io.dcloud.identity.UserRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.Patterns;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Assembles a gateway's {@link GatewayIdentity} from {@code dcloud.identity} and the user registry. */
final class GatewayIdentities {
  private static final Logger log = LoggerFactory.getLogger(GatewayIdentities.class);
  /** The registry may still be recovering (a new cluster creates its journal): ask again this often, this many times. */
  private static final Duration KEY_RETRY = Duration.ofSeconds(1);
  private static final int KEY_ATTEMPTS = 120;

  private GatewayIdentities() {}

  static CompletionStage<GatewayIdentity> create(ActorSystem<?> system, GatewayBackends backends, Duration askTimeout) {
    IdentitySettings settings = IdentitySettings.fromConfig(system.settings().config());
    return signingKey(system, backends, settings, askTimeout).thenApply(key -> {
      AtomicReference<Revocations.Snapshot> revocations = new AtomicReference<>(Revocations.Snapshot.NONE);
      system.systemActorOf(RevocationView.create(revocations), "revocation-view-" + VIEWS.incrementAndGet(), Props.empty());
      ExecutorService hashing = Executors.newFixedThreadPool(settings.hashingThreads(), runnable -> {
        Thread thread = new Thread(runnable, "dcloud-password-hashing");
        thread.setDaemon(true);
        return thread;
      });
      system.getWhenTerminated().whenComplete((done, failure) -> hashing.shutdown());
      Passwords passwords = Passwords.fromConfig(system.settings().config());
      List<Authenticator> authenticators = new ArrayList<>();
      for (String name : settings.authenticators()) {
        switch (name) {
          case BuiltInAuthenticator.NAME -> authenticators.add(
              new BuiltInAuthenticator(system, backends.users(), passwords, hashing, askTimeout));
          case LdapAuthenticator.NAME -> {
            LdapAuthenticator ldap = new LdapAuthenticator(LdapSettings.fromConfig(system.settings().config()), hashing);
            system.getWhenTerminated().whenComplete((done, failure) -> ldap.close());
            authenticators.add(ldap);
          }
          default -> throw new IllegalArgumentException(
              "dcloud.identity.authenticators: \"" + name + "\" is not an authenticator; use built-in or ldap");
        }
      }
      Tokens tokens = new Tokens(key, revocations::get, settings.verifiedTokens());
      return new GatewayIdentity(settings, tokens, List.copyOf(authenticators),
          new LoginThrottle(settings.maxLoginFailures(), settings.loginWindow()), passwords, hashing, backends.users(),
          new AuditLog(system, backends.directory(), askTimeout, Clock.systemUTC()));
    });
  }

  /** Several gateways may run in one actor system (tests): each has its own view actor. */
  private static final AtomicInteger VIEWS = new AtomicInteger();

  private static CompletionStage<byte[]> signingKey(
      ActorSystem<?> system, GatewayBackends backends, IdentitySettings settings, Duration askTimeout) {
    if (!settings.signingKey().isEmpty()) {
      return CompletableFuture.completedFuture(Base64.getDecoder().decode(settings.signingKey()));
    }
    return Patterns.retry(
            () -> AskPattern.<UserRegistry.Command, UserRegistry.Reply>ask(
                    backends.users(), UserRegistry.GetSigningKey::new, askTimeout, system.scheduler())
                .thenApply(reply -> Base64.getDecoder().decode(((UserRegistry.SigningKey) reply).key())),
            KEY_ATTEMPTS, KEY_RETRY, system.classicSystem().scheduler(), system.executionContext())
        .whenComplete((key, failure) -> {
          if (failure != null) {
            log.error("The gateway could not get the token signing key from the user registry", failure);
          }
        });
  }
}
