package io.dcloud.identity;

import io.dcloud.serialization.CborSerializable;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * A user as the registry holds it. {@code quota} is an admin's override (null: the defaults of the
 * user's roles); {@code apiTokens} are the long-lived tokens issued to the user, by id, without their
 * secret (only a token's signature proves it). {@code source}: null for DCloud's own users (signed in
 * with {@code passwordHash}); else the directory that signs them in ({@code "ldap"}), which made this
 * record at their first sign-in and sets their roles at each (their {@code passwordHash} is null).
 */
public record User(
    String username,
    String passwordHash,
    Set<Role> roles,
    Quota quota,
    boolean disabled,
    Instant createdAt,
    Map<String, ApiToken> apiTokens,
    String source)
    implements CborSerializable {

  /** One of DCloud's own users (as every user was before directory users had records). */
  public User(String username, String passwordHash, Set<Role> roles, Quota quota, boolean disabled, Instant createdAt,
      Map<String, ApiToken> apiTokens) {
    this(username, passwordHash, roles, quota, disabled, createdAt, apiTokens, null);
  }

  /** Signed in by a directory (see {@code source}), not with a password DCloud keeps. */
  public boolean fromDirectory() {
    return source != null;
  }

  /** A long-lived token for automation: named by its owner, listed without its secret, revocable. */
  public record ApiToken(String id, String name, Instant createdAt, Instant expiresAt) implements CborSerializable {}
}
