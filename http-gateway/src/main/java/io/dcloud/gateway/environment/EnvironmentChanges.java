package io.dcloud.gateway.environment;

import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.identity.Caller;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stop, start and delete as the entity takes them, for the HTTP routes and the client service
 * alike: idempotent in the entity, so a retried request gets the same answer.
 */
final class EnvironmentChanges {
  private static final Logger log = LoggerFactory.getLogger(EnvironmentChanges.class);

  private EnvironmentChanges() {}

  /** The change on an environment the caller may change (404 or 403 otherwise, see {@link EnvironmentReplies#owned}). */
  static CompletionStage<EnvironmentView> ofOwned(
      ClusterAsks asks, String id, String action, String origin, Caller caller,
      Function<ActorRef<EnvironmentEntity.Reply>, EnvironmentEntity.Command> command) {
    return EnvironmentReplies.owned(asks, id, caller).thenCompose(view -> send(asks, id, action, origin, command));
  }

  /** The view the entity moved to; a failed stage with its problem (404, 409) otherwise. */
  static CompletionStage<EnvironmentView> send(
      ClusterAsks asks, String id, String action, String origin,
      Function<ActorRef<EnvironmentEntity.Reply>, EnvironmentEntity.Command> command) {
    return asks.environment(id, command).thenApply(reply -> {
      if (reply instanceof EnvironmentEntity.Ok ok) {
        log.info("Environment {} ({}): {} requested {}; it is now {}", id, ok.view().name(), action, origin,
            ok.view().status());
        return ok.view();
      }
      throw EnvironmentReplies.problemFor(id, reply).exception();
    });
  }
}
