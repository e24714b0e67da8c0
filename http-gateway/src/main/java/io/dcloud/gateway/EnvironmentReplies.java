package io.dcloud.gateway;

import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentView;
import java.util.concurrent.CompletionStage;

/** What an environment entity's non-Ok replies mean over HTTP. */
final class EnvironmentReplies {
  private EnvironmentReplies() {}

  static Problem problemFor(String id, EnvironmentEntity.Reply reply) {
    if (reply instanceof EnvironmentEntity.NotFound) {
      return notFound(id);
    }
    if (reply instanceof EnvironmentEntity.Conflict conflict) {
      return Problem.conflict(conflict.reason());
    }
    throw new IllegalStateException("environment " + id + " answered " + reply.getClass().getSimpleName());
  }

  /** The entity's current view; a failed stage with 404 when there is no such environment. */
  static CompletionStage<EnvironmentView> view(ClusterAsks asks, String id) {
    return asks.<EnvironmentEntity.Reply>environment(id, EnvironmentEntity.Get::new).thenApply(reply -> viewOf(id, reply));
  }

  /** The view in the entity's answer to a Get; its problem (404) otherwise. */
  static EnvironmentView viewOf(String id, EnvironmentEntity.Reply reply) {
    if (reply instanceof EnvironmentEntity.Ok ok) {
      return ok.view();
    }
    throw problemFor(id, reply).exception();
  }

  static Problem notFound(String id) {
    return Problem.notFound("environment " + id);
  }
}
