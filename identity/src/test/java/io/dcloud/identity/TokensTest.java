package io.dcloud.identity;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class TokensTest {
  private static final byte[] KEY = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
  private static final Instant NOW = Instant.parse("2026-11-30T12:00:00Z");
  private final AtomicReference<Revocations.Snapshot> revoked = new AtomicReference<>(Revocations.Snapshot.NONE);
  private final Tokens tokens = new Tokens(KEY, revoked::get, 100);

  @Test
  void aSessionTokenNamesItsUserRolesAndCsrfSecret() {
    Tokens.Issued issued = tokens.issue("alice", Set.of(Role.DATA_SCIENTIST), Tokens.Kind.SESSION, NOW, NOW.plusSeconds(60));

    Caller caller = tokens.verify(issued.token(), NOW.plusSeconds(1), false).orElseThrow();

    assertThat(caller.username()).isEqualTo("alice");
    assertThat(caller.roles()).containsExactly(Role.DATA_SCIENTIST);
    assertThat(caller.csrf()).isNotBlank().isEqualTo(issued.caller().csrf());
    assertThat(caller.isAdmin()).isFalse();
  }

  @Test
  void expiredForgedAndForeignTokensAreRefused() {
    Tokens.Issued issued = tokens.issue("alice", Set.of(), Tokens.Kind.API, NOW, NOW.plusSeconds(60));
    assertThat(tokens.verify(issued.token(), NOW.plusSeconds(60), false)).as("expired").isEmpty();

    String[] parts = issued.token().split("\\.");
    String forged = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];
    assertThat(tokens.verify(forged, NOW, false)).as("payload changed").isEmpty();

    Tokens other = new Tokens("another-key-another-key-another-k".getBytes(StandardCharsets.UTF_8), revoked::get, 100);
    assertThat(other.verify(issued.token(), NOW, false)).as("signed with another key").isEmpty();
    assertThat(tokens.verify("not a token", NOW, false)).isEmpty();
    assertThat(tokens.verify("", NOW, false)).isEmpty();
  }

  @Test
  void aRevokedTokenAndTokensIssuedBeforeAUsersSignOutAreRefused() {
    Tokens.Issued first = tokens.issue("alice", Set.of(), Tokens.Kind.SESSION, NOW, NOW.plus(Duration.ofHours(1)));
    Tokens.Issued second = tokens.issue("alice", Set.of(), Tokens.Kind.SESSION, NOW.plusMillis(10), NOW.plus(Duration.ofHours(1)));
    Tokens.Issued bobs = tokens.issue("bob", Set.of(), Tokens.Kind.SESSION, NOW, NOW.plus(Duration.ofHours(1)));

    revoked.set(new Revocations.Snapshot(Map.of("token:" + first.caller().tokenId(), NOW.plusSeconds(3600).toEpochMilli())));
    assertThat(tokens.verify(first.token(), NOW, false)).isEmpty();
    assertThat(tokens.verify(second.token(), NOW, false)).isPresent();

    // Alice disabled 5 ms after her first token: that one is refused, the one issued later is not.
    revoked.set(new Revocations.Snapshot(Map.of("user:alice", NOW.plusMillis(5).toEpochMilli())));
    assertThat(tokens.verify(first.token(), NOW, false)).isEmpty();
    assertThat(tokens.verify(second.token(), NOW, false)).isPresent();
    assertThat(tokens.verify(bobs.token(), NOW, false)).isPresent();
  }

  @Test
  void aTokenCheckedOnceIsStillRefusedOnceItExpiresOrIsRevoked() {
    Tokens.Issued issued = tokens.issue("alice", Set.of(Role.ADMIN), Tokens.Kind.SESSION, NOW, NOW.plusSeconds(60));
    assertThat(tokens.verify(issued.token(), NOW, false)).as("checked and kept").isPresent();

    assertThat(tokens.verify(issued.token(), NOW.plusSeconds(60), false)).as("expired since").isEmpty();
    assertThat(tokens.verify(issued.token(), NOW.plusSeconds(59), false)).isPresent();
    revoked.set(new Revocations.Snapshot(Map.of("token:" + issued.caller().tokenId(), NOW.plusSeconds(60).toEpochMilli())));
    assertThat(tokens.verify(issued.token(), NOW.plusSeconds(1), false)).as("revoked since").isEmpty();
  }

  @Test
  void aKeptTokenSaysEachTimeWhetherItCameInTheCookie() {
    Tokens.Issued issued = tokens.issue("alice", Set.of(Role.DATA_SCIENTIST), Set.of("lab"), Tokens.Kind.SESSION, NOW,
        NOW.plusSeconds(60));

    Caller fromCookie = tokens.verify(issued.token(), NOW, true).orElseThrow();
    Caller fromHeader = tokens.verify(issued.token(), NOW, false).orElseThrow();

    assertThat(fromCookie.viaCookie()).isTrue();
    assertThat(fromHeader.viaCookie()).isFalse();
    assertThat(fromCookie).isEqualTo(new Caller("alice", Set.of(Role.DATA_SCIENTIST), issued.caller().tokenId(),
        NOW.plusSeconds(60), issued.caller().csrf(), true, Set.of("lab")));
    assertThat(tokens.verify(issued.token(), NOW, true)).as("asked again").contains(fromCookie);
  }

  @Test
  void aForgedCopyOfAKeptTokenIsRefused() {
    Tokens.Issued issued = tokens.issue("alice", Set.of(), Tokens.Kind.API, NOW, NOW.plusSeconds(60));
    assertThat(tokens.verify(issued.token(), NOW, false)).isPresent();

    String[] parts = issued.token().split("\\.");
    String forged = parts[0] + "." + parts[1].substring(0, parts[1].length() - 2) + "AA." + parts[2];

    assertThat(tokens.verify(forged, NOW, false)).isEmpty();
    assertThat(tokens.verify(issued.token() + "x", NOW, false)).as("signature changed").isEmpty();
  }

  @Test
  void aKeyShorterThan256BitsIsRefusedAtStart() {
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> new Tokens(new byte[16], revoked::get, 100))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("256 bits");
  }
}
