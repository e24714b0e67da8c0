package io.dcloud.identity;

/**
 * An authenticator could not decide because what it asks (a directory) did not answer or refused
 * its own account: not a wrong password. The gateway answers 503, so operators see an outage
 * rather than a wave of failed sign-ins (and the login throttle does not count it).
 */
public final class AuthenticatorUnavailable extends RuntimeException {
  public AuthenticatorUnavailable(String message, Throwable cause) {
    super(message, cause);
  }
}
