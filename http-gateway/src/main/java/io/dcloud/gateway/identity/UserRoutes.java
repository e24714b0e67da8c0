package io.dcloud.gateway.identity;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.environment.OwnerUsage;
import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.ProblemException;
import io.dcloud.gateway.common.RequestBodies;
import io.dcloud.identity.Caller;
import io.dcloud.identity.Quota;
import io.dcloud.identity.QuotaReader;
import io.dcloud.identity.Role;
import io.dcloud.identity.Tokens;
import io.dcloud.identity.User;
import io.dcloud.identity.UserRegistry;
import io.dcloud.resources.Quantities;
import io.dcloud.validation.FieldError;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.regex.Pattern;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /users}: admins make, change, disable and delete users, set their quotas and read each
 * one's usage; everyone reads themselves ({@code /users/me}, with usage and quota) and manages their
 * own API tokens.
 */
public final class UserRoutes extends AllDirectives {
  static final Pattern USERNAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
  static final int MIN_PASSWORD = 8;
  static final int MAX_PASSWORD = 1024;
  private static final int MAX_TOKEN_NAME = 100;

  private final ClusterAsks asks;
  private final GatewayIdentity identity;
  private final Quotas quotas;
  private final JsonYaml codec;
  private final RequestBodies bodies;
  private final Clock clock;
  private final UserDeletion deletion;

  /** {@code deletionRecheck}: {@code dcloud.http.user-deletion-recheck-after} (see {@link UserDeletion}). */
  public UserRoutes(ClusterAsks asks, GatewayIdentity identity, Quotas quotas, JsonYaml codec, RequestBodies bodies, Clock clock,
      Duration deletionRecheck) {
    this.asks = asks;
    this.identity = identity;
    this.quotas = quotas;
    this.codec = codec;
    this.bodies = bodies;
    this.clock = clock;
    this.deletion = new UserDeletion(asks, identity, deletionRecheck, clock);
  }

  public Route route() {
    return pathPrefix("users", () -> CallerAttribute.of(caller -> concat(
        pathPrefix("me", () -> concat(
            pathEndOrSingleSlash(() -> get(() -> completeWithFuture(me(caller)))),
            pathPrefix("tokens", () -> concat(
                pathEndOrSingleSlash(() -> concat(
                    get(() -> completeWithFuture(tokens(caller))),
                    post(() -> bodies.optionalDocument(body -> completeWithFuture(issueToken(caller, body)))))),
                path(PathMatchers.segment(), id -> delete(() -> completeWithFuture(revokeToken(caller, id)))))))),
        Authentication.requireAny(caller, Authentication.ADMINS, () -> concat(
            pathEndOrSingleSlash(() -> concat(
                get(() -> completeWithFuture(list())),
                post(() -> bodies.document(body -> completeWithFuture(create(caller, body)))))),
            pathPrefix(PathMatchers.segment(), name -> concat(
                pathEndOrSingleSlash(() -> concat(
                    get(() -> completeWithFuture(show(name))),
                    patch(() -> bodies.document(body -> completeWithFuture(update(caller, name, body)))),
                    delete(() -> completeWithFuture(remove(caller, name))))),
                path("quota", () -> concat(
                    put(() -> bodies.document(body -> completeWithFuture(setQuota(caller, name, body)))),
                    delete(() -> completeWithFuture(setQuota(caller, name, null))))))))))));
  }

  /** With the groups the registry has them now (a token has those of its sign-in). */
  private CompletionStage<HttpResponse> me(Caller caller) {
    CompletionStage<UserRegistry.Reply> user = asks.users(replyTo -> new UserRegistry.GetUser(caller.username(), replyTo));
    CompletionStage<Set<String>> groups = GroupRoutes.of(asks, caller.username());
    return quotas.of(caller).thenCombine(asks.usage(caller.username()), (quota, usage) -> Map.entry(quota, usage.usage()))
        .thenCombine(user, (quotaAndUsage, reply) -> {
          Map<String, Object> used = usage(quotaAndUsage.getValue());
          return reply instanceof UserRegistry.Found found
              ? UserJson.of(found.user(), quotaAndUsage.getKey(), used)
              // Signed in through a directory before DCloud recorded its users at sign-in.
              : new UserJson.UserAnswer(caller.username(), UserJson.roles(caller.roles()), null, false, null,
                  UserJson.spelled(quotaAndUsage.getKey()), "roles", used, null);
        })
        .thenCombine(groups, (answer, names) -> withCsrf(caller, codec.jsonResponse(StatusCodes.OK, answer.withGroups(names))));
  }

  /**
   * A browser signed in by the session cookie learns the session's CSRF token again here (the
   * console after a reload or in a new tab): no other site's page can read this answer.
   */
  private HttpResponse withCsrf(Caller caller, HttpResponse answer) {
    return caller.viaCookie() && caller.csrf() != null
        ? answer.addHeader(RawHeader.create(identity.settings().csrfHeader(), caller.csrf()))
        : answer;
  }

  static Map<String, Object> usage(OwnerUsage usage) {
    Map<String, Object> spelled = new LinkedHashMap<>();
    spelled.put("cpu", Quantities.formatCores(usage.milliCpus()));
    spelled.put("ram", Quantities.formatSize(usage.memoryBytes()));
    spelled.put("gpu", usage.gpus());
    spelled.put("environments", usage.environments());
    spelled.put("storage", Quantities.formatSize(usage.storageBytes()));
    return spelled;
  }

  private CompletionStage<HttpResponse> list() {
    return asks.users(UserRegistry.ListUsers::new).thenApply(reply -> codec.jsonResponse(StatusCodes.OK,
        new UserJson.Listing(((UserRegistry.Users) reply).users().stream()
            .map(u -> UserJson.of(u, identity.settings().quotaOf(u.roles(), u.quota()), null)).toList())));
  }

  /**
   * An admin's look at one user, as the user sees themselves: with what they use of their quota and
   * their groups (why was their create refused? {@code kubectl describe resourcequota} shows so).
   */
  private CompletionStage<HttpResponse> show(String name) {
    return asks.users(replyTo -> new UserRegistry.GetUser(name, replyTo)).thenCompose(reply -> {
      if (!(reply instanceof UserRegistry.Found found)) {
        throw Problem.notFound("user " + name).exception();
      }
      User user = found.user();
      return asks.usage(name).thenCombine(GroupRoutes.of(asks, name), (usage, groups) -> codec.jsonResponse(
          StatusCodes.OK, UserJson.of(user, identity.settings().quotaOf(user.roles(), user.quota()), usage(usage.usage()))
              .withGroups(groups)));
    });
  }

  private CompletionStage<HttpResponse> create(Caller caller, JsonNode body) {
    String username = requiredText(body, "username");
    if (!USERNAME.matcher(username).matches()) {
      throw invalid("username", "must be 1 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    String password = password(requiredText(body, "password"));
    Set<Role> roles = roles(body.get("roles"));
    boolean inheritDeleted = inheritDeleted(body);
    return hashed(password).thenCompose(hash -> asks.users(
            replyTo -> new UserRegistry.CreateUser(username, hash, roles, caller.username(), inheritDeleted, replyTo)))
        .thenApply(reply -> {
          if (reply instanceof UserRegistry.Taken) {
            identity.audit().record(caller, "user.create", username, "conflict");
            throw Problem.conflict("user " + username + " exists already").exception();
          } else if (reply instanceof UserRegistry.WasDeleted deleted) {
            // Environments, datasets, services, jobs and volumes are owned by name: a new user would get them.
            identity.audit().record(caller, "user.create", username, "conflict: a deleted user's name");
            throw deletedName("user", "username", username, deleted.deletedAt(),
                "what they owned (environments, datasets, services, jobs, volumes) is still theirs");
          }
          identity.audit().record(caller, "user.create", username, inheritDeleted ? "ok (inheritDeleted)" : "ok");
          return answer(username, reply, StatusCodes.CREATED).addHeader(Location.create(ApiPaths.ROOT + "/users/" + username));
        });
  }

  private CompletionStage<HttpResponse> update(Caller caller, String name, JsonNode body) {
    if (!body.isObject()) {
      throw invalid("body", "must be an object with any of password, roles, disabled");
    }
    String password = body.hasNonNull("password") ? password(requiredText(body, "password")) : null;
    Set<Role> roles = body.has("roles") ? roles(body.get("roles")) : null;
    Boolean disabled = null;
    if (body.has("disabled")) {
      if (!body.get("disabled").isBoolean()) {
        throw invalid("disabled", "must be true or false");
      }
      disabled = body.get("disabled").booleanValue();
    }
    Boolean disable = disabled;
    CompletionStage<String> hash = password == null && roles == null ? CompletableFuture.completedFuture(null)
        : notFromDirectory(name, password != null, roles)
            .thenCompose(own -> password == null ? CompletableFuture.completedFuture(null) : hashed(password));
    return hash.thenCompose(h -> asks.users(replyTo -> new UserRegistry.UpdateUser(name, h, roles, disable, caller.username(), replyTo)))
        .thenApply(reply -> {
          identity.audit().record(caller, "user.update", name, reply instanceof UserRegistry.Found ? "ok" : "not-found");
          return answer(name, reply, StatusCodes.OK);
        });
  }

  /**
   * Fails with 422 when {@code name} is a directory's user and the change sets a password or other
   * roles than theirs: their directory checks their password and gives their roles, at each sign-in
   * (the same roles again, as a form sends them with the disabled flag, are no change). Their quota,
   * groups and whether they are disabled are DCloud's.
   */
  private CompletionStage<Void> notFromDirectory(String name, boolean password, Set<Role> roles) {
    return asks.users(replyTo -> new UserRegistry.GetUser(name, replyTo)).thenAccept(reply -> {
      if (!(reply instanceof UserRegistry.Found found) || !found.user().fromDirectory()) {
        return;
      }
      String source = found.user().source();
      List<FieldError> errors = new ArrayList<>();
      if (password) {
        errors.add(new FieldError("password", "is " + source + "'s to set for " + name
            + ", a user it signs in: they sign in with their directory password"));
      }
      if (roles != null && !roles.equals(found.user().roles())) {
        errors.add(new FieldError("roles", "are " + source + "'s to give " + name + ", a user it signs in: their "
            + "directory groups give their roles at each sign-in (dcloud.identity." + source + ".role-mapping)"));
      }
      if (!errors.isEmpty()) {
        throw Problem.invalid(errors).exception();
      }
    });
  }

  /** 200 with the environments stopped first (see {@link UserDeletion}). */
  private CompletionStage<HttpResponse> remove(Caller caller, String name) {
    if (caller.username().equals(name)) {
      // An admin deleting themselves could leave the platform with no admin at all.
      throw Problem.conflict("you cannot delete yourself, " + name + ": another admin must").exception();
    }
    return deletion.delete(caller, name).thenApply(deleted -> {
      int stopped = deleted.stoppedEnvironments().size();
      identity.audit().record(caller, "user.delete", name, stopped == 0 ? "ok" : "ok (stopped " + stopped + " environment(s))");
      return codec.jsonResponse(StatusCodes.OK, deleted);
    });
  }

  private CompletionStage<HttpResponse> setQuota(Caller caller, String name, JsonNode body) {
    Quota quota = body == null ? null : QuotaReader.read("quota", body);
    return asks.users(replyTo -> new UserRegistry.SetQuota(name, quota, caller.username(), replyTo)).thenApply(reply -> {
      identity.audit().record(caller, "user.quota", name, reply instanceof UserRegistry.Found ? "ok" : "not-found");
      return answer(name, reply, StatusCodes.OK);
    });
  }

  private CompletionStage<HttpResponse> tokens(Caller caller) {
    return asks.users(replyTo -> new UserRegistry.GetUser(caller.username(), replyTo)).thenApply(reply -> {
      var tokens = reply instanceof UserRegistry.Found found
          ? found.user().apiTokens().values().stream()
              .sorted(java.util.Comparator.comparing(User.ApiToken::createdAt)).map(UserJson::of).toList()
          : java.util.List.<UserJson.TokenAnswer>of();
      return codec.jsonResponse(StatusCodes.OK, new UserJson.TokenListing(tokens));
    });
  }

  private CompletionStage<HttpResponse> issueToken(Caller caller, JsonNode body) {
    String name = body.isMissingNode() || !body.hasNonNull("name") ? "api token" : requiredText(body, "name");
    if (name.length() > MAX_TOKEN_NAME) {
      throw invalid("name", "must be at most " + MAX_TOKEN_NAME + " characters");
    }
    Duration ttl = identity.settings().apiTokenTtl();
    if (!body.isMissingNode() && body.hasNonNull("expiresIn")) {
      ttl = duration(requiredText(body, "expiresIn"));
      if (ttl.compareTo(identity.settings().apiTokenTtl()) > 0) {
        throw invalid("expiresIn", "must be at most " + identity.settings().apiTokenTtl().toDays() + " days (dcloud.identity.api-token-ttl)");
      }
    }
    Duration lifetime = ttl;
    String id = UUID.randomUUID().toString();
    // The groups as the registry has them now: one added since this session's sign-in counts.
    return GroupRoutes.of(asks, caller.username()).thenCompose(groups -> {
      Instant now = clock.instant();
      Tokens.Issued issued = identity.tokens().issue(
          caller.username(), caller.roles(), groups, Tokens.Kind.API, id, now, now.plus(lifetime));
      return recorded(caller, name, issued, now);
    });
  }

  /** The token is recorded (listed, revocable) before it is handed out. */
  private CompletionStage<HttpResponse> recorded(Caller caller, String name, Tokens.Issued issued, Instant now) {
    String id = issued.caller().tokenId();
    User.ApiToken token = new User.ApiToken(id, name, now, issued.caller().expiresAt());
    return asks.users(replyTo -> new UserRegistry.IssueApiToken(caller.username(), token, replyTo)).thenApply(reply -> {
      if (reply instanceof UserRegistry.NoSuchUser) {
        throw Problem.of(Problem.Type.FORBIDDEN, "API tokens are for DCloud's own users; " + caller.username()
            + " signs in through a directory").exception();
      }
      identity.audit().record(caller, "token.create", name, "ok");
      return codec.jsonResponse(StatusCodes.CREATED, new UserJson.NewToken(id, name, issued.token(), now, token.expiresAt()));
    });
  }

  private CompletionStage<HttpResponse> revokeToken(Caller caller, String id) {
    return asks.users(replyTo -> new UserRegistry.RevokeApiToken(caller.username(), id, caller.username(), replyTo))
        .thenApply(reply -> {
          if (reply instanceof UserRegistry.NoSuchUser) {
            throw Problem.notFound("API token " + id).exception();
          }
          identity.audit().record(caller, "token.revoke", id, "ok");
          return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
        });
  }

  private HttpResponse answer(String name, UserRegistry.Reply reply, org.apache.pekko.http.javadsl.model.StatusCode status) {
    if (reply instanceof UserRegistry.Found found) {
      User user = found.user();
      return codec.jsonResponse(status, UserJson.of(user, identity.settings().quotaOf(user.roles(), user.quota()), null));
    }
    throw Problem.notFound("user " + name).exception();
  }

  private CompletionStage<String> hashed(String password) {
    return CompletableFuture.supplyAsync(() -> identity.passwords().hash(password), identity.hashing());
  }

  private static String password(String password) {
    if (password.length() < MIN_PASSWORD || password.length() > MAX_PASSWORD) {
      throw invalid("password", "must be " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters");
    }
    return password;
  }

  private static Set<Role> roles(JsonNode roles) {
    if (roles == null || roles.isNull()) {
      return Set.of();
    }
    if (!roles.isArray()) {
      throw invalid("roles", "must be a list of roles: " + Role.valid());
    }
    Set<Role> parsed = EnumSet.noneOf(Role.class);
    for (int i = 0; i < roles.size(); i++) {
      JsonNode role = roles.get(i);
      int index = i;
      parsed.add(Role.parse(role.isTextual() ? role.textValue() : "")
          .orElseThrow(() -> invalid("roles[" + index + "]", "is not a role: use " + Role.valid())));
    }
    return Set.copyOf(parsed);
  }

  private static Duration duration(String text) {
    try {
      return com.typesafe.config.ConfigFactory.parseString("d = \"" + text.replace("\"", "") + "\"").getDuration("d");
    } catch (RuntimeException malformed) {
      throw invalid("expiresIn", "is not a duration such as 30d or 12h");
    }
  }

  /** A string field the request must have (400 naming it otherwise). */
  /**
   * 409 for a create naming a deleted user or group ({@code noun}): {@code held} says what its name
   * still holds, which the new one gets with {@code inheritDeleted}.
   */
  static ProblemException deletedName(String noun, String field, String name, Instant deletedAt, String held) {
    String why = "a " + noun + " " + name + " was deleted at " + deletedAt + " and " + held + ": choose another " + field
        + ", or give it to the new " + noun + " with \"inheritDeleted\": true (dcloud " + noun + "s create --inherit-deleted)";
    return Problem.of(Problem.Type.CONFLICT, why, field, why).exception();
  }

  /** A create's {@code inheritDeleted}: false when absent, 422 when not a boolean. */
  static boolean inheritDeleted(JsonNode body) {
    if (body.has("inheritDeleted") && !body.get("inheritDeleted").isBoolean()) {
      throw invalid("inheritDeleted", "must be true or false");
    }
    return body.path("inheritDeleted").asBoolean(false);
  }

  static String requiredText(JsonNode body, String field) {
    JsonNode value = body.get(field);
    if (value == null || !value.isTextual() || value.textValue().isEmpty()) {
      throw Problem.of(Problem.Type.MALFORMED_REQUEST, field + " is required", field, "is required and must be a non-empty string")
          .exception();
    }
    if (value.textValue().length() > MAX_PASSWORD) {
      throw invalid(field, "is longer than " + MAX_PASSWORD + " characters");
    }
    return value.textValue();
  }

  public static ProblemException invalid(String field, String reason) {
    return Problem.of(Problem.Type.VALIDATION_FAILED, field + " " + reason, field, reason).exception();
  }
}
