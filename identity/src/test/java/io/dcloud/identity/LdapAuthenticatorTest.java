package io.dcloud.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import com.typesafe.config.ConfigFactory;
import io.dcloud.identity.Authenticator.SignedIn;
import io.dcloud.testing.LogCapture;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Sign-in against a real LDAP server ({@link TestDirectory}) on loopback. */
class LdapAuthenticatorTest {
  private final ExecutorService threads = Executors.newFixedThreadPool(2);
  private final AtomicInteger tasks = new AtomicInteger();
  private TestDirectory directory;
  private LdapAuthenticator authenticator;

  @BeforeEach
  void start() throws Exception {
    directory = TestDirectory.start(0);
    authenticator = authenticator(directory.url(), "");
  }

  @AfterEach
  void stop() {
    authenticator.close();
    directory.close();
    threads.shutdownNow();
  }

  @Test
  void theRightPasswordGivesTheRolesOfEveryMappedGroupAndIgnoresOthers() throws Exception {
    // alice is in ml-lab, Developers (mapped as "developers": names compare ignoring case) and library (unmapped).
    assertThat(signIn("alice", "alice-pw"))
        .contains(new SignedIn("alice", Set.of(Role.DATA_SCIENTIST, Role.APP_DEVELOPER)));
    assertThat(signIn("admin", "admin-pw")).contains(new SignedIn("admin", Set.of(Role.ADMIN)));
  }

  @Test
  void theDirectoryCallsRunOnTheGivenExecutor() throws Exception {
    signIn("alice", "alice-pw");
    assertThat(tasks).hasPositiveValue();
  }

  @Test
  void aWrongPasswordIsRefused() throws Exception {
    assertThat(signIn("alice", "bob-pw")).isEmpty();
    assertThat(signIn("alice", "alice-pw ")).isEmpty();
  }

  @Test
  void anUnknownUserIsRefused() throws Exception {
    assertThat(signIn("carol", "alice-pw")).isEmpty();
  }

  @Test
  void anEmptyPasswordIsRefusedBeforeAnyBind() throws Exception {
    // Many directories take a bind with a DN and an empty password as an anonymous bind, which
    // succeeds; this one refuses it, so what proves the guard is that no bind as alice was tried.
    assertThat(signIn("alice", "")).isEmpty();
    assertThat(signIn("alice", null)).isEmpty();
    signIn("alice", "wrong");
    assertThat(directory.binds()).containsOnlyOnce("uid=alice," + TestDirectory.PEOPLE);
  }

  @Test
  void usernamesWithFilterMetacharactersMatchNobody() throws Exception {
    for (String name : List.of("*", "a*", "admin)(uid=*", "*)(uid=admin", "admin)(|(uid=*", "admin\\2a", "(uid=*)")) {
      for (String password : List.of("admin-pw", "alice-pw")) {
        assertThat(signIn(name, password)).as("%s / %s", name, password).isEmpty();
      }
    }
    assertThat(signIn("a".repeat(65), "alice-pw")).isEmpty();
    assertThat(directory.binds()).containsOnly(TestDirectory.SEARCH_DN);
  }

  @Test
  void aUsernameTypedInAnotherCaseSignsInAsTheDirectorySpellsIt() throws Exception {
    assertThat(signIn("ALICE", "alice-pw")).map(SignedIn::username).contains("alice");
  }

  @Test
  void aUserInNoMappedGroupCannotSignIn() throws Exception {
    // bob is only in library, which maps to nothing, and there are no default roles.
    assertThat(signIn("bob", "bob-pw")).isEmpty();
  }

  @Test
  void defaultRolesLetEveryDirectoryUserInOnTopOfTheirGroups() throws Exception {
    authenticator.close();
    authenticator = authenticator(directory.url(), "default-roles = [\"end-user\"]");
    assertThat(signIn("bob", "bob-pw")).contains(new SignedIn("bob", Set.of(Role.END_USER)));
    assertThat(signIn("alice", "alice-pw"))
        .contains(new SignedIn("alice", Set.of(Role.END_USER, Role.DATA_SCIENTIST, Role.APP_DEVELOPER)));
  }

  @Test
  void theGroupsOfAUserWhoseDnHoldsFilterCharactersAreFound() throws Exception {
    assertThat(signIn("pat", "pat-pw")).contains(new SignedIn("pat", Set.of(Role.DATA_SCIENTIST)));
  }

  @Test
  void aDownDirectoryFailsAsUnavailableWithAWarningNotAsAWrongPassword() throws Exception {
    try (LogCapture logged = LogCapture.of(LdapAuthenticator.class)) {
      String url = directory.url();
      directory.close();
      assertUnavailable("alice", "alice-pw");
      assertThat(logged.messages(Level.WARN))
          .anySatisfy(message -> assertThat(message).contains(url).contains("searching for user alice"));
    }
  }

  @Test
  void anAuthenticatorMadeWhileTheDirectoryIsDownSignsInOnceItIsBack() throws Exception {
    int port = directory.port();
    String url = directory.url();
    directory.close();
    authenticator.close();
    authenticator = authenticator(url, "");
    assertUnavailable("alice", "alice-pw");
    directory = TestDirectory.start(port);
    assertThat(signIn("alice", "alice-pw")).isPresent();
  }

  @Test
  void aUserFilterThatMatchesSeveralEntriesSignsNobodyIn() throws Exception {
    for (String filter : List.of("(|(uid={0})(uid=bob))", "(|(uid={0})(objectClass=inetOrgPerson))")) {
      authenticator.close();
      authenticator = authenticator(directory.url(), "user-filter = \"" + filter + "\"");
      assertThat(signIn("alice", "alice-pw")).as(filter).isEmpty();
    }
  }

  @Test
  void aRefusedSearchAccountIsAnOutageNotAWrongPassword() throws Exception {
    authenticator.close();
    authenticator = authenticator(directory.url(), "bind-password = \"not-the-secret\"");
    assertUnavailable("alice", "alice-pw");
  }

  private void assertUnavailable(String username, String password) {
    assertThatThrownBy(() -> signIn(username, password))
        .isInstanceOf(ExecutionException.class)
        .cause().isInstanceOf(AuthenticatorUnavailable.class).hasMessageContaining("did not answer");
  }

  private Optional<SignedIn> signIn(String username, String password) throws Exception {
    // The bound is a guard against a hang, not a timing assertion.
    return authenticator.authenticate(username, password).toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private LdapAuthenticator authenticator(String url, String extra) {
    LdapSettings settings = LdapSettings.fromConfig(ConfigFactory.parseString(TestDirectory.settings(url, extra))
        .withFallback(ConfigFactory.defaultReference()).resolve());
    return new LdapAuthenticator(settings, task -> {
      tasks.incrementAndGet();
      threads.execute(task);
    });
  }
}
