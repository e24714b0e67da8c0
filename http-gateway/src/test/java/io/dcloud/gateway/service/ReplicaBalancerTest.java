package io.dcloud.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.node.NodeWatch;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.service.ServiceEntity;
import io.dcloud.service.ServiceView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import org.apache.pekko.pattern.AskTimeoutException;
import org.junit.jupiter.api.Test;

/** The balancer against a hand-driven "send": each try's answer is completed by the test. */
class ReplicaBalancerTest {
  private static final ServiceCallSettings SETTINGS = new ServiceCallSettings(
      Duration.ofSeconds(2), 3, Duration.ofSeconds(10), Duration.ofSeconds(4), Duration.ofSeconds(1));
  private static final ServiceView.Replica A = replica("a");
  private static final ServiceView.Replica B = replica("b");
  private static final ServiceView.Replica C = replica("c");

  private final AtomicLong clock = new AtomicLong();
  private final List<String> outcomes = new ArrayList<>();
  private final List<String> refreshed = new ArrayList<>();
  private final Set<String> unreachableNodes = new HashSet<>();
  private final Map<String, List<Runnable>> onLoss = new HashMap<>();
  private final ReplicaBalancer balancer = new ReplicaBalancer(SETTINGS, new ReplicaBalancer.Listener() {
    @Override
    public void attempted(String service, ServiceView.Replica replica, String outcome, long nanos) {
      outcomes.add(replica.id() + ":" + outcome);
    }

    @Override
    public void failed(String service) {
      refreshed.add(service);
    }
  }, clock::get, new NodeWatch() {
    @Override
    public boolean reachable(String nodeId) {
      return !unreachableNodes.contains(nodeId);
    }

    @Override
    public Runnable whenUnreachable(String nodeId, Runnable lost) {
      List<Runnable> waiting = onLoss.computeIfAbsent(nodeId, id -> new ArrayList<>());
      waiting.add(lost);
      return () -> waiting.remove(lost);
    }

    @Override
    public Runnable whenMembersRemoved(Consumer<String> removed) {
      return () -> { };
    }
  });

  /** What NodeReachability does when the failure detector gives up on a node. */
  private void lose(String nodeId) {
    unreachableNodes.add(nodeId);
    List.copyOf(onLoss.getOrDefault(nodeId, List.of())).forEach(Runnable::run);
  }

  /** The tries sent, in order, each with the answer the test gives it. */
  private final List<Sent> sent = new ArrayList<>();

  private record Sent(ServiceView.Replica replica, Duration timeout, CompletableFuture<ReplicaBalancer.Attempt<String>> answer) {}

  private CompletionStage<ReplicaBalancer.Attempt<String>> send(ServiceView.Replica replica, Duration timeout) {
    Sent one = new Sent(replica, timeout, new CompletableFuture<>());
    sent.add(one);
    return one.answer;
  }

  private CompletableFuture<ReplicaBalancer.Answer<String>> call(List<ServiceView.Replica> ready, boolean idempotent) {
    return balancer.call("svc", ready, idempotent, this::send).toCompletableFuture();
  }

  @Test
  void theReplicaWithFewestOutstandingCallsGetsTheNext() {
    call(List.of(A, B, C), true);
    call(List.of(A, B, C), true);
    call(List.of(A, B, C), true);
    // One outstanding on each; finishing the second's makes its replica the least busy.
    assertThat(sent).extracting(s -> s.replica.id()).containsExactlyInAnyOrder("a", "b", "c");
    sent.get(1).answer.complete(new ReplicaBalancer.Attempt.Answered<>("ok", true));
    call(List.of(A, B, C), true);

    assertThat(sent.get(3).replica).isEqualTo(sent.get(1).replica);
  }

  @Test
  void replicasOnUnreachableNodesArePassedOverWhileAnotherIsReady() {
    unreachableNodes.add("node-a");
    for (int i = 0; i < 4; i++) {
      call(List.of(A, B, C), true);
    }
    assertThat(sent).extracting(s -> s.replica.id()).containsOnly("b", "c");

    unreachableNodes.addAll(List.of("node-b", "node-c"));
    call(List.of(A, B, C), true);
    assertThat(sent.get(sent.size() - 1).replica.id()).as("all unreachable: the least busy, the view may be behind")
        .isEqualTo("a");

    unreachableNodes.clear();
    call(List.of(A, B, C), true);
    assertThat(sent.get(sent.size() - 1).replica.id()).as("reachable again, and least busy").isEqualTo("a");
  }

  @Test
  void anIdempotentCallsRetryAvoidsAnUnreachableNodeToo() {
    unreachableNodes.add("node-c");
    CompletableFuture<ReplicaBalancer.Answer<String>> answer = call(List.of(A, C, B), true);
    String first = sent.get(0).replica.id();
    sent.get(0).answer.complete(new ReplicaBalancer.Attempt.Unreachable<>("connection refused"));

    assertThat(sent).hasSize(2);
    assertThat(sent.get(1).replica.id()).isNotEqualTo(first).isNotEqualTo("c");
    sent.get(1).answer.complete(new ReplicaBalancer.Attempt.Answered<>("ok", true));
    assertThat(answer).isCompleted();
  }

  @Test
  void aRetryableTryIsGivenUpWhenItsNodeTurnsUnreachableAndTheCallRetriedAtOnce() {
    CompletableFuture<ReplicaBalancer.Answer<String>> answer = call(List.of(A, B), true);
    ServiceView.Replica first = sent.get(0).replica;
    assertThat(onLoss.get(first.node())).as("watching the first try's node").hasSize(1);

    lose(first.node());

    assertThat(sent).hasSize(2);
    assertThat(sent.get(1).replica).isNotEqualTo(first);
    assertThat(outcomes).containsExactly(first.id() + ":unreachable");
    sent.get(1).answer.complete(new ReplicaBalancer.Attempt.Answered<>("from the survivor", true));
    assertThat(answer.join().value()).isEqualTo("from the survivor");
    assertThat(onLoss.values()).as("no watch outlives its try").allSatisfy(waiting -> assertThat(waiting).isEmpty());
  }

  @Test
  void aTryThatWouldNotBeRetriedWaitsForItsAnswerEvenWhenItsNodeIsLost() {
    CompletableFuture<ReplicaBalancer.Answer<String>> answer = call(List.of(A, B), false);
    String node = sent.get(0).replica.node();

    lose(node);

    assertThat(sent).as("a non-idempotent call could do its work twice").hasSize(1);
    assertThat(answer).isNotDone();
    sent.get(0).answer.complete(new ReplicaBalancer.Attempt.Answered<>("late but done", true));
    assertThat(answer.join().value()).isEqualTo("late but done");
  }

  @Test
  void tiesTakeTurns() {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < 6; i++) {
      call(List.of(A, B), true);
      Sent last = sent.get(sent.size() - 1);
      counts.merge(last.replica.id(), 1, Integer::sum);
      last.answer.complete(new ReplicaBalancer.Attempt.Answered<>("ok", true));
    }

    assertThat(counts).containsEntry("a", 3).containsEntry("b", 3);
  }

  @Test
  void anIdempotentCallIsTriedOnceMoreOnAnotherReplicaWhenOneIsUnreachable() {
    CompletableFuture<ReplicaBalancer.Answer<String>> answer = call(List.of(A, B), true);
    sent.get(0).answer.complete(new ReplicaBalancer.Attempt.Unreachable<>("connection refused"));
    sent.get(1).answer.complete(new ReplicaBalancer.Attempt.Answered<>("from b", true));

    assertThat(answer.join().value()).isEqualTo("from b");
    assertThat(answer.join().replica()).isEqualTo(B);
    assertThat(outcomes).containsExactly("a:unreachable", "b:ok");
    assertThat(refreshed).containsExactly("svc");
  }

  @Test
  void aTimedOutIdempotentTryIsTriedOnAnotherWithTheTimeLeft() {
    CompletableFuture<ReplicaBalancer.Answer<String>> answer = call(List.of(A, B), true);
    clock.addAndGet(Duration.ofSeconds(4).toNanos());
    sent.get(0).answer.completeExceptionally(new AskTimeoutException("no answer"));
    sent.get(1).answer.complete(new ReplicaBalancer.Attempt.Answered<>("from b", true));

    assertThat(answer.join().value()).isEqualTo("from b");
    assertThat(sent.get(0).timeout).isEqualTo(SETTINGS.attemptTimeout());
    assertThat(sent.get(1).timeout).isEqualTo(Duration.ofSeconds(6));
  }

  @Test
  void aNonIdempotentCallIsNotTriedAgain() {
    CompletableFuture<ReplicaBalancer.Answer<String>> answer = call(List.of(A, B), false);
    sent.get(0).answer.complete(new ReplicaBalancer.Attempt.Unreachable<>("connection refused"));

    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).timeout).isEqualTo(SETTINGS.requestTimeout());
    assertThat(refused(answer).problem().status()).isEqualTo(502);
  }

  @Test
  void anAnswerWithAnErrorIsNotTriedAgain() {
    CompletableFuture<ReplicaBalancer.Answer<String>> answer = call(List.of(A, B), true);
    sent.get(0).answer.complete(new ReplicaBalancer.Attempt.Answered<>("500 from a", false));

    assertThat(answer.join().value()).isEqualTo("500 from a");
    assertThat(sent).hasSize(1);
    assertThat(outcomes).containsExactly("a:error");
    assertThat(refreshed).isEmpty();
  }

  @Test
  void anIdempotentCallGoesOnPastAReplicaThatIsUnavailableAndTheNextCallsPassItOver() {
    CompletableFuture<ReplicaBalancer.Answer<String>> answer = call(List.of(A, B), true);
    String first = sent.get(0).replica.id();
    sent.get(0).answer.complete(new ReplicaBalancer.Attempt.Unavailable<>("503 the model is loading"));

    assertThat(sent).hasSize(2);
    assertThat(sent.get(1).replica.id()).isNotEqualTo(first);
    sent.get(1).answer.complete(new ReplicaBalancer.Attempt.Answered<>("ok", true));
    assertThat(answer.join().value()).isEqualTo("ok");
    assertThat(outcomes).containsExactly(first + ":unavailable", sent.get(1).replica.id() + ":ok");
    assertThat(refreshed).as("the view is read again at once").containsExactly("svc");

    call(List.of(A, B), true);
    assertThat(sent.get(2).replica.id()).as("passed over for a refresh interval").isNotEqualTo(first);
  }

  @Test
  void anUnavailableReplicasAnswerIsTheCallsWhenNoOtherIsLeftOrTheCallIsNotIdempotent() {
    CompletableFuture<ReplicaBalancer.Answer<String>> alone = call(List.of(A), true);
    sent.get(0).answer.complete(new ReplicaBalancer.Attempt.Unavailable<>("503 from a"));
    assertThat(alone.join().value()).isEqualTo("503 from a");

    CompletableFuture<ReplicaBalancer.Answer<String>> posted = call(List.of(A, B), false);
    sent.get(1).answer.complete(new ReplicaBalancer.Attempt.Unavailable<>("503 from " + sent.get(1).replica.id()));
    assertThat(posted.join().value()).startsWith("503 from");
    assertThat(sent).hasSize(2);

    CompletableFuture<ReplicaBalancer.Answer<String>> both = call(List.of(A, B), true);
    sent.get(2).answer.complete(new ReplicaBalancer.Attempt.Unavailable<>("503 first"));
    sent.get(3).answer.complete(new ReplicaBalancer.Attempt.Unavailable<>("503 second"));
    assertThat(both.join().value()).as("the last replica's own answer").isEqualTo("503 second");
    assertThat(sent).hasSize(4);
  }

  @Test
  void afterATimeoutOnlyOneMoreTry() {
    CompletableFuture<ReplicaBalancer.Answer<String>> answer = call(List.of(A, B, C), true);
    sent.get(0).answer.completeExceptionally(new TimeoutException("no answer"));
    sent.get(1).answer.completeExceptionally(new TimeoutException("no answer"));

    assertThat(sent).as("a third try would pile more work on replicas that may be only slow").hasSize(2);
    assertThat(sent.get(1).replica).isNotEqualTo(sent.get(0).replica);
    CallRefused refused = refused(answer);
    assertThat(refused.problem().status()).isEqualTo(504);
    assertThat(refused.toResponse().getHeader("Retry-After")).isEmpty();
  }

  @Test
  void replicasThatCouldNotTakeTheCallAreSkippedUntilOneAnswers() {
    CompletableFuture<ReplicaBalancer.Answer<String>> answer = call(List.of(A, B, C), true);
    sent.get(0).answer.complete(new ReplicaBalancer.Attempt.Unreachable<>("NOT_RUNNING: the environment was deleted"));
    sent.get(1).answer.complete(new ReplicaBalancer.Attempt.Unreachable<>("connection refused"));
    sent.get(2).answer.complete(new ReplicaBalancer.Attempt.Answered<>("from the last", true));

    assertThat(sent).extracting(s -> s.replica.id()).containsExactlyInAnyOrder("a", "b", "c");
    assertThat(answer.join().value()).isEqualTo("from the last");
  }

  @Test
  void everyReplicaUnreachableIs502AfterEachWasTriedOnce() {
    CompletableFuture<ReplicaBalancer.Answer<String>> answer = call(List.of(A, B), true);
    sent.get(0).answer.complete(new ReplicaBalancer.Attempt.Unreachable<>("connection refused"));
    sent.get(1).answer.complete(new ReplicaBalancer.Attempt.Unreachable<>("connection refused"));

    assertThat(sent).hasSize(2);
    assertThat(refused(answer).problem().status()).isEqualTo(502);
  }

  /** A slow healthy replica times out, the retry finds the other one dead: back to the slow one with the time left. */
  @Test
  void aReplicaThatOnlyTimedOutIsTriedAgainWhenTheOthersCannotTakeTheCall() {
    CompletableFuture<ReplicaBalancer.Answer<String>> answer = call(List.of(A, B), true);
    ServiceView.Replica slow = sent.get(0).replica;
    clock.addAndGet(Duration.ofSeconds(4).toNanos());
    sent.get(0).answer.completeExceptionally(new AskTimeoutException("no answer"));
    clock.addAndGet(Duration.ofSeconds(1).toNanos());
    sent.get(1).answer.complete(new ReplicaBalancer.Attempt.Unreachable<>("NOT_RUNNING: the environment was deleted"));

    assertThat(sent).hasSize(3);
    assertThat(sent.get(2).replica).isEqualTo(slow);
    assertThat(sent.get(2).timeout).as("the rest of the request's time").isEqualTo(Duration.ofSeconds(5));
    sent.get(2).answer.complete(new ReplicaBalancer.Attempt.Answered<>("late but there", true));
    assertThat(answer.join().replica()).isEqualTo(slow);
  }

  @Test
  void noTryOnceTheRequestsTimeIsUp() {
    CompletableFuture<ReplicaBalancer.Answer<String>> answer = call(List.of(A, B), true);
    clock.addAndGet(SETTINGS.requestTimeout().toNanos());
    sent.get(0).answer.complete(new ReplicaBalancer.Attempt.Unreachable<>("connection refused"));

    assertThat(sent).hasSize(1);
    assertThat(refused(answer).problem().status()).isEqualTo(502);
  }

  @Test
  void aReplicaThatCouldNotTakeACallIsPassedOverByTheNextCallsForARefreshInterval() {
    call(List.of(A, B), true);
    ServiceView.Replica gone = sent.get(0).replica;
    ServiceView.Replica other = gone.equals(A) ? B : A;
    sent.get(0).answer.complete(new ReplicaBalancer.Attempt.Unreachable<>("NOT_RUNNING: the environment was deleted"));
    sent.get(1).answer.complete(new ReplicaBalancer.Attempt.Answered<>("ok", true));

    for (int i = 0; i < 3; i++) {
      call(List.of(A, B), true);
    }
    assertThat(sent.subList(2, 5)).as("the view still lists it as ready").allSatisfy(s -> assertThat(s.replica).isEqualTo(other));

    clock.addAndGet(SETTINGS.refreshInterval().toNanos());
    call(List.of(A, B), true);
    assertThat(sent.get(5).replica).as("fewest outstanding, and no longer passed over").isEqualTo(gone);
  }

  @Test
  void aReplicaPassedOverIsStillTriedWhenItIsTheOnlyOne() {
    call(List.of(A), true);
    sent.get(0).answer.complete(new ReplicaBalancer.Attempt.Unreachable<>("connection refused"));

    call(List.of(A), true);
    assertThat(sent).hasSize(2);
    assertThat(sent.get(1).replica).isEqualTo(A);
  }

  @Test
  void noReadyReplicaIs503WithRetryAfter() {
    CallRefused refused = refused(call(List.of(), true));

    assertThat(refused.problem().status()).isEqualTo(503);
    assertThat(refused.problem().type()).isEqualTo("urn:dcloud:problem:no-ready-replica");
    assertThat(refused.toResponse().getHeader("Retry-After")).hasValueSatisfying(h -> assertThat(h.value()).isEqualTo("1"));
    assertThat(sent).isEmpty();
  }

  @Test
  void aTimeoutWithOneReplicaIs504() {
    CompletableFuture<ReplicaBalancer.Answer<String>> answer = call(List.of(A), true);
    clock.addAndGet(SETTINGS.requestTimeout().toNanos());
    sent.get(0).answer.completeExceptionally(new AskTimeoutException("no answer"));

    assertThat(sent).hasSize(1);
    assertThat(sent.get(0).timeout).isEqualTo(SETTINGS.requestTimeout());
    assertThat(refused(answer).problem().type()).isEqualTo("urn:dcloud:problem:service-timeout");
  }

  /**
   * The load an autoscaled service's entity is told of: its calls in progress here, averaged over the
   * time since the last report however they came and went; nothing while there were none, nothing for
   * a service scaled by hand.
   */
  @Test
  void eachReportTellsAnAutoscaledServiceItsAverageCallsInProgressSinceTheLastOne() {
    List<String> reports = new ArrayList<>();
    Map<String, ServiceView> views = Map.of("auto", view("auto", new ServiceDefinition.Autoscaling(1, 3, 2,
        Duration.ZERO, Duration.ZERO)), "manual", view("manual", null));
    LoadReports loads = new LoadReports(balancer, name -> Optional.ofNullable(views.get(name)), (name, report) -> {
      ServiceEntity.ReportLoad load = (ServiceEntity.ReportLoad) report;
      reports.add(name + " " + load.ongoingRequests() + " over " + load.over().toMillis() + "ms");
    });
    CompletableFuture<String> long1 = new CompletableFuture<>();
    CompletableFuture<String> short1 = new CompletableFuture<>();
    balancer.admitted("auto", () -> long1);
    balancer.admitted("manual", () -> new CompletableFuture<String>());
    // 1 s with one call, 1 s with two: 1.5 on average over the 2 s.
    clock.addAndGet(Duration.ofSeconds(1).toNanos());
    balancer.admitted("auto", () -> short1);
    clock.addAndGet(Duration.ofSeconds(1).toNanos());
    loads.report();
    assertThat(reports).containsExactly("auto 1.5 over 2000ms");

    // The short one ends at once, the long one after 1 s of 2: one half on average.
    short1.complete("done");
    clock.addAndGet(Duration.ofSeconds(1).toNanos());
    long1.complete("done");
    clock.addAndGet(Duration.ofSeconds(1).toNanos());
    loads.report();
    assertThat(reports).containsExactly("auto 1.5 over 2000ms", "auto 0.5 over 2000ms");

    clock.addAndGet(Duration.ofSeconds(2).toNanos());
    loads.report();
    assertThat(reports).as("none in progress: nothing to tell").hasSize(2);
  }

  private static ServiceView view(String name, ServiceDefinition.Autoscaling autoscaling) {
    return new ServiceView(name, ServiceDefinition.Kind.APP, "alice", 1, 1, 8080, null, List.of(), false, null, List.of(),
        null, null, null, null, autoscaling, null);
  }

  @Test
  void aStreamingAnswerKeepsItsCallInProgressOnItsReplicaAndServiceUntilItsBodyEnds() {
    CompletableFuture<ReplicaBalancer.Answer<String>> first = call(List.of(A, B), true);
    sent.get(0).answer.complete(new ReplicaBalancer.Attempt.Answered<>("head", true));
    ReplicaBalancer.Answer<String> streaming = first.join();
    Runnable bodyEnded = balancer.streaming("svc", streaming.replica());

    call(List.of(A, B), true);
    assertThat(sent.get(1).replica).as("its replica is still busy sending").isNotEqualTo(streaming.replica());
    assertThat(balancer.queued("svc")).as("in the service's queue and load").isEqualTo(1);

    bodyEnded.run();
    bodyEnded.run();
    assertThat(balancer.queued("svc")).as("let go once, however often told").isZero();
    call(List.of(A, B), true);
    assertThat(sent.get(2).replica).as("the least busy again").isEqualTo(streaming.replica());
  }

  @Test
  void callsBeyondTheQueueAre429UntilOneEnds() {
    List<CompletableFuture<String>> running = new ArrayList<>();
    for (int i = 0; i < SETTINGS.maxQueue(); i++) {
      CompletableFuture<String> one = new CompletableFuture<>();
      running.add(one);
      balancer.admitted("svc", () -> one);
    }
    assertThat(balancer.queued("svc")).isEqualTo(SETTINGS.maxQueue());
    CompletableFuture<String> shed = balancer.admitted("svc", () -> CompletableFuture.completedFuture("ran"))
        .toCompletableFuture();
    CallRefused refused = refused(shed);
    assertThat(refused.problem().status()).isEqualTo(429);
    assertThat(refused.toResponse().getHeader("Retry-After")).isPresent();
    // Another service has its own queue.
    assertThat(balancer.admitted("other", () -> CompletableFuture.completedFuture("ran")).toCompletableFuture().join())
        .isEqualTo("ran");

    running.get(0).complete("done");
    assertThat(balancer.queued("svc")).isEqualTo(SETTINGS.maxQueue() - 1);
    assertThat(balancer.admitted("svc", () -> CompletableFuture.completedFuture("ran")).toCompletableFuture().join())
        .isEqualTo("ran");
  }

  private static CallRefused refused(CompletableFuture<?> answer) {
    assertThat(answer).isCompletedExceptionally();
    try {
      answer.join();
    } catch (CompletionException failed) {
      assertThat(failed.getCause()).isInstanceOf(CallRefused.class);
      return (CallRefused) failed.getCause();
    }
    throw new AssertionError("not refused");
  }

  private static ServiceView.Replica replica(String id) {
    return new ServiceView.Replica(id, "node-" + id, "RUNNING", true, 1);
  }
}
