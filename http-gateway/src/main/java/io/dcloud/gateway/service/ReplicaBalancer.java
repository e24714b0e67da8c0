package io.dcloud.gateway.service;

import io.dcloud.gateway.common.Problem;
import io.dcloud.node.NodeWatch;
import io.dcloud.service.ServiceView;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Which ready replica of a service gets a call, at this gateway: the one with the fewest calls
 * outstanding (ties take turns), so a slow replica gets less. A call a replica could not take
 * (unreachable, not running, no answer in time, or a 503 of its own: loading, restarting) goes on to
 * another when it is idempotent (see {@link #call}) — never when the replica answered otherwise, even
 * with an error: it did the work. A replica that could not take a call is passed over by the next
 * calls for a refresh interval while another is ready, since the service's view may list it a while
 * longer. Calls beyond the service's queue
 * are shed at once (429) rather than left to time out. Replicas on nodes this process's failure
 * detector calls unreachable are passed over while another is ready, so calls stop going to a dead
 * machine seconds before its loss is declared and the service's view drops the replica; and a try
 * that may be retried is given up as soon as its replica's node turns unreachable, instead of
 * waiting out its attempt timeout.
 */
final class ReplicaBalancer {

  /** What one try on a replica came to. */
  sealed interface Attempt<T> {
    /** The replica answered; {@code ok}: with a success (for the meters). */
    record Answered<T>(T value, boolean ok) implements Attempt<T> {}

    /** Nothing reached the replica, or it could not answer (its node said so). */
    record Unreachable<T>(String reason) implements Attempt<T> {}

    /**
     * The replica answered that it cannot take calls now (HTTP 503: a model still loading after its
     * container restarted, an app starting or draining) — it did no work, so an idempotent call goes
     * on to another replica; {@code value} is the answer when no other is left.
     */
    record Unavailable<T>(T value) implements Attempt<T> {}
  }

  /** One try on a replica; a failure with a {@link TimeoutException} means no answer within {@code timeout}. */
  @FunctionalInterface
  interface Send<T> {
    CompletionStage<Attempt<T>> to(ServiceView.Replica replica, Duration timeout);
  }

  /** The answer, and which replica gave it. */
  record Answer<T>(T value, ServiceView.Replica replica) {}

  /** Told of every try (stats, meters) and of every failed one (the view is refreshed at once). */
  interface Listener {
    void attempted(String service, ServiceView.Replica replica, String outcome, long nanos);

    void failed(String service);
  }

  static final String OK = "ok";
  static final String ERROR = "error";
  static final String UNREACHABLE = "unreachable";
  static final String UNAVAILABLE = "unavailable";
  static final String TIMEOUT = "timeout";

  private final ServiceCallSettings settings;
  private final Listener listener;
  private final LongSupplier nanoTime;
  private final NodeWatch nodes;
  private final Map<String, AtomicInteger> outstanding = new ConcurrentHashMap<>();
  private final Map<String, OngoingCalls> queued = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> turns = new ConcurrentHashMap<>();
  /** Replicas that could not take a call, until when (nanoTime) they are passed over while another is ready. */
  private final Map<String, Long> passedOver = new ConcurrentHashMap<>();

  ReplicaBalancer(ServiceCallSettings settings, Listener listener, LongSupplier nanoTime, NodeWatch nodes) {
    this.settings = settings;
    this.listener = listener;
    this.nanoTime = nanoTime;
    this.nodes = nodes;
  }

  /** Runs {@code call} as one of the service's outstanding calls, or refuses it (429) when there are too many. */
  <T> CompletionStage<T> admitted(String service, Supplier<CompletionStage<T>> call) {
    OngoingCalls count = queued.computeIfAbsent(service, s -> new OngoingCalls(nanoTime));
    if (!count.enter(settings.maxQueue())) {
      return CompletableFuture.failedFuture(new CallRefused(Problem.of(Problem.Type.SERVICE_BUSY, "service " + service
          + " has " + settings.maxQueue() + " calls in progress at this gateway; try again shortly"),
          settings.retryAfterSeconds()));
    }
    CompletionStage<T> started;
    try {
      started = call.get();
    } catch (RuntimeException e) {
      count.leave();
      throw e;
    }
    return started.whenComplete((value, failure) -> count.leave());
  }

  /**
   * Counts a call whose answer is still streaming from {@code replica} (its head answered, its body
   * not yet sent whole) as in progress: in the service's queue and load, and as outstanding on the
   * replica (so the next calls go to a less busy one), until the returned release runs (once
   * counted, however often it runs).
   */
  Runnable streaming(String service, ServiceView.Replica replica) {
    OngoingCalls count = queued.computeIfAbsent(service, s -> new OngoingCalls(nanoTime));
    // Admitted already: a streaming answer is never refused for the queue it is in.
    count.enter(Integer.MAX_VALUE);
    AtomicInteger busy = outstanding.computeIfAbsent(replica.id(), id -> new AtomicInteger());
    busy.incrementAndGet();
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        count.leave();
        busy.decrementAndGet();
      }
    };
  }

  /** The calls of {@code service} this gateway has not answered yet. */
  int queued(String service) {
    OngoingCalls count = queued.get(service);
    return count == null ? 0 : count.count();
  }

  /** Every service this gateway has called, with its calls in progress (see {@link LoadReports}). */
  Map<String, OngoingCalls> ongoing() {
    return queued;
  }

  /**
   * Sends to the least busy of {@code ready} (the replicas the service's view says are ready). An
   * idempotent call goes on to another replica while the request's time lasts: after a replica that
   * could not take it (which did no work, so trying elsewhere adds no load), as often as there are
   * others; after a try that timed out (which may have been working), once. A replica that timed out
   * is tried again only when no other is left: it may only have been slow, and the others may be gone.
   * A replica's 503 is the call's answer when no other replica is left to try.
   */
  <T> CompletionStage<Answer<T>> call(String service, List<ServiceView.Replica> ready, boolean idempotent, Send<T> send) {
    return call(service, ready, idempotent, send, nanoTime.getAsLong());
  }

  /** As {@link #call(String, List, boolean, Send)}, for a call that began at {@code since} (nanoTime): its time counts from then. */
  <T> CompletionStage<Answer<T>> call(
      String service, List<ServiceView.Replica> ready, boolean idempotent, Send<T> send, long since) {
    ServiceView.Replica first = choose(service, ready, Set.of());
    if (first == null) {
      // Perhaps one is ready by now: the next calls should not wait for the refresh interval to know.
      listener.failed(service);
      return CompletableFuture.failedFuture(noReadyReplica(service));
    }
    return new Tries<>(service, ready, idempotent, send, since).from(first);
  }

  /** The tries of one call. */
  private final class Tries<T> {
    private final String service;
    private final List<ServiceView.Replica> ready;
    private final boolean idempotent;
    private final Send<T> send;
    private final long started;
    /** Replicas that could not take this call: never tried again by it. */
    private final Set<String> unreachable = new HashSet<>();
    /** Replicas that did not answer this call in time. */
    private final Set<String> timedOut = new HashSet<>();

    Tries(String service, List<ServiceView.Replica> ready, boolean idempotent, Send<T> send, long started) {
      this.service = service;
      this.ready = ready;
      this.idempotent = idempotent;
      this.send = send;
      this.started = started;
    }

    CompletionStage<Answer<T>> from(ServiceView.Replica replica) {
      Duration left = settings.requestTimeout().minusNanos(nanoTime.getAsLong() - started);
      boolean retryable = idempotent && timedOut.isEmpty() && others(replica);
      Duration timeout = retryable ? min(settings.attemptTimeout(), left) : left;
      return attempt(service, replica, timeout, retryable, send).thenCompose(outcome -> {
        if (outcome instanceof Attempt.Answered<T> answered) {
          return CompletableFuture.completedFuture(new Answer<>(answered.value(), replica));
        }
        boolean retriedBefore = !timedOut.isEmpty();
        (outcome instanceof TimedOut<T> ? timedOut : unreachable).add(replica.id());
        ServiceView.Replica next = mayGoOn(outcome, retriedBefore) ? next() : null;
        if (next != null) {
          return from(next);
        }
        return outcome instanceof Attempt.Unavailable<T> unavailable
            ? CompletableFuture.completedFuture(new Answer<>(unavailable.value(), replica))
            : CompletableFuture.failedFuture(failure(service, outcome));
      });
    }

    private boolean mayGoOn(Attempt<T> outcome, boolean retriedBefore) {
      boolean timeLeft = nanoTime.getAsLong() - started < settings.requestTimeout().toNanos();
      return idempotent && timeLeft && !(outcome instanceof TimedOut<T> && retriedBefore);
    }

    /** A replica not tried yet, else one that only timed out. */
    private ServiceView.Replica next() {
      Set<String> tried = new HashSet<>(unreachable);
      tried.addAll(timedOut);
      ServiceView.Replica fresh = choose(service, ready, tried);
      return fresh != null ? fresh : choose(service, ready, unreachable);
    }

    /** Whether another try could follow one on {@code replica}. */
    private boolean others(ServiceView.Replica replica) {
      return ready.stream().anyMatch(other -> !other.id().equals(replica.id()) && !unreachable.contains(other.id()));
    }
  }

  /**
   * One try, counted as outstanding on its replica while it runs; a time-out becomes an {@link
   * Attempt}, not a failure. A try that would be retried ({@code givenUpOnLoss}) ends as unreachable
   * as soon as its replica's node turns unreachable; its request is left to time out unanswered.
   */
  private <T> CompletionStage<Attempt<T>> attempt(String service, ServiceView.Replica replica, Duration timeout,
      boolean givenUpOnLoss, Send<T> send) {
    AtomicInteger busy = outstanding.computeIfAbsent(replica.id(), id -> new AtomicInteger());
    busy.incrementAndGet();
    long started = nanoTime.getAsLong();
    CompletionStage<Attempt<T>> sent;
    try {
      sent = send.to(replica, timeout);
    } catch (RuntimeException e) {
      sent = CompletableFuture.failedFuture(e);
    }
    if (givenUpOnLoss && replica.node() != null) {
      sent = orOnLoss(replica, sent);
    }
    return sent.handle((outcome, failure) -> {
      busy.decrementAndGet();
      long nanos = nanoTime.getAsLong() - started;
      Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
      if (cause instanceof TimeoutException) {
        listener.attempted(service, replica, TIMEOUT, nanos);
        listener.failed(service);
        return new TimedOut<T>(replica);
      } else if (cause != null) {
        throw cause instanceof RuntimeException runtime ? runtime : new CompletionException(cause);
      } else if (outcome instanceof Attempt.Answered<T> answered) {
        passedOver.remove(replica.id());
        listener.attempted(service, replica, answered.ok() ? OK : ERROR, nanos);
      } else {
        // The service's view may list it as ready a while longer: other calls go elsewhere meanwhile.
        passedOver.put(replica.id(), nanoTime.getAsLong() + settings.refreshInterval().toNanos());
        listener.attempted(service, replica, outcome instanceof Attempt.Unavailable<T> ? UNAVAILABLE : UNREACHABLE, nanos);
        listener.failed(service);
      }
      return outcome;
    });
  }

  private <T> CompletionStage<Attempt<T>> orOnLoss(ServiceView.Replica replica, CompletionStage<Attempt<T>> sent) {
    CompletableFuture<Attempt<T>> lost = new CompletableFuture<>();
    Runnable cancel = nodes.whenUnreachable(replica.node(),
        () -> lost.complete(new Attempt.Unreachable<>("its node " + replica.node() + " became unreachable")));
    return sent.applyToEither(lost, outcome -> outcome).whenComplete((outcome, failure) -> cancel.run());
  }

  /** A try that had no answer in time: like an unreachable replica, but answered 504 when it is the last. */
  private record TimedOut<T>(ServiceView.Replica replica) implements Attempt<T> {}

  /**
   * The least busy of {@code ready} but {@code excluded}, passing over replicas on unreachable nodes
   * and replicas that could not take a call a moment ago while another is left.
   */
  private ServiceView.Replica choose(String service, List<ServiceView.Replica> ready, Set<String> excluded) {
    long now = nanoTime.getAsLong();
    List<ServiceView.Replica> ties = leastBusy(ready, excluded, replica -> healthy(replica, now));
    if (ties.isEmpty()) {
      // Every other replica looks gone: try one anyway, the view and the failure detector may be behind.
      ties = leastBusy(ready, excluded, replica -> true);
    }
    if (ties.isEmpty()) {
      return null;
    }
    int turn = turns.computeIfAbsent(service, s -> new AtomicInteger()).getAndIncrement();
    return ties.get(Math.floorMod(turn, ties.size()));
  }

  private boolean healthy(ServiceView.Replica replica, long now) {
    if (replica.node() != null && !nodes.reachable(replica.node())) {
      return false;
    }
    Long until = passedOver.get(replica.id());
    return until == null || now - until >= 0;
  }

  private List<ServiceView.Replica> leastBusy(List<ServiceView.Replica> ready, Set<String> excluded,
      Predicate<ServiceView.Replica> eligible) {
    int fewest = Integer.MAX_VALUE;
    List<ServiceView.Replica> ties = new ArrayList<>();
    for (ServiceView.Replica replica : ready) {
      if (excluded.contains(replica.id()) || !eligible.test(replica)) {
        continue;
      }
      AtomicInteger busy = outstanding.get(replica.id());
      int count = busy == null ? 0 : busy.get();
      if (count < fewest) {
        fewest = count;
        ties.clear();
      }
      if (count == fewest) {
        ties.add(replica);
      }
    }
    return ties;
  }

  /** Forgets the counters of replicas a service no longer has (rolled or scaled away), unless calls to them still run. */
  void forget(java.util.Collection<String> replicaIds) {
    for (String id : replicaIds) {
      outstanding.computeIfPresent(id, (key, busy) -> busy.get() == 0 ? null : busy);
      passedOver.remove(id);
    }
  }

  private CallRefused noReadyReplica(String service) {
    return new CallRefused(Problem.of(Problem.Type.NO_READY_REPLICA, "service " + service
        + " has no ready replica at the moment; try again shortly"), settings.retryAfterSeconds());
  }

  private static CallRefused failure(String service, Attempt<?> last) {
    if (last instanceof TimedOut<?>) {
      return new CallRefused(Problem.of(Problem.Type.SERVICE_TIMEOUT, "service " + service + " did not answer in time"), 0);
    }
    String reason = last instanceof Attempt.Unreachable<?> unreachable ? unreachable.reason() : "no answer";
    return new CallRefused(Problem.of(Problem.Type.REPLICA_UNREACHABLE, "service " + service
        + ": its replica could not be reached (" + reason + ")"), 0);
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }
}
