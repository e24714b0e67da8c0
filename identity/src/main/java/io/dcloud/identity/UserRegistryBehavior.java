package io.dcloud.identity;

import io.dcloud.identity.UserRegistry.*;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The handlers of {@link UserRegistry}: every change is one event, whose actor is a field of it. */
final class UserRegistryBehavior extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, Users> {
  private static final Logger log = LoggerFactory.getLogger(UserRegistry.class);
  private static final int SIGNING_KEY_BYTES = 32;
  private static final int SNAPSHOT_EVERY = 100;

  private final ActorContext<Command> context;
  private final Clock clock;

  UserRegistryBehavior(ActorContext<Command> context, BackoffSupervisorStrategy journalBackoff, Clock clock) {
    super(UserRegistry.PERSISTENCE_ID, journalBackoff);
    this.context = context;
    this.clock = clock;
  }

  @Override
  public Users emptyState() {
    return Users.empty();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(SNAPSHOT_EVERY, 2);
  }

  @Override
  public SignalHandler<Users> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          log.info("User registry recovered: {} users", state.users().size());
          Revocations.publish(context.getSystem(), state, clock.instant());
        })
        .build();
  }

  @Override
  public EventHandler<Users, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(Users::apply);
  }

  @Override
  public CommandHandlerWithReply<Command, Event, Users> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Bootstrap.class, this::bootstrap)
        .onCommand(CreateUser.class, this::createUser)
        .onCommand(GetUser.class, (state, get) -> Effect().reply(get.replyTo(), lookup(state, get.username())))
        .onCommand(RecordDirectorySignIn.class, this::recordDirectorySignIn)
        .onCommand(ListUsers.class, (state, list) -> Effect().reply(list.replyTo(), new UserRegistry.Users(
            state.users().values().stream().sorted(Comparator.comparing(User::username)).toList())))
        .onCommand(UpdateUser.class, this::updateUser)
        .onCommand(SetQuota.class, (state, set) -> ifExists(state, set.username(), set.replyTo(),
            List.of(new QuotaSet(set.username(), set.quota(), set.actor(), clock.instant()))))
        .onCommand(DeleteUser.class, (state, delete) -> ifExists(state, delete.username(), delete.replyTo(),
            List.of(new UserDeleted(delete.username(), delete.actor(), clock.instant()))))
        .onCommand(IssueApiToken.class, (state, issue) -> ifExists(state, issue.username(), issue.replyTo(),
            List.of(new ApiTokenIssued(issue.username(), issue.token(), clock.instant()))))
        .onCommand(RevokeApiToken.class, this::revokeApiToken)
        .onCommand(RevokeSession.class, (state, revoke) -> Effect()
            .persist(new SessionRevoked(revoke.tokenId(), revoke.expiresAt(), clock.instant()))
            .thenRun(this::publish)
            .thenReply(revoke.replyTo(), after -> new Done()))
        .onCommand(GetSigningKey.class, this::signingKey)
        .onCommand(CreateGroup.class, this::createGroup)
        .onCommand(UpdateGroupMembers.class, this::updateGroupMembers)
        .onCommand(DeleteGroup.class, this::deleteGroup)
        .onCommand(ListGroups.class, (state, list) -> Effect().reply(list.replyTo(), new Groups(state.groups().values().stream()
            .filter(group -> list.member() == null || group.members().contains(list.member()))
            .sorted(Comparator.comparing(Group::name)).toList())))
        .onCommand(GetGroup.class, (state, get) -> Effect().reply(get.replyTo(), group(state, get.name())))
        .build();
  }

  private ReplyEffect<Event, Users> bootstrap(Users state, Bootstrap bootstrap) {
    if (!state.users().isEmpty()) {
      return Effect().reply(bootstrap.replyTo(), new Bootstrapped(false));
    }
    List<Event> events = new ArrayList<>();
    if (state.signingKey() == null) {
      events.add(newSigningKey());
    }
    events.add(new UserCreated(UserRegistry.ADMIN, bootstrap.adminPasswordHash(), Set.of(Role.ADMIN), "dcloud", clock.instant()));
    log.info("First start: created user {} (role admin)", UserRegistry.ADMIN);
    return Effect().persist(events).thenReply(bootstrap.replyTo(), after -> new Bootstrapped(true));
  }

  private ReplyEffect<Event, Users> createUser(Users state, CreateUser create) {
    if (state.users().containsKey(create.username())) {
      return Effect().reply(create.replyTo(), new Taken(create.username()));
    }
    Instant deletedAt = state.deleted().get(create.username());
    if (deletedAt != null && !create.inheritDeleted()) {
      return Effect().reply(create.replyTo(), new UserRegistry.WasDeleted(create.username(), deletedAt));
    } else if (deletedAt != null) {
      log.info("User {} is created again by {}: it inherits what the user of that name deleted at {} owned",
          create.username(), create.actor(), deletedAt);
    }
    log.info("User {} created by {} with roles {}", create.username(), create.actor(),
        create.roles().stream().map(Role::wireName).sorted().toList());
    return Effect()
        .persist(new UserCreated(create.username(), create.passwordHash(), create.roles(), create.actor(), clock.instant()))
        .thenReply(create.replyTo(), after -> lookup(after, create.username()));
  }

  private ReplyEffect<Event, Users> recordDirectorySignIn(Users state, RecordDirectorySignIn signIn) {
    User user = state.users().get(signIn.username());
    Instant now = clock.instant();
    if (user != null && !user.fromDirectory()) {
      return Effect().reply(signIn.replyTo(), new Taken(signIn.username()));
    } else if (user == null) {
      Instant deletedAt = state.deleted().get(signIn.username());
      log.info("User {} signed in through {} for the first time: recorded with roles {}{}", signIn.username(),
          signIn.source(), signIn.roles().stream().map(Role::wireName).sorted().toList(),
          deletedAt == null ? "" : " (the same account, deleted at " + deletedAt + ": it gets back what it owned)");
      return Effect()
          .persist(new UserCreated(signIn.username(), null, signIn.roles(), signIn.source(), now, signIn.source()))
          .thenReply(signIn.replyTo(), after -> lookup(after, signIn.username()));
    } else if (user.disabled() || user.roles().equals(signIn.roles())) {
      return Effect().reply(signIn.replyTo(), new Found(user));
    }
    log.info("User {}'s roles set by {} at sign-in: {} (were {})", signIn.username(), signIn.source(),
        signIn.roles().stream().map(Role::wireName).sorted().toList(), user.roles().stream().map(Role::wireName).sorted().toList());
    // As an admin's change of roles, it ends the user's older tokens, which carry the roles they had.
    return Effect().persist(new RolesChanged(signIn.username(), signIn.roles(), signIn.source(), now))
        .thenRun(this::publish)
        .thenReply(signIn.replyTo(), after -> lookup(after, signIn.username()));
  }

  private ReplyEffect<Event, Users> updateUser(Users state, UpdateUser update) {
    User user = state.users().get(update.username());
    if (user == null) {
      return Effect().reply(update.replyTo(), new NoSuchUser(update.username()));
    }
    List<Event> events = new ArrayList<>();
    var now = clock.instant();
    if (update.passwordHash() != null) {
      events.add(new PasswordChanged(user.username(), update.passwordHash(), update.actor(), now));
    }
    if (update.roles() != null && !update.roles().equals(user.roles())) {
      events.add(new RolesChanged(user.username(), update.roles(), update.actor(), now));
    }
    if (update.disabled() != null && update.disabled() != user.disabled()) {
      events.add(update.disabled()
          ? new UserDisabled(user.username(), update.actor(), now)
          : new UserEnabled(user.username(), update.actor(), now));
    }
    if (events.isEmpty()) {
      return Effect().reply(update.replyTo(), new Found(user));
    }
    log.info("User {} updated by {}: {}", user.username(), update.actor(),
        events.stream().map(e -> e.getClass().getSimpleName()).toList());
    return Effect().persist(events).thenRun(this::publish)
        .thenReply(update.replyTo(), after -> lookup(after, update.username()));
  }

  private ReplyEffect<Event, Users> revokeApiToken(Users state, RevokeApiToken revoke) {
    User user = state.users().get(revoke.username());
    if (user == null || !user.apiTokens().containsKey(revoke.tokenId())) {
      return Effect().reply(revoke.replyTo(), new NoSuchUser(revoke.username()));
    }
    return Effect()
        .persist(new ApiTokenRevoked(revoke.username(), revoke.tokenId(), revoke.actor(), clock.instant()))
        .thenRun(this::publish)
        .thenReply(revoke.replyTo(), after -> new Done());
  }

  private ReplyEffect<Event, Users> createGroup(Users state, CreateGroup create) {
    if (state.groups().containsKey(create.name())) {
      return Effect().reply(create.replyTo(), new Taken(create.name()));
    }
    Instant deletedAt = state.deletedGroups().get(create.name());
    if (deletedAt != null && !create.inheritDeleted()) {
      return Effect().reply(create.replyTo(), new UserRegistry.GroupWasDeleted(create.name(), deletedAt));
    } else if (deletedAt != null) {
      log.info("Group {} is created again by {}: what was shared with the group of that name deleted at {} is shared with it",
          create.name(), create.actor(), deletedAt);
    }
    Optional<String> unknown = unknownMember(state, create.members());
    if (unknown.isPresent()) {
      return Effect().reply(create.replyTo(), new NoSuchUser(unknown.get()));
    }
    log.info("Group {} created by {} with members {}", create.name(), create.actor(), create.members());
    return Effect()
        .persist(new GroupCreated(create.name(), Set.copyOf(create.members()), create.actor(), clock.instant()))
        .thenReply(create.replyTo(), after -> group(after, create.name()));
  }

  /** Members dropped are signed out (see {@link Users#apply}), so this publishes revocations. */
  private ReplyEffect<Event, Users> updateGroupMembers(Users state, UpdateGroupMembers update) {
    Group group = state.groups().get(update.name());
    if (group == null) {
      return Effect().reply(update.replyTo(), new NoSuchGroup(update.name()));
    }
    Optional<String> unknown = unknownMember(state, update.members());
    if (unknown.isPresent()) {
      return Effect().reply(update.replyTo(), new NoSuchUser(unknown.get()));
    }
    if (group.members().equals(update.members())) {
      return Effect().reply(update.replyTo(), new GroupFound(group));
    }
    log.info("Group {}: members set to {} by {}", update.name(), update.members(), update.actor());
    return Effect()
        .persist(new GroupMembersChanged(update.name(), Set.copyOf(update.members()), update.actor(), clock.instant()))
        .thenRun(this::publish)
        .thenReply(update.replyTo(), after -> group(after, update.name()));
  }

  private ReplyEffect<Event, Users> deleteGroup(Users state, DeleteGroup delete) {
    if (!state.groups().containsKey(delete.name())) {
      return Effect().reply(delete.replyTo(), new NoSuchGroup(delete.name()));
    }
    log.info("Group {} deleted by {}", delete.name(), delete.actor());
    return Effect().persist(new GroupDeleted(delete.name(), delete.actor(), clock.instant()))
        .thenRun(this::publish)
        .thenReply(delete.replyTo(), after -> new Done());
  }

  private static Optional<String> unknownMember(Users state, Set<String> members) {
    return members.stream().sorted().filter(member -> !state.users().containsKey(member)).findFirst();
  }

  private static Reply group(Users state, String name) {
    Group group = state.groups().get(name);
    return group == null ? new NoSuchGroup(name) : new GroupFound(group);
  }

  private ReplyEffect<Event, Users> signingKey(Users state, GetSigningKey get) {
    if (state.signingKey() != null) {
      return Effect().reply(get.replyTo(), new SigningKey(state.signingKey()));
    }
    return Effect().persist(newSigningKey()).thenReply(get.replyTo(), after -> new SigningKey(after.signingKey()));
  }

  private SigningKeyCreated newSigningKey() {
    byte[] key = new byte[SIGNING_KEY_BYTES];
    new SecureRandom().nextBytes(key);
    return new SigningKeyCreated(Base64.getEncoder().encodeToString(key), clock.instant());
  }

  /** Deletions and sign-outs publish too, so every gateway refuses the user's tokens. */
  private ReplyEffect<Event, Users> ifExists(Users state, String username, org.apache.pekko.actor.typed.ActorRef<Reply> replyTo, List<Event> events) {
    if (!state.users().containsKey(username)) {
      return Effect().reply(replyTo, new NoSuchUser(username));
    }
    return Effect().persist(events).thenRun(this::publish).thenReply(replyTo, after -> after.users().containsKey(username)
        ? lookup(after, username)
        : new Done());
  }

  private void publish(Users state) {
    Revocations.publish(context.getSystem(), state, clock.instant());
  }

  private static Reply lookup(Users state, String username) {
    User user = state.users().get(username);
    return user == null ? new NoSuchUser(username) : new Found(user);
  }
}
