package io.dcloud.identity;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.journal.JournalBackoff;
import io.dcloud.testing.OneNodeCluster;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The user registry on a one-node cluster with the in-memory journal: who it creates, and that
 * what ends tokens reaches the replicated revocations a gateway checks, also after a restart. Each
 * test has its own cluster: the registry has one persistence id, so one journal per test.
 */
class UserRegistryTest {
  private static final Duration ANSWER = Duration.ofSeconds(10);
  private static final Duration REPLICATED = Duration.ofSeconds(10);
  private static final Instant START = Instant.parse("2026-11-30T10:00:00Z");
  private static final Instant EXPIRES = START.plus(Duration.ofDays(1));
  private static final AtomicInteger CLUSTERS = new AtomicInteger();

  private final SettableClock clock = new SettableClock(START);
  private final AtomicReference<Revocations.Snapshot> view = new AtomicReference<>(Revocations.Snapshot.NONE);
  private ActorTestKit testKit;
  private ActorRef<UserRegistry.Command> registry;

  @BeforeEach
  void start() {
    testKit = OneNodeCluster.start("user-registry-test-" + CLUSTERS.incrementAndGet());
    registry = spawnRegistry();
    testKit.spawn(RevocationView.create(view), "revocation-view");
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  @Test
  void bootstrapCreatesTheAdminOnlyWhileNoUserExists() {
    assertThat(ask(replyTo -> new UserRegistry.Bootstrap("first-hash", replyTo)))
        .isEqualTo(new UserRegistry.Bootstrapped(true));
    assertThat(ask(replyTo -> new UserRegistry.Bootstrap("second-hash", replyTo)))
        .isEqualTo(new UserRegistry.Bootstrapped(false));

    User admin = user(UserRegistry.ADMIN);
    assertThat(admin.roles()).containsExactly(Role.ADMIN);
    assertThat(admin.passwordHash()).as("the second bootstrap changed nothing").isEqualTo("first-hash");
    assertThat(ask(UserRegistry.ListUsers::new)).isEqualTo(new UserRegistry.Users(List.of(admin)));
  }

  @Test
  void bootstrapDoesNothingOnceAnyUserExists() {
    ask(replyTo -> new UserRegistry.CreateUser("alice", "hash", Set.of(Role.DATA_SCIENTIST), "ldap-sync", false, replyTo));

    assertThat(ask(replyTo -> new UserRegistry.Bootstrap("hash", replyTo)))
        .isEqualTo(new UserRegistry.Bootstrapped(false));
    assertThat(ask(replyTo -> new UserRegistry.GetUser(UserRegistry.ADMIN, replyTo)))
        .isEqualTo(new UserRegistry.NoSuchUser(UserRegistry.ADMIN));
  }

  @Test
  void aTakenNameIsRefusedAndTheUserKeptAsItWas() {
    UserRegistry.Reply created = ask(replyTo ->
        new UserRegistry.CreateUser("alice", "hash-1", Set.of(Role.DATA_SCIENTIST), "admin", false, replyTo));
    assertThat(created).isInstanceOf(UserRegistry.Found.class);

    assertThat(ask(replyTo -> new UserRegistry.CreateUser("alice", "hash-2", Set.of(Role.ADMIN), "admin", false, replyTo)))
        .isEqualTo(new UserRegistry.Taken("alice"));
    assertThat(user("alice").passwordHash()).isEqualTo("hash-1");
    assertThat(user("alice").roles()).containsExactly(Role.DATA_SCIENTIST);
  }

  /**
   * What a user owns is owned by name: a deleted user's name is refused to a new user unless it is to
   * inherit it, also after a restart; once created again the name is an ordinary user's.
   */
  @Test
  void aDeletedUsersNameIsGivenToANewUserOnlyWhenAskedToInheritWhatTheyOwned() {
    ask(replyTo -> new UserRegistry.CreateUser("alice", "hash-1", Set.of(Role.DATA_SCIENTIST), "admin", false, replyTo));
    clock.set(START.plusSeconds(30));
    ask(replyTo -> new UserRegistry.DeleteUser("alice", "admin", replyTo));
    testKit.stop(registry, ANSWER);
    registry = spawnRegistry();

    assertThat(ask(replyTo -> new UserRegistry.CreateUser("alice", "hash-2", Set.of(Role.END_USER), "admin", false, replyTo)))
        .isEqualTo(new UserRegistry.WasDeleted("alice", START.plusSeconds(30)));
    assertThat(ask(replyTo -> new UserRegistry.GetUser("alice", replyTo))).isEqualTo(new UserRegistry.NoSuchUser("alice"));
    assertThat(ask(replyTo -> new UserRegistry.CreateUser("alice", "hash-2", Set.of(Role.END_USER), "admin", true, replyTo)))
        .isInstanceOf(UserRegistry.Found.class);
    assertThat(user("alice").passwordHash()).isEqualTo("hash-2");
    assertThat(ask(replyTo -> new UserRegistry.CreateUser("alice", "hash-3", Set.of(Role.END_USER), "admin", true, replyTo)))
        .as("an existing user's name stays taken, whatever the flag")
        .isEqualTo(new UserRegistry.Taken("alice"));
    assertThat(ask(replyTo -> new UserRegistry.CreateUser("bob", "hash", Set.of(Role.END_USER), "admin", true, replyTo)))
        .as("the flag is harmless for a name never used")
        .isInstanceOf(UserRegistry.Found.class);
  }

  /**
   * A directory's user is recorded at their first sign-in, takes the directory's roles at each
   * (ending their older tokens, which carry the old ones), stays disabled once an admin disables
   * them, gets back a deleted record's name, and never takes one of DCloud's own users' names.
   */
  @Test
  void aDirectorysUserIsRecordedAtTheirFirstSignInAndTakesTheDirectorysRolesAtEach() {
    Tokens tokens = tokens();
    UserRegistry.Reply first = ask(replyTo ->
        new UserRegistry.RecordDirectorySignIn("dora", Set.of(Role.DATA_SCIENTIST), "ldap", replyTo));
    User dora = ((UserRegistry.Found) first).user();
    assertThat(dora.source()).isEqualTo("ldap");
    assertThat(dora.passwordHash()).isNull();
    assertThat(dora.roles()).containsExactly(Role.DATA_SCIENTIST);
    assertThat(dora.createdAt()).isEqualTo(START);
    String older = tokens.issue("dora", Set.of(Role.DATA_SCIENTIST), Tokens.Kind.SESSION, START, EXPIRES).token();

    clock.set(START.plusSeconds(10));
    ask(replyTo -> new UserRegistry.RecordDirectorySignIn("dora", Set.of(Role.DATA_SCIENTIST), "ldap", replyTo));
    assertThat(view.get().entries()).as("the same roles again change nothing").doesNotContainKey("user:dora");
    ask(replyTo -> new UserRegistry.RecordDirectorySignIn("dora", Set.of(Role.APP_DEVELOPER), "ldap", replyTo));
    assertThat(user("dora").roles()).containsExactly(Role.APP_DEVELOPER);
    assertThat(user("dora").createdAt()).isEqualTo(START);
    awaitReplicated(() -> assertThat(tokens.verify(older, START.plusSeconds(60), false))
        .as("issued with the roles she had").isEmpty());

    ask(replyTo -> new UserRegistry.UpdateUser("dora", null, null, true, "admin", replyTo));
    UserRegistry.Reply disabled = ask(replyTo ->
        new UserRegistry.RecordDirectorySignIn("dora", Set.of(Role.ADMIN), "ldap", replyTo));
    assertThat(((UserRegistry.Found) disabled).user().disabled()).isTrue();
    assertThat(user("dora").roles()).as("a disabled user's roles are left as they were").containsExactly(Role.APP_DEVELOPER);

    ask(replyTo -> new UserRegistry.DeleteUser("dora", "admin", replyTo));
    testKit.stop(registry, ANSWER);
    registry = spawnRegistry();
    ask(replyTo -> new UserRegistry.RecordDirectorySignIn("dora", Set.of(Role.END_USER), "ldap", replyTo));
    assertThat(user("dora").disabled()).as("the same directory account, recorded again").isFalse();
    assertThat(user("dora").fromDirectory()).isTrue();

    ask(replyTo -> new UserRegistry.CreateUser("root", "hash", Set.of(Role.ADMIN), "admin", false, replyTo));
    assertThat(ask(replyTo -> new UserRegistry.RecordDirectorySignIn("root", Set.of(Role.ADMIN), "ldap", replyTo)))
        .isEqualTo(new UserRegistry.Taken("root"));
    assertThat(user("root").fromDirectory()).isFalse();
  }

  @Test
  void disablingAUserRevokesTokensIssuedBeforeItButNotOnesIssuedAfterItIsEnabledAgain() {
    Tokens tokens = tokens();
    ask(replyTo -> new UserRegistry.CreateUser("alice", "hash", Set.of(Role.DATA_SCIENTIST), "admin", false, replyTo));
    String before = tokens.issue("alice", Set.of(Role.DATA_SCIENTIST), Tokens.Kind.SESSION, START, EXPIRES).token();
    Instant checkedAt = START.plusSeconds(60);
    assertThat(tokens.verify(before, checkedAt, false)).isPresent();

    clock.set(START.plusSeconds(10));
    User disabled = ((UserRegistry.Found) ask(replyTo ->
        new UserRegistry.UpdateUser("alice", null, null, true, "admin", replyTo))).user();
    assertThat(disabled.disabled()).isTrue();
    awaitReplicated(() -> assertThat(tokens.verify(before, checkedAt, false)).as("issued before the user was disabled").isEmpty());

    clock.set(START.plusSeconds(20));
    ask(replyTo -> new UserRegistry.UpdateUser("alice", null, null, false, "admin", replyTo));
    assertThat(user("alice").disabled()).isFalse();
    String after = tokens.issue("alice", Set.of(Role.DATA_SCIENTIST), Tokens.Kind.SESSION, START.plusSeconds(30), EXPIRES)
        .token();

    assertThat(view.get().entries()).containsEntry("user:alice", START.plusSeconds(10).toEpochMilli());
    assertThat(tokens.verify(after, checkedAt, false)).as("issued after the user was enabled again").isPresent();
    assertThat(tokens.verify(before, checkedAt, false)).as("enabling does not bring old tokens back").isEmpty();
  }

  @Test
  void signingOutAndRevokingAnApiTokenEndExactlyThoseTokens() {
    Tokens tokens = tokens();
    ask(replyTo -> new UserRegistry.CreateUser("bob", "hash", Set.of(Role.APP_DEVELOPER), "admin", false, replyTo));
    Tokens.Issued session = tokens.issue("bob", Set.of(Role.APP_DEVELOPER), Tokens.Kind.SESSION, START, EXPIRES);
    Tokens.Issued otherSession = tokens.issue("bob", Set.of(Role.APP_DEVELOPER), Tokens.Kind.SESSION, START, EXPIRES);
    for (String id : new String[] {"api-1", "api-2"}) {
      ask(replyTo -> new UserRegistry.IssueApiToken("bob", new User.ApiToken(id, id, START, EXPIRES), replyTo));
    }
    String api1 = tokens.issue("bob", Set.of(Role.APP_DEVELOPER), Set.of(), Tokens.Kind.API, "api-1", START, EXPIRES).token();
    String api2 = tokens.issue("bob", Set.of(Role.APP_DEVELOPER), Set.of(), Tokens.Kind.API, "api-2", START, EXPIRES).token();
    Instant checkedAt = START.plusSeconds(60);

    assertThat(ask(replyTo -> new UserRegistry.RevokeSession(session.caller().tokenId(), EXPIRES, replyTo)))
        .isEqualTo(new UserRegistry.Done());
    awaitReplicated(() -> assertThat(tokens.verify(session.token(), checkedAt, false)).as("signed out").isEmpty());
    assertThat(tokens.verify(otherSession.token(), checkedAt, false)).as("another session of bob").isPresent();
    assertThat(tokens.verify(api1, checkedAt, false)).isPresent();

    assertThat(ask(replyTo -> new UserRegistry.RevokeApiToken("bob", "api-1", "bob", replyTo)))
        .isEqualTo(new UserRegistry.Done());
    awaitReplicated(() -> assertThat(tokens.verify(api1, checkedAt, false)).as("revoked API token").isEmpty());
    assertThat(tokens.verify(api2, checkedAt, false)).as("bob's other API token").isPresent();
    assertThat(tokens.verify(otherSession.token(), checkedAt, false)).isPresent();
    assertThat(user("bob").apiTokens()).containsOnlyKeys("api-2");
  }

  @Test
  void aRestartedRegistryKeepsItsSigningKeyAndPublishesTheRevocationsAgain() {
    ask(replyTo -> new UserRegistry.Bootstrap("hash", replyTo));
    String key = signingKey();
    ask(replyTo -> new UserRegistry.CreateUser("carol", "hash", Set.of(Role.END_USER), "admin", false, replyTo));
    clock.set(START.plusSeconds(10));
    ask(replyTo -> new UserRegistry.UpdateUser("carol", null, null, true, "admin", replyTo));
    ask(replyTo -> new UserRegistry.RevokeSession("session-1", EXPIRES, replyTo));
    Map<String, Long> published = Map.of(
        "user:carol", START.plusSeconds(10).toEpochMilli(), "token:session-1", EXPIRES.toEpochMilli());
    awaitReplicated(() -> assertThat(view.get().entries()).isEqualTo(published));

    testKit.stop(registry, ANSWER);
    // Distributed Data lives in memory: a cluster that restarts whole has lost it, the journal has not.
    emptyTheReplicatedMap();
    awaitReplicated(() -> assertThat(view.get().entries()).isEmpty());
    registry = spawnRegistry();

    assertThat(signingKey()).as("the key tokens were signed with").isEqualTo(key);
    awaitReplicated(() -> assertThat(view.get().entries()).isEqualTo(published));
  }

  @Test
  void aGroupHasKnownMembersIsListedForEachMemberAndSurvivesARestart() {
    for (String name : List.of("alice", "bob")) {
      ask(replyTo -> new UserRegistry.CreateUser(name, "hash", Set.of(Role.DATA_SCIENTIST), "admin", false, replyTo));
    }
    assertThat(ask(replyTo -> new UserRegistry.CreateGroup("lab-a", Set.of("alice", "carol"), "admin", false, replyTo)))
        .isEqualTo(new UserRegistry.NoSuchUser("carol"));
    Group created = ((UserRegistry.GroupFound) ask(replyTo ->
        new UserRegistry.CreateGroup("lab-a", Set.of("alice", "bob"), "admin", false, replyTo))).group();
    assertThat(created).isEqualTo(new Group("lab-a", Set.of("alice", "bob"), START));
    assertThat(ask(replyTo -> new UserRegistry.CreateGroup("lab-a", Set.of(), "admin", false, replyTo)))
        .isEqualTo(new UserRegistry.Taken("lab-a"));
    ask(replyTo -> new UserRegistry.CreateGroup("lab-b", Set.of("alice"), "admin", false, replyTo));

    assertThat(groups("alice")).extracting(Group::name).containsExactly("lab-a", "lab-b");
    assertThat(groups("bob")).extracting(Group::name).containsExactly("lab-a");
    assertThat(groups(null)).hasSize(2);
    assertThat(ask(replyTo -> new UserRegistry.GetGroup("lab-z", replyTo))).isEqualTo(new UserRegistry.NoSuchGroup("lab-z"));

    ask(replyTo -> new UserRegistry.DeleteUser("alice", "admin", replyTo));
    testKit.stop(registry, ANSWER);
    registry = spawnRegistry();
    assertThat(ask(replyTo -> new UserRegistry.GetGroup("lab-a", replyTo)))
        .as("a deleted user left every group")
        .isEqualTo(new UserRegistry.GroupFound(new Group("lab-a", Set.of("bob"), START)));
    assertThat(groups("alice")).isEmpty();
  }

  /** What is shared with a group is shared with its name: a deleted group's goes to a new one only when asked. */
  @Test
  void aDeletedGroupsNameIsGivenToANewGroupOnlyWhenAskedToInheritWhatWasSharedWithIt() {
    ask(replyTo -> new UserRegistry.CreateUser("bob", "hash", Set.of(Role.DATA_SCIENTIST), "admin", false, replyTo));
    ask(replyTo -> new UserRegistry.CreateGroup("lab-a", Set.of("bob"), "admin", false, replyTo));
    clock.set(START.plusSeconds(30));
    ask(replyTo -> new UserRegistry.DeleteGroup("lab-a", "admin", replyTo));
    testKit.stop(registry, ANSWER);
    registry = spawnRegistry();

    assertThat(ask(replyTo -> new UserRegistry.CreateGroup("lab-a", Set.of("bob"), "admin", false, replyTo)))
        .isEqualTo(new UserRegistry.GroupWasDeleted("lab-a", START.plusSeconds(30)));
    assertThat(ask(replyTo -> new UserRegistry.GetGroup("lab-a", replyTo))).isEqualTo(new UserRegistry.NoSuchGroup("lab-a"));
    assertThat(ask(replyTo -> new UserRegistry.CreateGroup("lab-a", Set.of("bob"), "admin", true, replyTo)))
        .isEqualTo(new UserRegistry.GroupFound(new Group("lab-a", Set.of("bob"), START.plusSeconds(30))));
    ask(replyTo -> new UserRegistry.DeleteGroup("lab-a", "admin", replyTo));
    assertThat(ask(replyTo -> new UserRegistry.CreateUser("lab-a", "hash", Set.of(Role.END_USER), "admin", false, replyTo)))
        .as("users and groups are named apart")
        .isInstanceOf(UserRegistry.Found.class);
  }

  @Test
  void aMemberDroppedFromAGroupIsSignedOutAndTheOthersAreNotUntilTheGroupIsDeleted() {
    Tokens tokens = tokens();
    for (String name : List.of("alice", "bob")) {
      ask(replyTo -> new UserRegistry.CreateUser(name, "hash", Set.of(Role.DATA_SCIENTIST), "admin", false, replyTo));
    }
    ask(replyTo -> new UserRegistry.CreateGroup("lab-a", Set.of("alice", "bob"), "admin", false, replyTo));
    Tokens.Issued alices = tokens.issue("alice", Set.of(Role.DATA_SCIENTIST), Set.of("lab-a"), Tokens.Kind.SESSION, START, EXPIRES);
    String bobs = tokens.issue("bob", Set.of(Role.DATA_SCIENTIST), Set.of("lab-a"), Tokens.Kind.API, START, EXPIRES).token();
    Instant checkedAt = START.plusSeconds(60);
    assertThat(tokens.verify(alices.token(), checkedAt, false)).get()
        .satisfies(caller -> assertThat(caller.groups()).containsExactly("lab-a"));

    clock.set(START.plusSeconds(10));
    assertThat(ask(replyTo -> new UserRegistry.UpdateGroupMembers("lab-a", Set.of("alice"), "admin", replyTo)))
        .isEqualTo(new UserRegistry.GroupFound(new Group("lab-a", Set.of("alice"), START)));
    awaitReplicated(() -> assertThat(tokens.verify(bobs, checkedAt, false)).as("bob was dropped").isEmpty());
    assertThat(tokens.verify(alices.token(), checkedAt, false)).as("alice is still a member").isPresent();
    assertThat(ask(replyTo -> new UserRegistry.UpdateGroupMembers("lab-z", Set.of(), "admin", replyTo)))
        .isEqualTo(new UserRegistry.NoSuchGroup("lab-z"));

    clock.set(START.plusSeconds(20));
    assertThat(ask(replyTo -> new UserRegistry.DeleteGroup("lab-a", "admin", replyTo))).isEqualTo(new UserRegistry.Done());
    awaitReplicated(() -> assertThat(tokens.verify(alices.token(), checkedAt, false)).as("lab-a is gone").isEmpty());
    assertThat(groups(null)).isEmpty();
  }

  private ActorRef<UserRegistry.Command> spawnRegistry() {
    return testKit.spawn(UserRegistry.create(JournalBackoff.fromConfig(testKit.system().settings().config()), clock));
  }

  private UserRegistry.Reply ask(Function<ActorRef<UserRegistry.Reply>, UserRegistry.Command> command) {
    TestProbe<UserRegistry.Reply> probe = testKit.createTestProbe();
    registry.tell(command.apply(probe.getRef()));
    return probe.receiveMessage(ANSWER);
  }

  private User user(String username) {
    return ((UserRegistry.Found) ask(replyTo -> new UserRegistry.GetUser(username, replyTo))).user();
  }

  private List<Group> groups(String member) {
    return ((UserRegistry.Groups) ask(replyTo -> new UserRegistry.ListGroups(member, replyTo))).groups();
  }

  private String signingKey() {
    return ((UserRegistry.SigningKey) ask(UserRegistry.GetSigningKey::new)).key();
  }

  /** Tokens as a gateway checks them: the registry's key, this node's copy of the revocations. */
  private Tokens tokens() {
    return new Tokens(Base64.getDecoder().decode(signingKey()), view::get, 100);
  }

  private void awaitReplicated(Runnable assertion) {
    testKit.createTestProbe().awaitAssert(REPLICATED, () -> {
      assertion.run();
      return null;
    });
  }

  private void emptyTheReplicatedMap() {
    SelfUniqueAddress self = DistributedData.get(testKit.system()).selfUniqueAddress();
    TestProbe<Replicator.UpdateResponse<LWWMap<String, Long>>> updated = testKit.createTestProbe();
    DistributedData.get(testKit.system()).replicator().tell(new Replicator.Update<>(
        Revocations.KEY, LWWMap.empty(), Replicator.writeLocal(), updated.getRef(), current -> {
          LWWMap<String, Long> next = current;
          for (String entry : current.getEntries().keySet()) {
            next = next.remove(self, entry);
          }
          return next;
        }));
    assertThat(updated.receiveMessage(ANSWER)).isInstanceOf(Replicator.UpdateSuccess.class);
  }
}
