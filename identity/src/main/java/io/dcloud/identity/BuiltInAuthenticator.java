package io.dcloud.identity;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * Signs in the registry's users: the hash comes from the registry, the (slow, by design) check runs
 * on {@code hashing}, never on an actor or request thread. An unknown user costs a hash too, so the
 * time taken does not tell a wrong username from a wrong password.
 */
public final class BuiltInAuthenticator implements Authenticator {
  private final ActorSystem<?> system;
  private final ActorRef<UserRegistry.Command> registry;
  private final Passwords passwords;
  private final Executor hashing;
  private final Duration askTimeout;
  private final String decoyHash;

  public BuiltInAuthenticator(
      ActorSystem<?> system, ActorRef<UserRegistry.Command> registry, Passwords passwords, Executor hashing,
      Duration askTimeout) {
    this.system = system;
    this.registry = registry;
    this.passwords = passwords;
    this.hashing = hashing;
    this.askTimeout = askTimeout;
    this.decoyHash = passwords.hash(Tokens.randomSecret());
  }

  /** {@value #NAME}. */
  public static final String NAME = "built-in";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public CompletionStage<Optional<SignedIn>> authenticate(String username, String password) {
    return AskPattern.<UserRegistry.Command, UserRegistry.Reply>ask(
            registry, replyTo -> new UserRegistry.GetUser(username, replyTo), askTimeout, system.scheduler())
        .thenComposeAsync(reply -> {
          // A directory's user has no password here: their directory signs them in.
          if (reply instanceof UserRegistry.Found found && !found.user().disabled() && !found.user().fromDirectory()) {
            User user = found.user();
            return CompletableFuture.completedFuture(passwords.matches(password, user.passwordHash())
                ? Optional.of(new SignedIn(user.username(), user.roles()))
                : Optional.<SignedIn>empty());
          }
          passwords.matches(password, decoyHash);
          return CompletableFuture.completedFuture(Optional.<SignedIn>empty());
        }, hashing);
  }
}
