package io.dcloud.gateway.identity;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.gateway.common.ApiPaths;
import io.dcloud.gateway.common.CallerAttribute;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.Problem;
import io.dcloud.gateway.common.RequestBodies;
import io.dcloud.identity.Caller;
import io.dcloud.identity.Group;
import io.dcloud.identity.UserRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.Location;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.PathMatchers;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /groups}: admins make groups of users, change their members and delete them; everyone
 * lists and reads the groups they are a member of (another's group answers 404, like none).
 * Environments shared with a group are visible to its members (see {@link io.dcloud.gateway.environment.EnvironmentSharing}).
 */
public final class GroupRoutes extends AllDirectives {
  private final ClusterAsks asks;
  private final GatewayIdentity identity;
  private final JsonYaml codec;
  private final RequestBodies bodies;

  public GroupRoutes(ClusterAsks asks, GatewayIdentity identity, JsonYaml codec, RequestBodies bodies) {
    this.asks = asks;
    this.identity = identity;
    this.codec = codec;
    this.bodies = bodies;
  }

  record GroupAnswer(String name, List<String> members, Instant createdAt) {
    static GroupAnswer of(Group group) {
      return new GroupAnswer(group.name(), group.members().stream().sorted().toList(), group.createdAt());
    }
  }

  record Listing(List<GroupAnswer> groups) {}

  public Route route() {
    return pathPrefix("groups", () -> CallerAttribute.of(caller -> concat(
        pathEndOrSingleSlash(() -> concat(
            get(() -> completeWithFuture(list(caller))),
            post(() -> Authentication.requireAny(caller, Authentication.ADMINS, () ->
                bodies.document(body -> completeWithFuture(create(caller, body))))))),
        path(PathMatchers.segment(), name -> concat(
            get(() -> completeWithFuture(show(caller, name))),
            patch(() -> Authentication.requireAny(caller, Authentication.ADMINS, () ->
                bodies.document(body -> completeWithFuture(update(caller, name, body))))),
            delete(() -> Authentication.requireAny(caller, Authentication.ADMINS, () ->
                completeWithFuture(remove(caller, name)))))))));
  }

  /** The groups of {@code username} (none for a user the registry does not know: a directory's). */
  static CompletionStage<Set<String>> of(ClusterAsks asks, String username) {
    return asks.users(replyTo -> new UserRegistry.ListGroups(username, replyTo)).thenApply(reply ->
        Set.copyOf(((UserRegistry.Groups) reply).groups().stream().map(Group::name).toList()));
  }

  private CompletionStage<HttpResponse> list(Caller caller) {
    String member = caller.isAdmin() ? null : caller.username();
    return asks.users(replyTo -> new UserRegistry.ListGroups(member, replyTo)).thenApply(reply -> codec.jsonResponse(
        StatusCodes.OK, new Listing(((UserRegistry.Groups) reply).groups().stream().map(GroupAnswer::of).toList())));
  }

  private CompletionStage<HttpResponse> show(Caller caller, String name) {
    return asks.users(replyTo -> new UserRegistry.GetGroup(name, replyTo)).thenApply(reply -> {
      if (reply instanceof UserRegistry.GroupFound found
          && (caller.isAdmin() || found.group().members().contains(caller.username()))) {
        return codec.jsonResponse(StatusCodes.OK, GroupAnswer.of(found.group()));
      }
      throw Problem.notFound("group " + name).exception();
    });
  }

  private CompletionStage<HttpResponse> create(Caller caller, JsonNode body) {
    String name = UserRoutes.requiredText(body, "name");
    if (!UserRoutes.USERNAME.matcher(name).matches()) {
      throw UserRoutes.invalid("name", "must be 1 to 64 lowercase letters, digits, '.', '_' or '-', starting with a letter or digit");
    }
    Set<String> members = GroupNames.read(body, "members", false);
    boolean inheritDeleted = UserRoutes.inheritDeleted(body);
    return asks.users(replyTo -> new UserRegistry.CreateGroup(name, members, caller.username(), inheritDeleted, replyTo))
        .thenApply(reply -> {
          if (reply instanceof UserRegistry.Taken) {
            identity.audit().record(caller, "group.create", name, "conflict");
            throw Problem.conflict("group " + name + " exists already").exception();
          } else if (reply instanceof UserRegistry.GroupWasDeleted deleted) {
            identity.audit().record(caller, "group.create", name, "conflict: a deleted group's name");
            throw UserRoutes.deletedName("group", "name", name, deleted.deletedAt(),
                "what was shared with it (environments, datasets) still is");
          }
          identity.audit().record(caller, "group.create", name,
              inheritDeleted && reply instanceof UserRegistry.GroupFound ? "ok (inheritDeleted)" : outcome(reply));
          return answer(name, reply, StatusCodes.CREATED).addHeader(Location.create(ApiPaths.ROOT + "/groups/" + name));
        });
  }

  private CompletionStage<HttpResponse> update(Caller caller, String name, JsonNode body) {
    if (!body.isObject()) {
      throw UserRoutes.invalid("body", "must be an object with members");
    }
    Set<String> members = GroupNames.read(body, "members", true);
    return asks.users(replyTo -> new UserRegistry.UpdateGroupMembers(name, members, caller.username(), replyTo))
        .thenApply(reply -> {
          identity.audit().record(caller, "group.update", name, outcome(reply));
          return answer(name, reply, StatusCodes.OK);
        });
  }

  private CompletionStage<HttpResponse> remove(Caller caller, String name) {
    return asks.users(replyTo -> new UserRegistry.DeleteGroup(name, caller.username(), replyTo)).thenApply(reply -> {
      identity.audit().record(caller, "group.delete", name, outcome(reply));
      if (reply instanceof UserRegistry.NoSuchGroup) {
        throw Problem.notFound("group " + name).exception();
      }
      return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
    });
  }

  private HttpResponse answer(String name, UserRegistry.Reply reply, StatusCode status) {
    if (reply instanceof UserRegistry.GroupFound found) {
      return codec.jsonResponse(status, GroupAnswer.of(found.group()));
    }
    if (reply instanceof UserRegistry.NoSuchUser unknown) {
      throw UserRoutes.invalid("members", "names no user: " + unknown.username());
    }
    throw Problem.notFound("group " + name).exception();
  }

  private static String outcome(UserRegistry.Reply reply) {
    if (reply instanceof UserRegistry.NoSuchUser) {
      return "invalid";
    }
    return reply instanceof UserRegistry.NoSuchGroup ? "not-found" : "ok";
  }
}
