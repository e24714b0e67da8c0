package io.dcloud.identity;

import io.dcloud.audit.AuditEntry;
import io.dcloud.audit.AuditTrail;
import io.dcloud.environment.OwnerUsage;
import io.dcloud.quota.QuotaLedger;
import io.dcloud.resources.Resources;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * One value of every persisted and wire type of the identity module (users, audit, quotas), by a
 * name that never changes: its golden file's name (see {@link IdentityGoldenWireTest}). Every
 * registry command crosses nodes: the registry is a cluster singleton that gateways on any node ask.
 */
final class IdentityGoldenSamples {
  private IdentityGoldenSamples() {}

  static final List<Class<?>> PERSISTED_INTERFACES = List.of(UserRegistry.Event.class);

  static final Instant AT = Instant.parse("2026-11-30T10:00:00Z");
  static final String HASH = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g";
  static final Quota QUOTA = new Quota(4000L, 16L << 30, 1, 10, null);
  static final User.ApiToken TOKEN = new User.ApiToken("t1", "ci", AT, AT.plusSeconds(86_400));
  static final User USER = new User(
      "alice", HASH, Set.of(Role.DATA_SCIENTIST, Role.APP_DEVELOPER), QUOTA, false, AT, Map.of("t1", TOKEN));
  static final AuditEntry ENTRY = new AuditEntry(AT, "admin", "user.create", "alice", "127.0.0.1", "ok");

  static Map<String, Object> all(ActorSystem<?> system) {
    Map<String, Object> samples = new LinkedHashMap<>();
    userEvents(samples);
    userCommands(samples, system);
    userReplies(samples);
    groups(samples, system);
    audit(samples, system);
    quota(samples, system);
    return samples;
  }

  private static void userEvents(Map<String, Object> s) {
    s.put("user-event.SigningKeyCreated",
        new UserRegistry.SigningKeyCreated("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", AT));
    s.put("user-event.UserCreated",
        new UserRegistry.UserCreated("alice", HASH, Set.of(Role.DATA_SCIENTIST, Role.END_USER), "admin", AT));
    s.put("user-event.UserCreated.directory",
        new UserRegistry.UserCreated("dora", null, Set.of(Role.DATA_SCIENTIST), "ldap", AT, "ldap"));
    s.put("user-event.PasswordChanged", new UserRegistry.PasswordChanged("alice", HASH, "alice", AT));
    s.put("user-event.RolesChanged", new UserRegistry.RolesChanged("alice", Set.of(Role.PLATFORM_CONFIGURER), "admin", AT));
    s.put("user-event.UserDisabled", new UserRegistry.UserDisabled("alice", "admin", AT));
    s.put("user-event.UserEnabled", new UserRegistry.UserEnabled("alice", "admin", AT));
    s.put("user-event.QuotaSet", new UserRegistry.QuotaSet("alice", QUOTA, "admin", AT));
    s.put("user-event.QuotaSet.back-to-defaults", new UserRegistry.QuotaSet("alice", null, "admin", AT));
    s.put("user-event.UserDeleted", new UserRegistry.UserDeleted("alice", "admin", AT));
    s.put("user-event.ApiTokenIssued", new UserRegistry.ApiTokenIssued("alice", TOKEN, AT));
    s.put("user-event.ApiTokenRevoked", new UserRegistry.ApiTokenRevoked("alice", "t1", "alice", AT));
    s.put("user-event.SessionRevoked", new UserRegistry.SessionRevoked("s1", AT.plusSeconds(3600), AT));
    // The registry snapshots its state every 100 events.
    s.put("user-snapshot.Users", new Users(
        Map.of("alice", USER), "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", Map.of("bob", AT),
        Map.of("s1", AT.plusSeconds(3600))));
    s.put("wire.identity.User", USER);
    s.put("wire.identity.User.directory",
        new User("dora", null, Set.of(Role.DATA_SCIENTIST), null, false, AT, Map.of(), "ldap"));
    s.put("wire.identity.Quota", QUOTA);
  }

  private static void userCommands(Map<String, Object> s, ActorSystem<?> system) {
    s.put("wire.users.Bootstrap", new UserRegistry.Bootstrap(HASH, system.deadLetters()));
    s.put("wire.users.CreateUser",
        new UserRegistry.CreateUser("alice", HASH, Set.of(Role.DATA_SCIENTIST), "admin", false, system.deadLetters()));
    s.put("wire.users.CreateUser.inheriting",
        new UserRegistry.CreateUser("alice", HASH, Set.of(Role.DATA_SCIENTIST), "admin", true, system.deadLetters()));
    s.put("wire.users.GetUser", new UserRegistry.GetUser("alice", system.deadLetters()));
    s.put("wire.users.RecordDirectorySignIn",
        new UserRegistry.RecordDirectorySignIn("dora", Set.of(Role.DATA_SCIENTIST), "ldap", system.deadLetters()));
    s.put("wire.users.ListUsers", new UserRegistry.ListUsers(system.deadLetters()));
    s.put("wire.users.UpdateUser",
        new UserRegistry.UpdateUser("alice", HASH, Set.of(Role.END_USER), true, "admin", system.deadLetters()));
    s.put("wire.users.UpdateUser.partial",
        new UserRegistry.UpdateUser("alice", null, null, null, "admin", system.deadLetters()));
    s.put("wire.users.SetQuota", new UserRegistry.SetQuota("alice", QUOTA, "admin", system.deadLetters()));
    s.put("wire.users.DeleteUser", new UserRegistry.DeleteUser("alice", "admin", system.deadLetters()));
    s.put("wire.users.IssueApiToken", new UserRegistry.IssueApiToken("alice", TOKEN, system.deadLetters()));
    s.put("wire.users.RevokeApiToken", new UserRegistry.RevokeApiToken("alice", "t1", "alice", system.deadLetters()));
    s.put("wire.users.RevokeSession", new UserRegistry.RevokeSession("s1", AT.plusSeconds(3600), system.deadLetters()));
    s.put("wire.users.GetSigningKey", new UserRegistry.GetSigningKey(system.deadLetters()));
  }

  private static void userReplies(Map<String, Object> s) {
    s.put("wire.users.Found", new UserRegistry.Found(USER));
    s.put("wire.users.NoSuchUser", new UserRegistry.NoSuchUser("bob"));
    s.put("wire.users.Taken", new UserRegistry.Taken("alice"));
    s.put("wire.users.WasDeleted", new UserRegistry.WasDeleted("alice", AT));
    s.put("wire.users.Users", new UserRegistry.Users(List.of(USER)));
    s.put("wire.users.Done", new UserRegistry.Done());
    s.put("wire.users.Bootstrapped", new UserRegistry.Bootstrapped(true));
    s.put("wire.users.SigningKey", new UserRegistry.SigningKey("MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="));
  }

  /** Written after the files above, when groups came. */
  private static void groups(Map<String, Object> s, ActorSystem<?> system) {
    Group group = new Group("lab-a", Set.of("alice", "bob"), AT);
    s.put("user-event.GroupCreated", new UserRegistry.GroupCreated("lab-a", Set.of("alice", "bob"), "admin", AT));
    s.put("user-event.GroupMembersChanged", new UserRegistry.GroupMembersChanged("lab-a", Set.of("alice"), "admin", AT));
    s.put("user-event.GroupDeleted", new UserRegistry.GroupDeleted("lab-a", "admin", AT));
    s.put("user-snapshot.Users.with-groups", new Users(
        Map.of("alice", USER), "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", Map.of("bob", AT), Map.of(),
        Map.of("lab-a", group)));
    s.put("user-snapshot.Users.with-deleted", new Users(
        Map.of("alice", USER), "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", Map.of("bob", AT), Map.of(),
        Map.of("lab-a", group), Map.of("bob", AT)));
    s.put("user-snapshot.Users.with-deleted-groups", new Users(
        Map.of("alice", USER), "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=", Map.of("bob", AT), Map.of(),
        Map.of("lab-a", group), Map.of("bob", AT), Map.of("lab-b", AT)));
    s.put("wire.identity.Group", group);
    s.put("wire.users.CreateGroup",
        new UserRegistry.CreateGroup("lab-a", Set.of("alice", "bob"), "admin", false, system.deadLetters()));
    s.put("wire.users.CreateGroup.inheriting",
        new UserRegistry.CreateGroup("lab-a", Set.of("alice", "bob"), "admin", true, system.deadLetters()));
    s.put("wire.users.GroupWasDeleted", new UserRegistry.GroupWasDeleted("lab-a", AT));
    s.put("wire.users.UpdateGroupMembers",
        new UserRegistry.UpdateGroupMembers("lab-a", Set.of("alice"), "admin", system.deadLetters()));
    s.put("wire.users.DeleteGroup", new UserRegistry.DeleteGroup("lab-a", "admin", system.deadLetters()));
    s.put("wire.users.ListGroups", new UserRegistry.ListGroups("alice", system.deadLetters()));
    s.put("wire.users.ListGroups.all", new UserRegistry.ListGroups(null, system.deadLetters()));
    s.put("wire.users.GetGroup", new UserRegistry.GetGroup("lab-a", system.deadLetters()));
    s.put("wire.users.GroupFound", new UserRegistry.GroupFound(group));
    s.put("wire.users.NoSuchGroup", new UserRegistry.NoSuchGroup("lab-b"));
    s.put("wire.users.Groups", new UserRegistry.Groups(List.of(group)));
  }

  private static void audit(Map<String, Object> s, ActorSystem<?> system) {
    s.put("audit-event.Recorded", new AuditTrail.Recorded(ENTRY));
    s.put("audit-event.Recorded.without-target", new AuditTrail.Recorded(
        new AuditEntry(AT, "bob", "login", null, null, "denied")));
    s.put("audit-state.Day", new AuditTrail.Day(new ArrayList<>(List.of(ENTRY))));
    s.put("wire.audit.AuditEntry", ENTRY);
    s.put("wire.audit.Record", new AuditTrail.Record(ENTRY, system.deadLetters()));
    s.put("wire.audit.Read", new AuditTrail.Read(system.deadLetters()));
    s.put("wire.audit.Entries", new AuditTrail.Entries(List.of(ENTRY)));
  }

  private static void quota(Map<String, Object> s, ActorSystem<?> system) {
    OwnerUsage usage = new OwnerUsage(2000, 4L << 30, 0, 2, 10L << 30);
    s.put("wire.quota.Admit", new QuotaLedger.Admit(
        "alice", "e1", new Resources(1000, 1L << 30, 0, 1L << 30, null), true, QUOTA, system.deadLetters()));
    s.put("wire.quota.Check", new QuotaLedger.Check(
        "alice", new Resources(1000, 1L << 30, 0, 1L << 30, null), QUOTA, system.deadLetters()));
    s.put("wire.quota.Check.environments", new QuotaLedger.Check(
        "alice", new Resources(3000, 3L << 30, 0, 0, null), 3, QUOTA, system.deadLetters()));
    s.put("wire.quota.Check.service-hold", new QuotaLedger.Check("alice", new Resources(3000, 3L << 30, 0, 0, null), 3,
        QUOTA, new QuotaLedger.ServiceHold("web", 5, new Resources(1000, 1L << 30, 0, 0, null)), system.deadLetters()));
    s.put("wire.quota.ReleaseService", new QuotaLedger.ReleaseService("web"));
    QuotaLedger.Excess excess = new QuotaLedger.Excess("cpu", 2000, 3000, 4000);
    s.put("wire.quota.Excess", excess);
    s.put("wire.quota.Decision", new QuotaLedger.Decision(false, usage, List.of(excess), false));
    s.put("wire.quota.Decision.admitted", new QuotaLedger.Decision(true, usage, List.of(), false));
  }
}
