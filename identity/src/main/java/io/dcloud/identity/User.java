package io.dcloud.identity;

import io.dcloud.serialization.CborSerializable;
import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * A built-in user as the registry holds it. {@code quota} is an admin's override (null: the
 * defaults of the user's roles); {@code apiTokens} are the long-lived tokens issued to the user,
 * by id, without their secret (only a token's signature proves it).
 */
public record User(
    String username,
    String passwordHash,
    Set<Role> roles,
    Quota quota,
    boolean disabled,
    Instant createdAt,
    Map<String, ApiToken> apiTokens)
    implements CborSerializable {

  /** A long-lived token for automation: named by its owner, listed without its secret, revocable. */
  public record ApiToken(String id, String name, Instant createdAt, Instant expiresAt) implements CborSerializable {}
}
