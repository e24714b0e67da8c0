package io.dcloud.it;

import static org.awaitility.Awaitility.await;

import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An open-loop caller for a benchmark: sends {@code GET path} through one node's gateway at a fixed
 * rate, each call on its own (a slow call never delays the next one, as a real client's would not),
 * and keeps every call's send time, latency and outcome. A call fails on a non-2xx answer or an
 * exception (connection refused, or no answer within {@link #CALL_TIMEOUT}).
 */
final class ServiceCaller implements AutoCloseable {
  /** Beyond the gateway's own dcloud.services.routing.request-timeout (15s), so the gateway's 504 shows. */
  private static final Duration CALL_TIMEOUT = Duration.ofSeconds(30);
  private static final int FAILURES_SHOWN = 10;
  private static final int BODY_SHOWN = 600;

  /** One call: when it was sent, how long until its answer (or error), its status (0: none) and what went wrong. */
  record Call(Instant sentAt, long millis, int status, String error) {
    boolean failed() {
      return error != null || status < 200 || status > 299;
    }

    String describe() {
      return String.format(Locale.ROOT, "sent %s, %d ms, %s", sentAt, millis,
          error != null ? error : "status " + status);
    }
  }

  /**
   * The calls sent in a window: how many, how many failed (the first few described, and when the
   * first and last failed one was sent), the slowest.
   */
  /** {@code slow}: calls answered after more than {@link #SLOW_MILLIS} (a try that waited on a dead replica). */
  record Summary(int calls, int failed, int slow, long maxMillis, List<String> failures) {}

  static final long SLOW_MILLIS = 1_000;

  private record InFlight(Instant sentAt, CompletableFuture<Call> call) {}

  private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
  private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread thread = new Thread(r, "service-caller");
    thread.setDaemon(true);
    return thread;
  });
  private final ConcurrentLinkedQueue<InFlight> calls = new ConcurrentLinkedQueue<>();
  private final AtomicInteger succeeded = new AtomicInteger();
  private final Api api;
  private final String path;

  private ServiceCaller(Api api, String path) {
    this.api = api;
    this.path = path;
  }

  static ServiceCaller start(Api api, String path, int callsPerSecond) {
    ServiceCaller caller = new ServiceCaller(api, path);
    caller.ticker.scheduleAtFixedRate(caller::send, 0, 1_000_000_000L / callsPerSecond, TimeUnit.NANOSECONDS);
    return caller;
  }

  private void send() {
    Instant sentAt = Instant.now();
    long started = System.nanoTime();
    CompletableFuture<Call> call;
    try {
      call = client.sendAsync(api.request(path).timeout(CALL_TIMEOUT).GET().build(), HttpResponse.BodyHandlers.ofString())
          .handle((response, error) -> {
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            if (error != null) {
              return new Call(sentAt, millis, 0, error.toString());
            }
            String body = response.body();
            boolean ok = response.statusCode() >= 200 && response.statusCode() <= 299;
            if (ok) {
              succeeded.incrementAndGet();
            }
            return new Call(sentAt, millis, response.statusCode(),
                ok ? null : "status " + response.statusCode() + " " + body.substring(0, Math.min(BODY_SHOWN, body.length())));
          });
    } catch (RuntimeException e) {
      // Signing in failed (the gateway did not answer): that call failed too.
      call = CompletableFuture.completedFuture(new Call(sentAt, 0, 0, e.toString()));
    }
    calls.add(new InFlight(sentAt, call));
  }

  /** Polls until {@code count} calls have succeeded (the gateway's view of the service is warm). */
  void awaitSucceeded(int count, Duration within) {
    await("%d successful calls of %s".formatted(count, path)).atMost(within).pollInterval(Duration.ofMillis(100))
        .until(() -> succeeded.get() >= count);
  }

  /** The calls sent in [from, to), each waited for until answered (or timed out). */
  Summary between(Instant from, Instant to) {
    List<Call> window = calls.stream()
        .filter(c -> !c.sentAt().isBefore(from) && c.sentAt().isBefore(to))
        .map(c -> c.call().join()).toList();
    List<Call> failed = window.stream().filter(Call::failed).toList();
    List<String> shown = new ArrayList<>(failed.stream().limit(FAILURES_SHOWN).map(Call::describe).toList());
    if (failed.size() > FAILURES_SHOWN) {
      shown.add("... the last: " + failed.get(failed.size() - 1).describe());
    }
    int slow = (int) window.stream().filter(c -> c.millis() > SLOW_MILLIS).count();
    return new Summary(window.size(), failed.size(), slow, window.stream().mapToLong(Call::millis).max().orElse(0), shown);
  }

  @Override
  public void close() {
    ticker.shutdownNow();
  }
}
