package io.dcloud.gateway.identity;

import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.gateway.common.ClusterAsks;
import io.dcloud.gateway.common.Problem;
import io.dcloud.identity.Caller;
import io.dcloud.identity.UserRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
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
 * (they start nothing more meanwhile), their environments are stopped, then the user is deleted;
 * a while later their environments are looked at once more (see {@link #recheckLater}).
 */
final class UserDeletion {
  private static final Logger log = LoggerFactory.getLogger(UserDeletion.class);
  /** The requests that make an environment hold resources again: who made the latest one is who wants it running. */
  private static final Set<String> STARTS = Set.of("environment.create", "environment.start", "environment.restart");

  /** {@code stoppedEnvironments}: the ids of the environments that held resources and were stopped. */
  record Deleted(String username, List<String> stoppedEnvironments) {}

  /** What a pass over a user's environments stopped, and the ids that did not answer in time. */
  private record Stops(List<String> stopped, List<String> notStopped) {}

  private final ClusterAsks asks;
  private final GatewayIdentity identity;
  private final Duration recheckAfter;
  private final Clock clock;

  /** {@code recheckAfter}: {@code dcloud.http.user-deletion-recheck-after}. */
  UserDeletion(ClusterAsks asks, GatewayIdentity identity, Duration recheckAfter, Clock clock) {
    this.asks = asks;
    this.identity = identity;
    this.recheckAfter = recheckAfter;
    this.clock = clock;
  }

  /** What was stopped; a failed stage with 404 for no such user, 503 when an environment did not stop. */
  CompletionStage<Deleted> delete(Caller caller, String name) {
    Instant began = clock.instant();
    return asks.users(replyTo -> new UserRegistry.UpdateUser(name, null, null, true, caller.username(), replyTo))
        .thenCompose(disabled -> {
          if (disabled instanceof UserRegistry.NoSuchUser) {
            throw Problem.notFound("user " + name).exception();
          }
          return asks.listEnvironments(null, null, null, name, null);
        })
        .thenCompose(listing -> stopAll(caller, listing.environments().stream().filter(UserDeletion::holds).toList()))
        .thenApply(stops -> {
          if (!stops.notStopped().isEmpty()) {
            identity.audit().record(caller, "user.delete", name, "unavailable: environments not stopped " + stops.notStopped());
            throw Problem.of(Problem.Type.CLUSTER_UNAVAILABLE, "user " + name + " is disabled, but "
                + stops.notStopped().size() + " of their environments did not stop in time ("
                + String.join(", ", stops.notStopped()) + "): delete " + name + " again to finish").exception();
          }
          // Each stop is in the audit log already: its event names the admin (see the directory's audit lines).
          if (!stops.stopped().isEmpty()) {
            log.info("User {}'s {} environment(s) stopped for their deletion by {}: {}", name, stops.stopped().size(),
                caller.username(), stops.stopped());
          }
          return stops.stopped();
        })
        .thenCompose(stopped -> asks.users(replyTo -> new UserRegistry.DeleteUser(name, caller.username(), replyTo))
            .thenApply(reply -> {
              if (reply instanceof UserRegistry.NoSuchUser) {
                // Another admin's deletion of the same user finished first.
                throw Problem.notFound("user " + name).exception();
              }
              recheckLater(caller, name, began);
              return new Deleted(name, stopped);
            }));
  }

  /**
   * A create or start the user sent just before they were disabled may reach its environment after
   * the listing above (its checks passed first; a create is refused only once its ask has timed
   * out), or be folded into this gateway's read side after it. So a while later the user's
   * environments are looked at again, and those still holding resources that the user themselves
   * created or started last are stopped too. One an admin started since (to read a deleted user's
   * files, say) is left running; so is all of a user made again under that name meanwhile.
   */
  private void recheckLater(Caller caller, String owner, Instant began) {
    CompletableFuture.delayedExecutor(recheckAfter.toMillis(), TimeUnit.MILLISECONDS).execute(() ->
        recheck(caller, owner, began).whenComplete((stops, failure) -> {
          if (failure != null) {
            log.warn("User {} deleted, but their environments could not be looked at again for any started as they "
                + "were deleted ({}): list them with ?owner={}", owner, failure.getMessage(), owner);
          } else if (!stops.notStopped().isEmpty()) {
            log.warn("User {} deleted, but {} environment(s) started as they were deleted did not stop in time: {} "
                + "(stop them by hand)", owner, stops.notStopped().size(), stops.notStopped());
            identity.audit().record(caller, "user.delete", owner, "unavailable: environments not stopped " + stops.notStopped());
          } else if (!stops.stopped().isEmpty()) {
            log.info("User {}'s {} environment(s) started as they were deleted stopped too: {}", owner,
                stops.stopped().size(), stops.stopped());
            identity.audit().record(caller, "user.delete", owner,
                "ok (stopped " + stops.stopped().size() + " more environment(s) started as the user was deleted)");
          }
        }));
  }

  private CompletionStage<Stops> recheck(Caller caller, String owner, Instant began) {
    return asks.users(replyTo -> new UserRegistry.GetUser(owner, replyTo)).thenCompose(user -> {
      if (user instanceof UserRegistry.Found) {
        // Made again meanwhile, inheriting what was theirs: what runs now is the new user's.
        return CompletableFuture.completedFuture(new Stops(List.of(), List.of()));
      }
      // From a while before the deletion began: a request the read side had not folded at the listing.
      return asks.listEnvironments(null, null, null, owner, null)
          .thenCombine(asks.environmentRequests(began.minus(recheckAfter), null), (listing, requests) -> {
            Map<String, String> startedLastBy = new HashMap<>();
            requests.stream().filter(line -> STARTS.contains(line.action()))
                .forEach(line -> startedLastBy.put(line.environmentId(), line.actor()));
            return listing.environments().stream()
                .filter(UserDeletion::holds)
                .filter(view -> owner.equals(startedLastBy.get(view.id())))
                .toList();
          })
          .thenCompose(late -> stopAll(caller, late));
    });
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

  private CompletionStage<Stops> stopAll(Caller caller, List<EnvironmentView> environments) {
    List<CompletableFuture<String>> stops = new ArrayList<>();
    for (EnvironmentView view : environments) {
      stops.add(asks.<EnvironmentEntity.Reply>environment(view.id(),
              replyTo -> EnvironmentEntity.Stop.by(replyTo, caller.username(), caller.address()))
          .handle((reply, failure) -> stopped(reply) ? null : view.id())
          .toCompletableFuture());
    }
    return CompletableFuture.allOf(stops.toArray(CompletableFuture[]::new)).thenApply(done -> {
      List<String> notStopped = stops.stream().map(CompletableFuture::join).filter(id -> id != null).toList();
      List<String> stopped = environments.stream().map(EnvironmentView::id).filter(id -> !notStopped.contains(id)).toList();
      return new Stops(stopped, notStopped);
    });
  }
}
