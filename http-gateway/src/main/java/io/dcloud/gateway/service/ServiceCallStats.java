package io.dcloud.gateway.service;

import io.dcloud.service.ServiceView;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * What this gateway measured of each service (seed 004 C1/C2): the calls it answered, their rate over
 * the last 10 s and their latency (an HdrHistogram: exact percentiles to 3 significant digits without
 * keeping each sample), in all and per replica. A service's figures are its callers' (a batched
 * predict counts once per caller, its wait included); a replica's are the requests it got (a batch
 * counts once). The same go to Micrometer: {@value #ATTEMPTS} by service, replica and outcome, and
 * {@value #CALLS} by service and outcome.
 */
final class ServiceCallStats {
  static final String ATTEMPTS = "dcloud.service.requests";
  static final String CALLS = "dcloud.service.calls";
  static final int RATE_WINDOW_SECONDS = 10;

  private final MeterRegistry registry;
  private final LongSupplier millis;
  private final Map<String, Figures> services = new ConcurrentHashMap<>();
  private final Map<String, Map<String, Figures>> replicas = new ConcurrentHashMap<>();

  /** {@code millis}: the wall clock for the rate's window. */
  ServiceCallStats(MeterRegistry registry, LongSupplier millis) {
    this.registry = registry;
    this.millis = millis;
  }

  /** One try of the balancer's on a replica. */
  void attempted(String service, ServiceView.Replica replica, String outcome, long nanos) {
    Timer.builder(ATTEMPTS)
        .description("Requests the gateway sent to a service's replicas, by outcome (ok, error, unavailable, unreachable, timeout)")
        .tags("service", service, "replica", replica.id(), "outcome", outcome)
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
    if (ReplicaBalancer.OK.equals(outcome) || ReplicaBalancer.ERROR.equals(outcome)) {
      replicas.computeIfAbsent(service, s -> new ConcurrentHashMap<>())
          .computeIfAbsent(replica.id(), id -> new Figures(replica.node()))
          .record(nanos, millis.getAsLong());
    }
  }

  /** One call of {@code service} answered to its caller ({@code outcome}: ok, error, or the gateway's problem's slug). */
  void called(String service, String outcome, long nanos) {
    Timer.builder(CALLS)
        .description("Calls of a service answered by the gateway, their wait for a batch and retries included")
        .tags("service", service, "outcome", outcome)
        .publishPercentileHistogram()
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
    // The gateway's own refusals (429, 503, 504) are in the meter only: the figures are of calls the service answered.
    if (ReplicaBalancer.OK.equals(outcome) || ReplicaBalancer.ERROR.equals(outcome)) {
      services.computeIfAbsent(service, s -> new Figures(null)).record(nanos, millis.getAsLong());
    }
  }

  /** {@code GET /services/{name}/stats}: the view's replicas (each, measured or not) and any measured since gone. */
  StatsBody of(ServiceView view) {
    long now = millis.getAsLong();
    Figures all = services.get(view.name());
    Map<String, Figures> measured = replicas.getOrDefault(view.name(), Map.of());
    List<ReplicaStats> rows = new ArrayList<>();
    for (ServiceView.Replica replica : view.replicas()) {
      Figures figures = measured.get(replica.id());
      rows.add(figures == null ? ReplicaStats.none(replica.id(), replica.node())
          : figures.replica(replica.id(), replica.node(), now));
    }
    measured.forEach((id, figures) -> {
      if (view.replicas().stream().noneMatch(replica -> replica.id().equals(id))) {
        rows.add(figures.replica(id, figures.node, now));
      }
    });
    rows.sort(Comparator.comparing(ReplicaStats::id));
    return all == null
        ? new StatsBody(0, 0.0, Latency.NONE, rows)
        : new StatsBody(all.count(), all.rate(now), all.latency(), rows);
  }

  /** The answer of the stats route. */
  record StatsBody(long count, double rate10s, Latency latencyMs, List<ReplicaStats> replicas) {}

  record ReplicaStats(String id, String node, long count, double rate10s, Latency latencyMs) {
    static ReplicaStats none(String id, String node) {
      return new ReplicaStats(id, node, 0, 0.0, Latency.NONE);
    }
  }

  /** Milliseconds; all 0 before the first call. */
  record Latency(double avg, double stddev, double p50, double p90, double p95, double p99) {
    static final Latency NONE = new Latency(0, 0, 0, 0, 0, 0);
  }

  /** One service's or replica's figures: a histogram of microseconds and a ring of per-second counts. */
  private static final class Figures {
    private static final double MICROS_PER_MILLI = 1000.0;
    final String node;
    private final Histogram latency = new ConcurrentHistogram(3);
    private final long[] seconds = new long[RATE_WINDOW_SECONDS];
    private final long[] counts = new long[RATE_WINDOW_SECONDS];
    // Kept beside the histogram: its own mean and deviation walk every bucket (about 2 ms a figure once
    // a slow call has widened it), and each GET of the stats asked them of every replica.
    private long recorded;
    private double sumMicros;
    private double sumSquaredMicros;

    Figures(String node) {
      this.node = node;
    }

    void record(long nanos, long nowMillis) {
      long micros = Math.max(0, TimeUnit.NANOSECONDS.toMicros(nanos));
      latency.recordValue(micros);
      long second = nowMillis / 1000;
      int slot = (int) Math.floorMod(second, (long) RATE_WINDOW_SECONDS);
      synchronized (this) {
        recorded++;
        sumMicros += micros;
        sumSquaredMicros += (double) micros * micros;
        if (seconds[slot] != second) {
          seconds[slot] = second;
          counts[slot] = 0;
        }
        counts[slot]++;
      }
    }

    long count() {
      return latency.getTotalCount();
    }

    /** Calls per second over the last {@value #RATE_WINDOW_SECONDS} seconds, this one included. */
    synchronized double rate(long nowMillis) {
      long second = nowMillis / 1000;
      long sum = 0;
      for (int i = 0; i < RATE_WINDOW_SECONDS; i++) {
        if (second - seconds[i] < RATE_WINDOW_SECONDS && seconds[i] <= second) {
          sum += counts[i];
        }
      }
      return (double) sum / RATE_WINDOW_SECONDS;
    }

    /**
     * The percentiles are read from the live histogram: a copy (a quarter of a megabyte once wide) would
     * be no more consistent, since a ConcurrentHistogram's copy does not stop recording either.
     */
    Latency latency() {
      long n;
      double sum;
      double sumSquared;
      synchronized (this) {
        n = recorded;
        sum = sumMicros;
        sumSquared = sumSquaredMicros;
      }
      if (n == 0) {
        return Latency.NONE;
      }
      double mean = sum / n;
      double deviation = Math.sqrt(Math.max(0, sumSquared / n - mean * mean));
      return new Latency(mean / MICROS_PER_MILLI, deviation / MICROS_PER_MILLI,
          ms(latency, 50), ms(latency, 90), ms(latency, 95), ms(latency, 99));
    }

    ReplicaStats replica(String id, String node, long nowMillis) {
      return new ReplicaStats(id, node, count(), rate(nowMillis), latency());
    }

    private static double ms(Histogram histogram, double percentile) {
      return histogram.getValueAtPercentile(percentile) / MICROS_PER_MILLI;
    }
  }
}
