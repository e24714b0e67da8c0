package io.dcloud.identity;

import java.time.Instant;
import java.util.List;
import java.util.Set;

/**
 * Who sent a request, as their token says: checked on every API call before anything else.
 *
 * @param tokenId the token's id (what a logout or an API token's revocation names)
 * @param csrf the token's CSRF secret (session tokens only; null for API tokens)
 * @param viaCookie whether the token came in the session cookie (then changes need the CSRF header)
 * @param groups the groups the user was a member of when the token was issued (a user dropped from
 *     a group is signed out, so a token never names a group its user has left)
 * @param address where the request came from (for the audit); null until the gateway sets it
 */
public record Caller(
    String username, Set<Role> roles, String tokenId, Instant expiresAt, String csrf, boolean viaCookie,
    Set<String> groups, String address) {

  public Caller(
      String username, Set<Role> roles, String tokenId, Instant expiresAt, String csrf, boolean viaCookie,
      Set<String> groups) {
    this(username, roles, tokenId, expiresAt, csrf, viaCookie, groups, null);
  }

  /** The same caller, whose token came in DCloud's session cookie. */
  public Caller fromCookie() {
    return new Caller(username, roles, tokenId, expiresAt, csrf, true, groups, address);
  }

  /** The same caller, seen at {@code from}. */
  public Caller from(String from) {
    return new Caller(username, roles, tokenId, expiresAt, csrf, viaCookie, groups, from);
  }

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

  /** What {@link #mayAccess} allows, and what is shared with any of the caller's groups (to see, not to change). */
  public boolean maySee(String owner, List<String> sharedWith) {
    return mayAccess(owner) || sharedWith.stream().anyMatch(groups::contains);
  }
}
