package io.dcloud.it;

import static io.dcloud.it.Envs.create;
import static io.dcloud.it.Envs.tinySpec;
import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.it.ClusterHarness.Node;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A benchmark, not a CI test: {@code ./dcloud bench overload} runs it. Three real {@code dcloud node}
 * processes, each with hollow workers, take creates through their gateways at a fixed rate above
 * what the cluster sustains (an open loop: a request is sent at its time whatever the answers do;
 * once every environment shard is allocated, so that it measures a formed cluster, not its first
 * allocations),
 * while a {@link ReadProbe} reads an environment every 20 ms. A gateway must refuse what it cannot
 * take with 429 and a Retry-After, early enough that no member is marked unreachable and reads are
 * still answered. It fails (after its RESULT line) on a failed read, an unreachable mark, a 429
 * without Retry-After, or any answer other than 202 and 429.
 */
class OverloadBenchmark {
  private static final int RATE = Integer.getInteger("dcloud.bench.overload.rate", 100);
  private static final Duration OFFERED_FOR = Duration.ofSeconds(Integer.getInteger("dcloud.bench.overload.seconds", 60));
  private static final int HOLLOW_EACH = Integer.getInteger("dcloud.bench.overload.hollow-nodes", 100);
  /**
   * Requests the load generator keeps unanswered at most (each on a connection of its own); beyond,
   * a slot is counted as not sent. Below Pekko HTTP's 1,024 connections per gateway, so that what
   * the figures show is DCloud's answer, not the HTTP server turning connections away.
   */
  private static final int MAX_OUTSTANDING = 1024;
  private static final Duration ANSWERS_WITHIN = Duration.ofSeconds(60);

  @Test
  void beyondCapacityCreatesGet429AndTheClusterStaysWhole() throws Exception {
    try (ClusterHarness cluster = ClusterHarness.startHollow(3, HOLLOW_EACH)) {
      List<Node> gateways = cluster.nodes();
      cluster.awaitShardsWarm(Duration.ofMinutes(2));
      String readId = create(gateways.get(0), tinySpec("overload-read", "0.1", ""));
      Envs.awaitStatus(gateways.get(0), readId, "RUNNING", Duration.ofSeconds(60));
      List<Long> logEnds = MembershipMarks.logEnds(gateways);
      Outcomes outcomes = new Outcomes();
      ExecutorService answers = Executors.newFixedThreadPool(4);
      HttpClient http = HttpClient.newBuilder().executor(answers).connectTimeout(Duration.ofSeconds(5)).build();
      ReadProbe.Figures reads;
      long tookNanos;
      try (ReadProbe probe = ReadProbe.start(gateways.get(1).api, "/api/v1/environments/" + readId, 20)) {
        tookNanos = offer(http, gateways, outcomes);
        reads = probe.stop();
      } finally {
        answers.shutdown();
      }
      MembershipMarks marks = MembershipMarks.since(gateways, logEnds);
      double seconds = tookNanos / 1e9;
      long[] accepted = outcomes.acceptedNanos();
      System.out.printf(Locale.ROOT,
          "RESULT overload offered_rps=%d seconds=%.1f hollow_nodes=%d accepted=%d accepted_rps=%.0f accepted_p50_ms=%.1f accepted_p99_ms=%.1f"
              + " refused_429=%d refused_429_without_retry_after=%d other_statuses=%s errors=%d not_sent=%d"
              + " reads=%d failed_reads=%d slowest_read_ms=%d longest_read_gap_ms=%d unreachable_marks=%d downings=%d%n",
          RATE, seconds, 3 * HOLLOW_EACH, accepted.length, accepted.length / seconds, percentileMs(accepted, 0.50),
          percentileMs(accepted, 0.99), outcomes.refused.sum(), outcomes.refusedWithoutRetryAfter.sum(), outcomes.other,
          outcomes.errors.sum(), outcomes.notSent.sum(), reads.answered() + reads.failed(), reads.failed(), reads.slowestMs(),
          reads.longestGapMs(), marks.unreachable(), marks.downings());
      if (!outcomes.firstErrors.isEmpty()) {
        System.out.println("OVERLOAD first errors: " + outcomes.firstErrors);
      }
      assertThat(reads.failed()).as("failed reads, e.g. %s", reads.firstFailures()).isZero();
      assertThat(marks.unreachable()).as("members marked unreachable").isZero();
      assertThat(marks.downings()).as("downing decisions").isZero();
      assertThat(outcomes.refusedWithoutRetryAfter.sum()).as("429s without Retry-After").isZero();
      assertThat(outcomes.other).as("answers other than 202 and 429").isEmpty();
      assertThat(outcomes.errors.sum()).as("requests without an answer, e.g. %s", outcomes.firstErrors).isZero();
    }
  }

  /** Sends RATE creates a second for OFFERED_FOR, round-robin over the gateways; returns once all are answered. */
  private static long offer(HttpClient http, List<Node> gateways, Outcomes outcomes) throws InterruptedException {
    Semaphore outstanding = new Semaphore(MAX_OUTSTANDING);
    long total = RATE * OFFERED_FOR.toSeconds();
    long intervalNanos = TimeUnit.SECONDS.toNanos(1) / RATE;
    long start = System.nanoTime();
    for (long i = 0; i < total; i++) {
      long due = start + i * intervalNanos;
      // The generator's schedule (an open loop at a fixed rate), not synchronisation.
      for (long wait = due - System.nanoTime(); wait > 0; wait = due - System.nanoTime()) {
        LockSupport.parkNanos(wait);
      }
      if (!outstanding.tryAcquire()) {
        outcomes.notSent.increment();
        continue;
      }
      Node via = gateways.get((int) (i % gateways.size()));
      HttpRequest request = via.api.request("/api/v1/environments")
          .header("content-type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(tinySpec("overload-" + i, "0.1", "")))
          .build();
      long sent = System.nanoTime();
      http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
        outstanding.release();
        outcomes.record(response, failure, System.nanoTime() - sent);
      });
    }
    long took = System.nanoTime() - start;
    if (!outstanding.tryAcquire(MAX_OUTSTANDING, ANSWERS_WITHIN.toSeconds(), TimeUnit.SECONDS)) {
      outcomes.errors.add(MAX_OUTSTANDING - outstanding.availablePermits());
    }
    return took;
  }

  /** What the gateways answered, counted from the HTTP client's threads. */
  private static final class Outcomes {
    final LongAdder refused = new LongAdder();
    final LongAdder refusedWithoutRetryAfter = new LongAdder();
    final LongAdder errors = new LongAdder();
    final LongAdder notSent = new LongAdder();
    final Map<Integer, AtomicInteger> other = new ConcurrentHashMap<>();
    final List<String> firstErrors = new ArrayList<>();
    private final List<Long> accepted = new ArrayList<>();

    void record(HttpResponse<Void> response, Throwable failure, long nanos) {
      if (failure != null) {
        errors.increment();
        synchronized (firstErrors) {
          if (firstErrors.size() < 5) {
            firstErrors.add(failure.toString());
          }
        }
      } else if (response.statusCode() == 202) {
        synchronized (accepted) {
          accepted.add(nanos);
        }
      } else if (response.statusCode() == 429) {
        refused.increment();
        if (response.headers().firstValue("retry-after").isEmpty()) {
          refusedWithoutRetryAfter.increment();
        }
      } else {
        other.computeIfAbsent(response.statusCode(), status -> new AtomicInteger()).incrementAndGet();
      }
    }

    long[] acceptedNanos() {
      synchronized (accepted) {
        return accepted.stream().mapToLong(Long::longValue).sorted().toArray();
      }
    }
  }

  private static double percentileMs(long[] sortedNanos, double quantile) {
    if (sortedNanos.length == 0) {
      return 0;
    }
    int index = (int) Math.min(sortedNanos.length - 1, Math.ceil(quantile * sortedNanos.length) - 1);
    return sortedNanos[Math.max(0, index)] / 1e6;
  }
}
