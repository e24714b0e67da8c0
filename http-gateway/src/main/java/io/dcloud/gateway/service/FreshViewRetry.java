package io.dcloud.gateway.service;

import io.dcloud.gateway.common.Problem;
import io.dcloud.service.ServiceView;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * An idempotent call goes to the ready replicas of the gateway's cached view of its service, and,
 * when none of them could take it (gone, not running, none ready), once more to those of the
 * service's view read afresh. The cached view is up to a refresh interval old: during a rolling
 * update it can still name only the replica the service has just retired for a new one, and the
 * call would fail although a ready replica serves.
 */
final class FreshViewRetry {
  private static final Set<String> COULD_NOT_TAKE_IT =
      Set.of(Problem.Type.REPLICA_UNREACHABLE.uri(), Problem.Type.NO_READY_REPLICA.uri());

  private FreshViewRetry() {}

  /**
   * {@code calling} calls the given ready replicas; {@code fresh} reads the service's view now. The
   * second call is made only when the fresh view's ready replicas are others than the cached ones.
   */
  static <T> CompletionStage<T> call(ServiceView cached, Supplier<CompletionStage<Optional<ServiceView>>> fresh,
      Function<List<ServiceView.Replica>, CompletionStage<T>> calling) {
    List<ServiceView.Replica> ready = ServiceDirectory.ready(cached);
    return calling.apply(ready).exceptionallyCompose(failure -> {
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (!(cause instanceof CallRefused refused) || !COULD_NOT_TAKE_IT.contains(refused.problem().type())) {
        return CompletableFuture.failedStage(failure);
      }
      return fresh.get().thenCompose(view -> {
        List<ServiceView.Replica> now = view.map(ServiceDirectory::ready).orElse(List.of());
        return now.isEmpty() || ids(now).equals(ids(ready)) ? CompletableFuture.<T>failedStage(failure) : calling.apply(now);
      });
    });
  }

  private static Set<String> ids(List<ServiceView.Replica> replicas) {
    return replicas.stream().map(ServiceView.Replica::id).collect(Collectors.toSet());
  }
}
