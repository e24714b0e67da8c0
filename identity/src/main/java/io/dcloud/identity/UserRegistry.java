package io.dcloud.identity;

import io.dcloud.serialization.CborSerializable;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;

/**
 * Every user, event sourced in the journal (a cluster singleton on the control role): their
 * password hash, roles, quota override, disabled flag and API tokens; and the key tokens are signed
 * with. Passwords are hashed and checked by the caller (a gateway), never here: the singleton only
 * records, so sign-ins on many gateways do not queue behind one actor's hashing.
 *
 * <p>What ends tokens early (a logout, a revoked API token, a disabled user, changed roles or
 * password) is also published to every gateway by {@link Revocations}; this class is its protocol
 * and events, the behavior is {@link UserRegistryBehavior}.
 */
public final class UserRegistry {
  private UserRegistry() {}

  public static final PersistenceId PERSISTENCE_ID = PersistenceId.ofUniqueId("dcloud-users");

  // ---------------------------------------------------------------- protocol

  public sealed interface Command extends CborSerializable {}

  /** Creates the first admin when the registry has no user at all; otherwise does nothing. */
  public record Bootstrap(String adminPasswordHash, ActorRef<Reply> replyTo) implements Command {}

  /**
   * Refused ({@link Taken}) for a user's name, and ({@link WasDeleted}) for a deleted user's unless
   * {@code inheritDeleted}: what that user owned is still under the name, so the new user would get it.
   */
  public record CreateUser(
      String username, String passwordHash, Set<Role> roles, String actor, boolean inheritDeleted, ActorRef<Reply> replyTo)
      implements Command {}

  public record GetUser(String username, ActorRef<Reply> replyTo) implements Command {}

  /**
   * A directory ({@code source}, such as {@code "ldap"}) signed {@code username} in with {@code roles}:
   * their record is made at the first sign-in (a deleted one's name included: it is the same directory
   * account, and gets back what it owned) and takes the directory's roles at each. Answers
   * {@link Found} (a disabled user stays disabled: the sign-in is refused), or {@link Taken} when the
   * name is one of DCloud's own users', which only their password signs in.
   */
  public record RecordDirectorySignIn(String username, Set<Role> roles, String source, ActorRef<Reply> replyTo)
      implements Command {}

  public record ListUsers(ActorRef<Reply> replyTo) implements Command {}

  /** A partial update: null fields stay as they are. */
  public record UpdateUser(
      String username, String passwordHash, Set<Role> roles, Boolean disabled, String actor, ActorRef<Reply> replyTo)
      implements Command {}

  /** {@code quota} null goes back to the defaults of the user's roles. */
  public record SetQuota(String username, Quota quota, String actor, ActorRef<Reply> replyTo) implements Command {}

  public record DeleteUser(String username, String actor, ActorRef<Reply> replyTo) implements Command {}

  public record IssueApiToken(String username, User.ApiToken token, ActorRef<Reply> replyTo) implements Command {}

  public record RevokeApiToken(String username, String tokenId, String actor, ActorRef<Reply> replyTo)
      implements Command {}

  /** A signed-out session: its token is refused everywhere until it would have expired anyway. */
  public record RevokeSession(String tokenId, Instant expiresAt, ActorRef<Reply> replyTo) implements Command {}

  public record GetSigningKey(ActorRef<Reply> replyTo) implements Command {}

  /** Every member must be a user of the registry (else {@link NoSuchUser} names the first unknown). */
  /**
   * Refused ({@link Taken}) for a group's name, and ({@link GroupWasDeleted}) for a deleted group's
   * unless {@code inheritDeleted}: environments and datasets are shared with groups by name, so the
   * new group's members would get what was shared with the old one.
   */
  public record CreateGroup(String name, Set<String> members, String actor, boolean inheritDeleted, ActorRef<Reply> replyTo)
      implements Command {}

  /**
   * The whole new member list. Members it drops are signed out (their tokens carry their groups),
   * so they lose what the group let them see at once; members it adds have the group from their
   * next sign-in or API token.
   */
  public record UpdateGroupMembers(String name, Set<String> members, String actor, ActorRef<Reply> replyTo)
      implements Command {}

  /** Its members are signed out, as if each were dropped from it. */
  public record DeleteGroup(String name, String actor, ActorRef<Reply> replyTo) implements Command {}

  /** {@code member} null: every group; else only the groups that user is a member of. */
  public record ListGroups(String member, ActorRef<Reply> replyTo) implements Command {}

  public record GetGroup(String name, ActorRef<Reply> replyTo) implements Command {}

  public sealed interface Reply extends CborSerializable {}

  public record Found(User user) implements Reply {}

  public record NoSuchUser(String username) implements Reply {}

  public record Taken(String username) implements Reply {}

  /** See {@link CreateUser}: a user of this name was deleted at {@code deletedAt}. */
  public record WasDeleted(String username, Instant deletedAt) implements Reply {}

  public record Users(List<User> users) implements Reply {}

  public record Done() implements Reply {}

  /** {@code created}: whether this call made the first admin. */
  public record Bootstrapped(boolean created) implements Reply {}

  /** The HMAC key of session and API tokens, base64. */
  public record SigningKey(String key) implements Reply {}

  public record GroupFound(Group group) implements Reply {}

  public record NoSuchGroup(String name) implements Reply {}

  /** See {@link CreateGroup}: a group of this name was deleted at {@code deletedAt}. */
  public record GroupWasDeleted(String name, Instant deletedAt) implements Reply {}

  /** Sorted by name. */
  public record Groups(List<Group> groups) implements Reply {}

  // ---------------------------------------------------------------- events

  public sealed interface Event extends CborSerializable {
    Instant at();
  }

  public record SigningKeyCreated(String key, Instant at) implements Event {}

  /** {@code source}: null for one of DCloud's own users, else their directory (see {@link User#source}). */
  public record UserCreated(String username, String passwordHash, Set<Role> roles, String actor, Instant at, String source)
      implements Event {
    public UserCreated(String username, String passwordHash, Set<Role> roles, String actor, Instant at) {
      this(username, passwordHash, roles, actor, at, null);
    }
  }

  public record PasswordChanged(String username, String passwordHash, String actor, Instant at) implements Event {}

  public record RolesChanged(String username, Set<Role> roles, String actor, Instant at) implements Event {}

  public record UserDisabled(String username, String actor, Instant at) implements Event {}

  public record UserEnabled(String username, String actor, Instant at) implements Event {}

  public record QuotaSet(String username, Quota quota, String actor, Instant at) implements Event {}

  public record UserDeleted(String username, String actor, Instant at) implements Event {}

  public record ApiTokenIssued(String username, User.ApiToken token, Instant at) implements Event {}

  public record ApiTokenRevoked(String username, String tokenId, String actor, Instant at) implements Event {}

  public record SessionRevoked(String tokenId, Instant expiresAt, Instant at) implements Event {}

  public record GroupCreated(String name, Set<String> members, String actor, Instant at) implements Event {}

  /** {@code members}: the whole new list. */
  public record GroupMembersChanged(String name, Set<String> members, String actor, Instant at) implements Event {}

  public record GroupDeleted(String name, String actor, Instant at) implements Event {}

  // ---------------------------------------------------------------- wiring

  /** The user the first start creates. */
  public static final String ADMIN = "admin";

  public static Behavior<Command> create(BackoffSupervisorStrategy journalBackoff, Clock clock) {
    return Behaviors.setup(context -> new UserRegistryBehavior(context, journalBackoff, clock));
  }
}
