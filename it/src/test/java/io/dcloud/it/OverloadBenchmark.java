package io.dcloud.it;

import static io.dcloud.it.Envs.create;
import static io.dcloud.it.Envs.tinySpec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A benchmark, not a CI test: {@code ./dcloud bench overload} runs it. Three real {@code dcloud node}
 * processes, each with hollow workers, take creates through their gateways at a fixed rate above
 * what the cluster sustains (an open loop: a request is sent at its time whatever the answers do;
 * once every environment shard is allocated, so that it measures a formed cluster, not its first
 * allocations),
 * while a {@link ReadProbe} reads an environment every 20 ms, in turn one of several (so that the
 * figures do not depend on which node one environment's entity happens to live on: a read from
 * its own node's gateway is faster). A gateway must refuse what it cannot
 * take with 429 and a Retry-After, early enough that no member is marked unreachable and reads are
 * still answered. It fails (after its RESULT line) on a failed read, an unreachable mark, a 429
 * without Retry-After, or any answer other than 202 and 429. It also counts the environments that
 * exist although their create was not answered 202 ({@code created_unanswered}: a 503 or no answer
 * whose create had reached its entity in time, which its caller learns by retrying with the same
 * Idempotency-Key) and any created although refused with 429 ({@code created_refused}, a failure).
 */
class OverloadBenchmark {
  private static final int RATE = Integer.getInteger("dcloud.bench.overload.rate", 100);
  private static final Duration OFFERED_FOR = Duration.ofSeconds(Integer.getInteger("dcloud.bench.overload.seconds", 60));
  private static final int HOLLOW_EACH = Integer.getInteger("dcloud.bench.overload.hollow-nodes", 100);
  private static final int READ_ENVIRONMENTS = Integer.getInteger("dcloud.bench.overload.read-environments", 6);
  /**
   * Requests the load generator keeps unanswered at most (each on a connection of its own); beyond,
   * a slot is counted as not sent. Below Pekko HTTP's 1,024 connections per gateway, so that what
   * the figures show is DCloud's answer, not the HTTP server turning connections away.
   */
  private static final int MAX_OUTSTANDING = 1024;
  private static final Duration ANSWERS_WITHIN = Duration.ofSeconds(60);
  private static final String NAME_PREFIX = "overload-create-";

  @Test
  void beyondCapacityCreatesGet429AndTheClusterStaysWhole() throws Exception {
    try (ClusterHarness cluster = ClusterHarness.startHollow(3, HOLLOW_EACH)) {
      List<Node> gateways = cluster.nodes();
      // Off (-Ddcloud.environment.shard-warm-up.enabled=off in JDK_JAVA_OPTIONS, which the nodes'
      // JVMs read too) it measures a new cluster's first allocations, where creates time out (503).
      if (!"off".equals(System.getProperty("dcloud.environment.shard-warm-up.enabled"))) {
        cluster.awaitShardsWarm(Duration.ofMinutes(2));
      }
      List<String> readPaths = new ArrayList<>();
      for (int i = 0; i < READ_ENVIRONMENTS; i++) {
        readPaths.add("/api/v1/environments/" + create(gateways.get(0), tinySpec("overload-read-" + i, "0.1", "")));
      }
      for (String path : readPaths) {
        Envs.awaitStatus(gateways.get(0), path.substring(path.lastIndexOf('/') + 1), "RUNNING", Duration.ofSeconds(60));
      }
      List<Long> logEnds = MembershipMarks.logEnds(gateways);
      Outcomes outcomes = new Outcomes(Math.toIntExact(RATE * OFFERED_FOR.toSeconds()));
      ExecutorService answers = Executors.newFixedThreadPool(4);
      HttpClient http = HttpClient.newBuilder().executor(answers).connectTimeout(Duration.ofSeconds(5)).build();
      ReadProbe.Figures reads;
      long tookNanos;
      try (ReadProbe probe = ReadProbe.start(gateways.get(1).api, readPaths, 20)) {
        tookNanos = offer(http, gateways, outcomes);
        reads = probe.stop();
      } finally {
        answers.shutdown();
      }
      MembershipMarks marks = MembershipMarks.since(gateways, logEnds);
      Created created = created(gateways.get(0), outcomes);
      double seconds = tookNanos / 1e9;
      long[] accepted = outcomes.acceptedNanos();
      System.out.printf(Locale.ROOT,
          "RESULT overload offered_rps=%d seconds=%.1f hollow_nodes=%d accepted=%d accepted_rps=%.0f accepted_p50_ms=%.1f accepted_p99_ms=%.1f"
              + " refused_429=%d refused_429_without_retry_after=%d other_statuses=%s errors=%d not_sent=%d"
              + " read_environments=%d reads=%d failed_reads=%d median_read_ms=%.1f p90_read_ms=%.1f p99_read_ms=%.1f slowest_read_ms=%d longest_read_gap_ms=%d unreachable_marks=%d downings=%d"
              + " created_unanswered=%d created_refused=%d%n",
          RATE, seconds, 3 * HOLLOW_EACH, accepted.length, accepted.length / seconds, ReadProbe.percentileMs(accepted, 0.50),
          ReadProbe.percentileMs(accepted, 0.99), outcomes.refused.sum(), outcomes.refusedWithoutRetryAfter.sum(), outcomes.other,
          outcomes.errors.sum(), outcomes.notSent.sum(), READ_ENVIRONMENTS, reads.answered() + reads.failed(), reads.failed(), reads.medianMs(), reads.p90Ms(), reads.p99Ms(),
          reads.slowestMs(),
          reads.longestGapMs(), marks.unreachable(), marks.downings(), created.unanswered(), created.refused());
      if (!outcomes.firstErrors.isEmpty()) {
        System.out.println("OVERLOAD first errors: " + outcomes.firstErrors);
      }
      assertThat(reads.failed()).as("failed reads, e.g. %s", reads.firstFailures()).isZero();
      assertThat(marks.unreachable()).as("members marked unreachable").isZero();
      assertThat(marks.downings()).as("downing decisions").isZero();
      assertThat(outcomes.refusedWithoutRetryAfter.sum()).as("429s without Retry-After").isZero();
      assertThat(outcomes.other).as("answers other than 202 and 429").isEmpty();
      assertThat(outcomes.errors.sum()).as("requests without an answer, e.g. %s", outcomes.firstErrors).isZero();
      assertThat(created.refused()).as("environments created although refused with 429").isZero();
    }
  }

  /** Environments of the run that exist although their create was not answered 202. */
  private record Created(int unanswered, int refused) {}

  /**
   * Once every accepted create is listed (a create answered 202 is in the read side within
   * seconds), counts the listed ones whose create was answered otherwise.
   */
  private static Created created(Node via, Outcomes outcomes) {
    int accepted = outcomes.acceptedNanos().length;
    int[] statuses = new int[outcomes.statusByIndex.length()];
    await().atMost(ANSWERS_WITHIN).pollInterval(Duration.ofSeconds(1)).until(() -> {
      Arrays.fill(statuses, 0);
      int acceptedListed = 0;
      for (JsonNode environment : via.api.get("/api/v1/environments").json().path("environments")) {
        String name = environment.path("name").asText();
        if (name.startsWith(NAME_PREFIX)) {
          int index = Integer.parseInt(name.substring(NAME_PREFIX.length()));
          statuses[index] = outcomes.statusByIndex.get(index) == 0 ? -1 : outcomes.statusByIndex.get(index);
          acceptedListed += statuses[index] == 202 ? 1 : 0;
        }
      }
      return acceptedListed == accepted;
    });
    int unanswered = 0;
    int refused = 0;
    for (int status : statuses) {
      if (status == 429) {
        refused++;
      } else if (status != 0 && status != 202) {
        unanswered++;
      }
    }
    return new Created(unanswered, refused);
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
          .POST(HttpRequest.BodyPublishers.ofString(tinySpec(NAME_PREFIX + i, "0.1", "")))
          .build();
      long sent = System.nanoTime();
      int index = (int) i;
      http.sendAsync(request, HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
        outstanding.release();
        outcomes.record(index, response, failure, System.nanoTime() - sent);
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
    /** Each create's HTTP status by its index; 0 while (or if never) answered. */
    final AtomicIntegerArray statusByIndex;
    private final List<Long> accepted = new ArrayList<>();

    Outcomes(int creates) {
      statusByIndex = new AtomicIntegerArray(creates);
    }

    void record(int index, HttpResponse<Void> response, Throwable failure, long nanos) {
      if (response != null) {
        statusByIndex.set(index, response.statusCode());
      }
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
}
