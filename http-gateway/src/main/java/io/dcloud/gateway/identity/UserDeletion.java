package io.dcloud.gateway.identity;

import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.Problem;
import io.dcloud.identity.Caller;
import io.dcloud.identity.UserRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deleting a user stops what they run first, as JupyterHub stops a deleted user's server: their
 * environments would otherwise hold their CPU, RAM and GPUs for nobody. Their services' replicas
 * are left alone (a service keeps serving its callers, and a job runs on to its end), and all they
 * own stays under their name, for an admin to remove or for a new user who inherits it.
 *
 * <p>In three steps, each of which may be taken again, so that a deletion cut short (a gateway lost,
 * an environment that did not answer in time) is finished by deleting again: the user is disabled
 * (they start nothing more meanwhile), their environments are stopped, then the user is deleted.
 */
final class UserDeletion {
  private static final Logger log = LoggerFactory.getLogger(UserDeletion.class);

  /** {@code stoppedEnvironments}: the ids of the environments that held resources and were stopped. */
  record Deleted(String username, List<String> stoppedEnvironments) {}

  private final ClusterAsks asks;
  private final GatewayIdentity identity;

  UserDeletion(ClusterAsks asks, GatewayIdentity identity) {
    this.asks = asks;
    this.identity = identity;
  }

  /** What was stopped; a failed stage with 404 for no such user, 503 when an environment did not stop. */
  CompletionStage<Deleted> delete(Caller caller, String name) {
    return asks.users(replyTo -> new UserRegistry.UpdateUser(name, null, null, true, caller.username(), replyTo))
        .thenCompose(disabled -> {
          if (disabled instanceof UserRegistry.NoSuchUser) {
            throw Problem.notFound("user " + name).exception();
          }
          return asks.listEnvironments(null, null, null, name, null);
        })
        .thenCompose(listing -> stopAll(caller, name, listing.environments().stream().filter(UserDeletion::holds).toList()))
        .thenCompose(stopped -> asks.users(replyTo -> new UserRegistry.DeleteUser(name, caller.username(), replyTo))
            .thenApply(reply -> {
              if (reply instanceof UserRegistry.NoSuchUser) {
                // Another admin's deletion of the same user finished first.
                throw Problem.notFound("user " + name).exception();
              }
              return new Deleted(name, stopped);
            }));
  }

  /**
   * Whether it runs, is on its way, or is to start again (a failed one with a restart due, a lost
   * one): what a stop changes. A service's replica is its service's to stop.
   */
  private static boolean holds(EnvironmentView view) {
    if (view.spec().service() != null) {
      return false;
    }
    return switch (view.status()) {
      case STOPPED, DELETED -> false;
      case FAILED -> view.restartAt() != null;
      default -> true;
    };
  }

  /** Stopped, or collected meanwhile (deleted long ago: nothing left to hold). */
  private static boolean stopped(EnvironmentEntity.Reply reply) {
    return reply instanceof EnvironmentEntity.Ok || reply instanceof EnvironmentEntity.NotFound;
  }

  private CompletionStage<List<String>> stopAll(Caller caller, String owner, List<EnvironmentView> environments) {
    List<CompletableFuture<String>> stops = new ArrayList<>();
    for (EnvironmentView view : environments) {
      stops.add(asks.<EnvironmentEntity.Reply>environment(view.id(),
              replyTo -> EnvironmentEntity.Stop.by(replyTo, caller.username(), caller.address()))
          .handle((reply, failure) -> stopped(reply) ? null : view.id())
          .toCompletableFuture());
    }
    return CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).thenApply(done -> {
      List<String> notStopped = stops.stream().map(CompletableFuture::join).filter(id -> id != null).toList();
      if (!notStopped.isEmpty()) {
        identity.audit().record(caller, "user.delete", owner, "unavailable: environments not stopped " + notStopped);
        throw Problem.of(Problem.Type.CLUSTER_UNAVAILABLE, "user " + owner + " is disabled, but " + notStopped.size()
            + " of their environments did not stop in time (" + String.join(", ", notStopped)
            + "): delete " + owner + " again to finish").exception();
      }
      // Each stop is in the audit log already: its event names the admin (see the directory's audit lines).
      List<String> stopped = environments.stream().map(EnvironmentView::id).toList();
      if (!stopped.isEmpty()) {
        log.info("User {}'s {} environment(s) stopped for their deletion by {}: {}", owner, stopped.size(),
            caller.username(), stopped);
      }
      return stopped;
    });
  }
}
