package io.dcloud.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dcloud.gateway.common.Problem;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.service.ServiceView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** A call whose cached replicas could not take it goes once to those of a view read afresh. */
class FreshViewRetryTest {

  private static ServiceView view(String... ready) {
    List<ServiceView.Replica> replicas = new ArrayList<>();
    for (String id : ready) {
      replicas.add(new ServiceView.Replica(id, "n1", "RUNNING", true, 1));
    }
    replicas.add(new ServiceView.Replica("starting", "n1", "STARTING", false, 2));
    return new ServiceView("iris", ServiceDefinition.Kind.MODEL, "alice", 2, 1, 8080, null, replicas, false, null);
  }

  private static CompletableFuture<String> refused(Problem.Type type) {
    return CompletableFuture.failedFuture(new CallRefused(Problem.of(type, "refused"), 0));
  }

  /** Answers with the replicas it was given, after refusing the first call with {@code first}. */
  private static Function<List<ServiceView.Replica>, CompletionStage<String>> refusingFirst(
      Problem.Type first, List<List<String>> calls) {
    return ready -> {
      calls.add(ready.stream().map(ServiceView.Replica::id).toList());
      return calls.size() == 1 ? refused(first) : CompletableFuture.completedFuture(String.join(",", calls.get(1)));
    };
  }

  @Test
  void aRetiredReplicaInTheCachedViewSendsTheCallToTheFreshViewsReplica() throws Exception {
    List<List<String>> calls = new ArrayList<>();

    String answer = FreshViewRetry.call(view("old"), () -> CompletableFuture.completedFuture(Optional.of(view("new"))),
        refusingFirst(Problem.Type.REPLICA_UNREACHABLE, calls)).toCompletableFuture().get();

    assertThat(answer).isEqualTo("new");
    assertThat(calls).containsExactly(List.of("old"), List.of("new"));
  }

  @Test
  void noReadyReplicaInTheCachedViewTriesTheFreshOne() throws Exception {
    List<List<String>> calls = new ArrayList<>();

    String answer = FreshViewRetry.call(view(), () -> CompletableFuture.completedFuture(Optional.of(view("first"))),
        refusingFirst(Problem.Type.NO_READY_REPLICA, calls)).toCompletableFuture().get();

    assertThat(answer).isEqualTo("first");
  }

  @Test
  void theSameReplicasAfreshOrAFailureThatIsNoRefusalToTakeItAreNotTriedAgain() {
    List<List<String>> calls = new ArrayList<>();
    assertThatThrownBy(() -> FreshViewRetry.call(view("a", "b"),
            () -> CompletableFuture.completedFuture(Optional.of(view("b", "a"))),
            refusingFirst(Problem.Type.REPLICA_UNREACHABLE, calls)).toCompletableFuture().get())
        .isInstanceOf(ExecutionException.class).hasCauseInstanceOf(CallRefused.class);
    assertThat(calls).hasSize(1);

    AtomicInteger freshReads = new AtomicInteger();
    List<List<String>> timedOut = new ArrayList<>();
    assertThatThrownBy(() -> FreshViewRetry.call(view("slow"), () -> {
          freshReads.incrementAndGet();
          return CompletableFuture.completedFuture(Optional.of(view("other")));
        }, refusingFirst(Problem.Type.SERVICE_TIMEOUT, timedOut)).toCompletableFuture().get())
        .hasCauseInstanceOf(CallRefused.class);
    assertThat(freshReads).as("a replica that may have worked on it: the balancer decides").hasValue(0);
    assertThat(timedOut).hasSize(1);
  }
}
