package io.dcloud.identity;

import io.dcloud.identity.UserRegistry.ApiTokenIssued;
import io.dcloud.identity.UserRegistry.ApiTokenRevoked;
import io.dcloud.identity.UserRegistry.Event;
import io.dcloud.identity.UserRegistry.GroupCreated;
import io.dcloud.identity.UserRegistry.GroupDeleted;
import io.dcloud.identity.UserRegistry.GroupMembersChanged;
import io.dcloud.identity.UserRegistry.PasswordChanged;
import io.dcloud.identity.UserRegistry.QuotaSet;
import io.dcloud.identity.UserRegistry.RolesChanged;
import io.dcloud.identity.UserRegistry.SessionRevoked;
import io.dcloud.identity.UserRegistry.SigningKeyCreated;
import io.dcloud.identity.UserRegistry.UserCreated;
import io.dcloud.identity.UserRegistry.UserDeleted;
import io.dcloud.identity.UserRegistry.UserDisabled;
import io.dcloud.identity.UserRegistry.UserEnabled;
import io.dcloud.serialization.CborSerializable;
import java.time.Instant;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * The registry's state, folded from its events. {@code notBefore}: per username, the moment before
 * which its tokens no longer count (set when its password or roles change or it is disabled or
 * deleted); {@code revokedTokens}: signed-out sessions and revoked API tokens, with when they would
 * have expired anyway (after that they are forgotten); {@code groups}: by name (none in snapshots
 * written before groups existed); {@code deleted}: the names of deleted users not created again,
 * with when (none in snapshots written before they were kept): what such a user owned is still
 * under the name, so a new user of that name is made only when asked to inherit it; and
 * {@code deletedGroups} alike for groups, which environments and datasets are shared with by name.
 */
public record Users(
    Map<String, User> users,
    String signingKey,
    Map<String, Instant> notBefore,
    Map<String, Instant> revokedTokens,
    Map<String, Group> groups,
    Map<String, Instant> deleted,
    Map<String, Instant> deletedGroups)
    implements CborSerializable {

  public Users {
    groups = groups == null ? Map.of() : groups;
    deleted = deleted == null ? Map.of() : deleted;
    deletedGroups = deletedGroups == null ? Map.of() : deletedGroups;
  }

  /** A registry without groups. */
  public Users(Map<String, User> users, String signingKey, Map<String, Instant> notBefore, Map<String, Instant> revokedTokens) {
    this(users, signingKey, notBefore, revokedTokens, Map.of(), Map.of(), Map.of());
  }

  /** A registry that remembers no deleted user or group. */
  public Users(Map<String, User> users, String signingKey, Map<String, Instant> notBefore, Map<String, Instant> revokedTokens,
      Map<String, Group> groups) {
    this(users, signingKey, notBefore, revokedTokens, groups, Map.of(), Map.of());
  }

  /** A registry that remembers no deleted group. */
  public Users(Map<String, User> users, String signingKey, Map<String, Instant> notBefore, Map<String, Instant> revokedTokens,
      Map<String, Group> groups, Map<String, Instant> deleted) {
    this(users, signingKey, notBefore, revokedTokens, groups, deleted, Map.of());
  }

  public static Users empty() {
    return new Users(Map.of(), null, Map.of(), Map.of());
  }

  Users apply(Event event) {
    if (event instanceof SigningKeyCreated created) {
      return new Users(users, created.key(), notBefore, revokedTokens, groups, deleted, deletedGroups);
    } else if (event instanceof UserCreated created) {
      Map<String, Instant> stillDeleted = marked(deleted, created.username(), null);
      return new Users(users, signingKey, notBefore, revokedTokens, groups, stillDeleted, deletedGroups).withUser(new User(
          created.username(), created.passwordHash(), created.roles(), null, false, created.at(), Map.of(), created.source()));
    } else if (event instanceof PasswordChanged changed) {
      return updated(changed.username(), u -> new User(u.username(), changed.passwordHash(), u.roles(), u.quota(),
          u.disabled(), u.createdAt(), u.apiTokens(), u.source())).signedOut(changed.username(), changed.at());
    } else if (event instanceof RolesChanged changed) {
      return updated(changed.username(), u -> new User(u.username(), u.passwordHash(), changed.roles(), u.quota(),
          u.disabled(), u.createdAt(), u.apiTokens(), u.source())).signedOut(changed.username(), changed.at());
    } else if (event instanceof UserDisabled disabled) {
      return updated(disabled.username(), u -> withDisabled(u, true)).signedOut(disabled.username(), disabled.at());
    } else if (event instanceof UserEnabled enabled) {
      return updated(enabled.username(), u -> withDisabled(u, false));
    } else if (event instanceof QuotaSet set) {
      return updated(set.username(), u -> new User(
          u.username(), u.passwordHash(), u.roles(), set.quota(), u.disabled(), u.createdAt(), u.apiTokens(), u.source()));
    } else if (event instanceof UserDeleted gone) {
      Map<String, User> next = new HashMap<>(users);
      next.remove(gone.username());
      Map<String, Group> left = new HashMap<>();
      groups.forEach((name, group) -> left.put(name, withMembers(group, without(group.members(), gone.username()))));
      Map<String, Instant> nowDeleted = marked(deleted, gone.username(), gone.at());
      return new Users(next, signingKey, notBefore, revokedTokens, left, nowDeleted, deletedGroups)
          .signedOut(gone.username(), gone.at());
    } else if (event instanceof ApiTokenIssued issued) {
      return updated(issued.username(), u -> withTokens(u, tokens -> tokens.put(issued.token().id(), issued.token())));
    } else if (event instanceof ApiTokenRevoked revoked) {
      User owner = users.get(revoked.username());
      User.ApiToken token = owner == null ? null : owner.apiTokens().get(revoked.tokenId());
      Users without = updated(revoked.username(), u -> withTokens(u, tokens -> tokens.remove(revoked.tokenId())));
      return token == null ? without : without.revoked(token.id(), token.expiresAt(), revoked.at());
    } else if (event instanceof SessionRevoked revoked) {
      return revoked(revoked.tokenId(), revoked.expiresAt(), revoked.at());
    } else if (event instanceof GroupCreated created) {
      return withGroup(created.name(), new Group(created.name(), Set.copyOf(created.members()), created.at()))
          .withDeletedGroup(created.name(), null);
    } else if (event instanceof GroupMembersChanged changed) {
      Group group = groups.get(changed.name());
      if (group == null) {
        return this;
      }
      Users next = withGroup(changed.name(), withMembers(group, Set.copyOf(changed.members())));
      for (String dropped : group.members()) {
        if (!changed.members().contains(dropped)) {
          next = next.signedOut(dropped, changed.at());
        }
      }
      return next;
    } else if (event instanceof GroupDeleted deleted) {
      Group group = groups.get(deleted.name());
      Users next = withGroup(deleted.name(), null).withDeletedGroup(deleted.name(), deleted.at());
      for (String member : group == null ? Set.<String>of() : group.members()) {
        next = next.signedOut(member, deleted.at());
      }
      return next;
    }
    throw new IllegalArgumentException("not a user registry event: " + event);
  }

  private Users withUser(User user) {
    Map<String, User> next = new HashMap<>(users);
    next.put(user.username(), user);
    return new Users(next, signingKey, notBefore, revokedTokens, groups, deleted, deletedGroups);
  }

  /** {@code group} null: without it. */
  private Users withGroup(String name, Group group) {
    Map<String, Group> next = new HashMap<>(groups);
    if (group == null) {
      next.remove(name);
    } else {
      next.put(name, group);
    }
    return new Users(users, signingKey, notBefore, revokedTokens, next, deleted, deletedGroups);
  }

  /** {@code at} null: the name is a group's again (or never was a deleted one's). */
  private Users withDeletedGroup(String name, Instant at) {
    return new Users(users, signingKey, notBefore, revokedTokens, groups, deleted, marked(deletedGroups, name, at));
  }

  /** A copy of {@code names} with {@code name} deleted at {@code at} (null: not deleted, a name in use again). */
  private static Map<String, Instant> marked(Map<String, Instant> names, String name, Instant at) {
    Map<String, Instant> next = new HashMap<>(names);
    if (at == null) {
      next.remove(name);
    } else {
      next.put(name, at);
    }
    return next;
  }

  private static Group withMembers(Group group, Set<String> members) {
    return new Group(group.name(), members, group.createdAt());
  }

  private static Set<String> without(Set<String> members, String username) {
    Set<String> left = new HashSet<>(members);
    left.remove(username);
    return Set.copyOf(left);
  }

  private Users updated(String username, UnaryOperator<User> change) {
    User user = users.get(username);
    return user == null ? this : withUser(change.apply(user));
  }

  private Users signedOut(String username, Instant at) {
    Map<String, Instant> next = new HashMap<>(notBefore);
    next.put(username, at);
    return new Users(users, signingKey, next, revokedTokens, groups, deleted, deletedGroups);
  }

  /** Remembers a revoked token until it expires; expired ones are forgotten on the way. */
  private Users revoked(String tokenId, Instant expiresAt, Instant now) {
    Map<String, Instant> next = new HashMap<>();
    revokedTokens.forEach((id, expiry) -> {
      if (expiry.isAfter(now)) {
        next.put(id, expiry);
      }
    });
    next.put(tokenId, expiresAt);
    return new Users(users, signingKey, notBefore, next, groups, deleted, deletedGroups);
  }

  private static User withDisabled(User u, boolean disabled) {
    return new User(u.username(), u.passwordHash(), u.roles(), u.quota(), disabled, u.createdAt(), u.apiTokens(), u.source());
  }

  private static User withTokens(User u, java.util.function.Consumer<Map<String, User.ApiToken>> change) {
    Map<String, User.ApiToken> tokens = new HashMap<>(u.apiTokens());
    change.accept(tokens);
    return new User(u.username(), u.passwordHash(), u.roles(), u.quota(), u.disabled(), u.createdAt(), tokens, u.source());
  }
}
