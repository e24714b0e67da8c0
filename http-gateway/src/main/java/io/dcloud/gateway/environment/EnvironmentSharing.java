package io.dcloud.gateway.environment;

import com.fasterxml.jackson.databind.JsonNode;
import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.JsonYaml;
import io.dcloud.gateway.common.RequestBodies;
import io.dcloud.gateway.identity.GroupNames;
import io.dcloud.gateway.identity.UserRoutes;
import io.dcloud.identity.Caller;
import io.dcloud.identity.Group;
import io.dcloud.identity.UserRegistry;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /environments/{id}/sharing}: which groups' members may see an environment, read-only.
 * Everyone who sees it reads the list; its owner (with a group of theirs) or an admin (with any
 * group) replaces it, an empty list stopping the sharing.
 */
final class EnvironmentSharing extends AllDirectives {
  private final ClusterAsks asks;
  private final JsonYaml codec;
  private final RequestBodies bodies;

  EnvironmentSharing(ClusterAsks asks, JsonYaml codec, RequestBodies bodies) {
    this.asks = asks;
    this.codec = codec;
    this.bodies = bodies;
  }

  record SharingAnswer(String id, List<String> groups) {}

  public Route route(String id, Caller caller) {
    return concat(
        get(() -> completeWithFuture(EnvironmentReplies.view(asks, id, caller)
            .thenApply(view -> codec.jsonResponse(StatusCodes.OK, new SharingAnswer(id, view.sharedWith()))))),
        put(() -> bodies.document(body -> completeWithFuture(share(id, caller, body)))));
  }

  private CompletionStage<HttpResponse> share(String id, Caller caller, JsonNode body) {
    if (!body.isObject()) {
      throw UserRoutes.invalid("body", "must be an object with groups");
    }
    Set<String> groups = GroupNames.read(body, "groups", true);
    String member = caller.isAdmin() ? null : caller.username();
    return EnvironmentReplies.owned(asks, id, caller)
        .thenCompose(view -> asks.users(replyTo -> new UserRegistry.ListGroups(member, replyTo)))
        .thenCompose(reply -> {
          List<String> known = ((UserRegistry.Groups) reply).groups().stream().map(Group::name).toList();
          groups.stream().sorted().filter(group -> !known.contains(group)).findFirst().ifPresent(unknown -> {
            throw UserRoutes.invalid("groups", "names no group " + (member == null ? "" : "of yours ") + "called " + unknown);
          });
          return asks.<EnvironmentEntity.Reply>environment(id,
              replyTo -> new EnvironmentEntity.Share(List.copyOf(groups), caller.username(), replyTo, caller.address()));
        })
        .thenApply(reply -> codec.jsonResponse(StatusCodes.OK,
            new SharingAnswer(id, EnvironmentReplies.viewOf(id, reply).sharedWith())));
  }
}
