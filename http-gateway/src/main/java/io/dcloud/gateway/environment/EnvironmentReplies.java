package io.dcloud.gateway.environment;

import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.Problem;
import io.dcloud.identity.Caller;
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
    if (reply instanceof EnvironmentEntity.TooLate late) {
      // Only when this node's clock is behind the entity's: the ask itself gives up at the deadline.
      return Problem.of(Problem.Type.CLUSTER_UNAVAILABLE, late.reason() + "; try again");
    }
    throw new IllegalStateException("environment " + id + " answered " + reply.getClass().getSimpleName());
  }

  /**
   * The entity's current view; a failed stage with 404 when there is no such environment or the
   * caller may not see it (ids of others' environments are not disclosed).
   */
  static CompletionStage<EnvironmentView> view(ClusterAsks asks, String id, Caller caller) {
    return asks.<EnvironmentEntity.Reply>environment(id, EnvironmentEntity.Get::new)
        .thenApply(reply -> visibleTo(caller, id, viewOf(id, reply)));
  }

  /**
   * The view for a change (stop, start, delete, sharing): 404 as {@link #view}; 403 for a caller who
   * sees it only through a group (they know it exists, so 404 would be a lie).
   */
  static CompletionStage<EnvironmentView> owned(ClusterAsks asks, String id, Caller caller) {
    return view(asks, id, caller).thenApply(view -> {
      if (!caller.mayAccess(view.owner())) {
        throw Problem.of(Problem.Type.FORBIDDEN, "environment " + id + " is shared with a group of yours to see: only "
            + view.owner() + " or an admin may change it").exception();
      }
      return view;
    });
  }

  /** The view itself when the caller owns it, is an admin or is in a group it is shared with; 404 otherwise. */
  static EnvironmentView visibleTo(Caller caller, String id, EnvironmentView view) {
    if (!caller.maySee(view.owner(), view.sharedWith())) {
      throw notFound(id).exception();
    }
    return view;
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
