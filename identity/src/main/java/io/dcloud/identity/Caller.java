package io.dcloud.identity;

import java.time.Instant;
import java.util.Set;

/**
 * Who sent a request, as their token says: checked on every API call before anything else.
 *
 * @param tokenId the token's id (what a logout or an API token's revocation names)
 * @param csrf the token's CSRF secret (session tokens only; null for API tokens)
 * @param viaCookie whether the token came in the session cookie (then changes need the CSRF header)
 */
public record Caller(String username, Set<Role> roles, String tokenId, Instant expiresAt, String csrf, boolean viaCookie) {

  public boolean isAdmin() {
    return roles.contains(Role.ADMIN);
  }

  public boolean hasAny(Set<Role> wanted) {
    return isAdmin() || roles.stream().anyMatch(wanted::contains);
  }

  /** Admins see every owner's things; everyone else only their own. */
  public boolean mayAccess(String owner) {
    return isAdmin() || username.equals(owner);
  }
}
