package io.dcloud.gateway.service;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.service.ServiceDefinition;
import io.dcloud.service.ServiceView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedDeque;
import org.junit.jupiter.api.Test;

/** A call to a service scaled to zero waits for its first ready replica, and says so to the service at once. */
class ColdStartTest {
  private static final ServiceDefinition.Autoscaling FROM_ZERO =
      new ServiceDefinition.Autoscaling(0, 2, 2, Duration.ZERO, Duration.ofMinutes(1));

  private final List<String> woken = new ArrayList<>();
  /** The views the service answers, in turn; the last one again once they run out. */
  private final Deque<ServiceView> answers = new ConcurrentLinkedDeque<>();

  private ColdStart coldStart(Duration longest) {
    return new ColdStart(name -> CompletableFuture.completedFuture(Optional.of(
        answers.size() > 1 ? answers.pollFirst() : answers.peekFirst())), woken::add, Duration.ofMillis(5), longest,
        System::nanoTime);
  }

  private static ServiceView view(ServiceDefinition.Autoscaling autoscaling, Boolean... ready) {
    List<ServiceView.Replica> replicas = new ArrayList<>();
    for (int i = 0; i < ready.length; i++) {
      replicas.add(new ServiceView.Replica("r" + i, "n1", "RUNNING", ready[i], 1));
    }
    return new ServiceView("svc", ServiceDefinition.Kind.APP, "alice", 1, replicas.size(), 8080, null, replicas, false,
        null, List.of(), null, null, null, null, autoscaling, null);
  }

  @Test
  void aCallToAServiceWithAReadyReplicaOrThatNeverScalesToZeroGoesOnAtOnce() {
    ServiceView ready = view(FROM_ZERO, true);
    ServiceView atLeastOne = view(new ServiceDefinition.Autoscaling(1, 2, 2, Duration.ZERO, Duration.ZERO));
    ServiceView byHand = view(null);

    for (ServiceView view : List.of(ready, atLeastOne, byHand)) {
      assertThat(coldStart(Duration.ofSeconds(5)).ready("svc", view).toCompletableFuture().getNow(null)).isSameAs(view);
    }
    assertThat(woken).isEmpty();
  }

  @Test
  void aCallToAServiceScaledToZeroWakesItAndWaitsForItsFirstReadyReplica() {
    ServiceView readyAtLast = view(FROM_ZERO, true);
    answers.add(view(FROM_ZERO));
    answers.add(view(FROM_ZERO, false));
    answers.add(readyAtLast);

    ServiceView serving = coldStart(Duration.ofSeconds(10)).ready("svc", view(FROM_ZERO)).toCompletableFuture().join();

    assertThat(serving).isSameAs(readyAtLast);
    assertThat(woken).containsExactly("svc");
  }

  @Test
  void aReplicaNotReadyInTimeLeavesTheCallToTheRefusalOfNone() {
    ServiceView starting = view(FROM_ZERO, false);
    answers.add(starting);

    ServiceView last = coldStart(Duration.ofMillis(50)).ready("svc", view(FROM_ZERO)).toCompletableFuture().join();

    assertThat(last).isSameAs(starting);
    assertThat(ServiceDirectory.ready(last)).isEmpty();
  }
}
