package io.dcloud.identity;

import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * One way to check a username and password: the built-in users ({@link BuiltInAuthenticator}) or a
 * directory such as LDAP. The gateway asks each configured one in turn
 * ({@code dcloud.identity.authenticators}); the first that knows the user decides.
 */
public interface Authenticator {

  /** Who signed in, with the roles DCloud gives them. */
  record SignedIn(String username, Set<Role> roles) {}

  /**
   * Completes with the user when the password is right; empty when the user is unknown, disabled
   * or the password wrong (never saying which). Runs off the caller's thread.
   */
  CompletionStage<Optional<SignedIn>> authenticate(String username, String password);

  /**
   * Its name in {@code dcloud.identity.authenticators}; a directory's is the {@link User#source} of
   * the users it signs in.
   */
  String name();
}
