package io.dcloud.identity;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.function.Supplier;

/**
 * Session and API tokens: JWTs signed with HMAC-SHA256 (nimbus-jose-jwt) under the cluster's key,
 * so any gateway checks one with a signature and a lookup in its copy of {@link Revocations}.
 *
 * <p>A token is parsed and its signature checked once: what a token string says never changes, so
 * the caller it names is kept (the most recently used {@code dcloud.identity.verified-tokens}) and
 * only its expiry and the revocations are checked again on each request. Parsing the JSON and the
 * HMAC were a tenth of a busy gateway's CPU per request (docs/BENCHMARKS.md §10). A string that
 * fails the check is never kept: a forged token pays for its check every time.
 */
public final class Tokens {
  public enum Kind { SESSION, API }

  private static final String ROLES = "roles";
  private static final String GROUPS = "groups";
  private static final String KIND = "kind";
  private static final String CSRF = "csrf";
  /** Issue time in milliseconds: JWT's {@code iat} has seconds, too coarse to order against a revocation. */
  private static final String ISSUED_MILLIS = "iatms";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final MACSigner signer;
  private final MACVerifier verifier;
  private final Supplier<Revocations.Snapshot> revocations;
  /** Each well-signed token string with what it says (its caller as seen without a cookie). */
  private final Cache<String, Verified> verified;

  private record Verified(Caller caller, long issuedMillis) {}

  /** {@code verifiedKept}: how many verified token strings to keep ({@code dcloud.identity.verified-tokens}). */
  public Tokens(byte[] key, Supplier<Revocations.Snapshot> revocations, int verifiedKept) {
    try {
      this.signer = new MACSigner(key);
      this.verifier = new MACVerifier(key);
    } catch (JOSEException tooShort) {
      throw new IllegalArgumentException("the token signing key must have at least 256 bits", tooShort);
    }
    this.revocations = revocations;
    this.verified = Caffeine.newBuilder().maximumSize(verifiedKept).build();
  }

  /** A signed token and what it says. */
  public record Issued(String token, Caller caller) {}

  /** A token of a user in no group. */
  public Issued issue(String username, Set<Role> roles, Kind kind, Instant now, Instant expiresAt) {
    return issue(username, roles, Set.of(), kind, UUID.randomUUID().toString(), now, expiresAt);
  }

  public Issued issue(String username, Set<Role> roles, Set<String> groups, Kind kind, Instant now, Instant expiresAt) {
    return issue(username, roles, groups, kind, UUID.randomUUID().toString(), now, expiresAt);
  }

  /**
   * {@code groups} travel in the token, so no request asks the registry for them; a member dropped
   * from a group is signed out by the registry, and their next token says what they are now.
   */
  public Issued issue(
      String username, Set<Role> roles, Set<String> groups, Kind kind, String tokenId, Instant now, Instant expiresAt) {
    String csrf = kind == Kind.SESSION ? randomSecret() : null;
    JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
        .subject(username)
        .jwtID(tokenId)
        .issueTime(Date.from(now))
        .expirationTime(Date.from(expiresAt))
        .claim(ISSUED_MILLIS, now.toEpochMilli())
        .claim(KIND, kind.name().toLowerCase())
        .claim(ROLES, roles.stream().map(Role::wireName).sorted().toList())
        .claim(GROUPS, groups.stream().sorted().toList());
    if (csrf != null) {
      claims.claim(CSRF, csrf);
    }
    SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a token", e);
    }
    return new Issued(jwt.serialize(), new Caller(username, roles, tokenId, expiresAt, csrf, false, Set.copyOf(groups)));
  }

  /** The caller a token names, if it is well formed, signed with our key, unexpired and not revoked. */
  public Optional<Caller> verify(String token, Instant now, boolean viaCookie) {
    Verified known = verified.getIfPresent(token);
    if (known == null) {
      known = check(token);
      if (known == null) {
        return Optional.empty();
      }
      verified.put(token, known);
    }
    Caller caller = known.caller();
    if (!caller.expiresAt().isAfter(now)
        || revocations.get().revokes(caller.tokenId(), caller.username(), Instant.ofEpochMilli(known.issuedMillis()))) {
      return Optional.empty();
    }
    return Optional.of(viaCookie ? caller.fromCookie() : caller);
  }

  /** What a token says if it is well formed and signed with our key; null otherwise. */
  private Verified check(String token) {
    try {
      SignedJWT jwt = SignedJWT.parse(token);
      if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm()) || !jwt.verify(verifier)) {
        return null;
      }
      JWTClaimsSet claims = jwt.getJWTClaimsSet();
      Date expiry = claims.getExpirationTime();
      Long issuedMillis = claims.getLongClaim(ISSUED_MILLIS);
      if (expiry == null || issuedMillis == null) {
        return null;
      }
      Set<Role> roles = EnumSet.noneOf(Role.class);
      List<String> names = claims.getStringListClaim(ROLES);
      if (names != null) {
        names.forEach(name -> Role.parse(name).ifPresent(roles::add));
      }
      List<String> groups = claims.getStringListClaim(GROUPS);
      return new Verified(new Caller(claims.getSubject(), Set.copyOf(roles), claims.getJWTID(), expiry.toInstant(),
          claims.getStringClaim(CSRF), false, groups == null ? Set.of() : Set.copyOf(groups)), issuedMillis);
    } catch (ParseException | JOSEException | RuntimeException malformed) {
      return null;
    }
  }

  static String randomSecret() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }
}
