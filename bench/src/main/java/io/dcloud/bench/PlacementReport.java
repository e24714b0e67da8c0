package io.dcloud.bench;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The figures of one placement run, rendered for a person and as one {@code RESULT} line for scripts. */
public record PlacementReport(
    PlacementOptions options,
    Timeline timeline,
    CpuUse.Used cpu,
    HeapUse memory,
    List<String> violations) {

  private static final double NANOS_PER_MILLI = 1e6;
  private static final double NANOS_PER_SECOND = 1e9;
  private static final double KIB = 1024;

  public int running() {
    return timeline.runningCount.get();
  }

  public int placed() {
    return timeline.placedCount.get();
  }

  /** Placements per second from the first create sent to the last placement. */
  public double placementsPerSecond() {
    long span = timeline.last(timeline.placed) - timeline.first(timeline.sent);
    return span <= 0 ? 0 : placed() * NANOS_PER_SECOND / span;
  }

  /** The median of the per-second placement counts, leaving out the first and last (partial) seconds. */
  public int medianPlacementsPerFullSecond() {
    int[] perSecond = timeline.perSecond(timeline.placed, timeline.first(timeline.sent));
    if (perSecond.length <= 2) {
      return placed();
    }
    int[] full = Arrays.copyOfRange(perSecond, 1, perSecond.length - 1);
    Arrays.sort(full);
    return full[full.length / 2];
  }

  public String render() {
    long[] accepted = timeline.latenciesTo(timeline.accepted);
    long[] placedLatency = timeline.latenciesTo(timeline.placed);
    long[] runningLatency = timeline.latenciesTo(timeline.running);
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%nPlacement benchmark: %d hollow nodes, %d creates offered at %d/s%n",
        options.nodes(), options.creates(), options.rate()));
    out.append(String.format(Locale.ROOT, "  sent %d, accepted %d, placed %d, running %d, placed/started twice %d, failed %d%n",
        timeline.sentCount.get(), timeline.acceptedCount.get(), placed(), running(), timeline.repeated.get(), timeline.refused.get()));
    out.append(String.format(Locale.ROOT, "  placements/s: %.0f overall (first create to last placement), %d median of full seconds%n",
        placementsPerSecond(), medianPlacementsPerFullSecond()));
    out.append(latencyLine("request -> accepted", accepted));
    out.append(latencyLine("request -> PLACED  ", placedLatency));
    out.append(latencyLine("request -> RUNNING ", runningLatency));
    out.append(String.format(Locale.ROOT, "  CPU over %.1f s: DCloud JVM %.2f cores, Cassandra %.2f cores (of %d)%n",
        cpu.wallSeconds(), cpu.dcloudCores(), cpu.cassandraCores(), Runtime.getRuntime().availableProcessors()));
    if (memory != null) {
      double perLive = memory.liveEntities == 0 ? 0 : (memory.live - memory.passivated) / (double) memory.liveEntities;
      double perPassivated = (memory.passivated - memory.baseline) / (double) options.creates();
      out.append(String.format(Locale.ROOT,
          "  heap: baseline %.0f MiB, %d live entities %.0f MiB, all passivated %.0f MiB%n",
          memory.baseline / KIB / KIB, memory.liveEntities, memory.live / KIB / KIB, memory.passivated / KIB / KIB));
      out.append(String.format(Locale.ROOT,
          "  heap per live entity %.2f KiB (live - passivated); per passivated environment %.2f KiB (scheduler, node, sharding)%n",
          perLive / KIB, perPassivated / KIB));
      out.append(String.format(Locale.ROOT,
          "  read side (a gateway's environment directory): %.0f MiB for %d environments, %.2f KiB per environment%n",
          memory.readSide / KIB / KIB, memory.readSideEnvironments,
          memory.readSideEnvironments == 0 ? 0 : memory.readSide / (double) memory.readSideEnvironments / KIB));
    }
    violations.forEach(v -> out.append("  VIOLATION: ").append(v).append('\n'));
    out.append(String.format(Locale.ROOT,
        "RESULT nodes=%d creates=%d rate=%d placed=%d running=%d placements_per_s=%.0f placed_p50_ms=%.1f placed_p99_ms=%.1f "
            + "placed_max_ms=%.1f running_p50_ms=%.1f running_p99_ms=%.1f running_max_ms=%.1f violations=%d",
        options.nodes(), options.creates(), options.rate(), placed(), running(), placementsPerSecond(),
        millis(percentile(placedLatency, 50)), millis(percentile(placedLatency, 99)), millis(max(placedLatency)),
        millis(percentile(runningLatency, 50)), millis(percentile(runningLatency, 99)), millis(max(runningLatency)),
        violations.size()));
    return out.toString();
  }

  private static String latencyLine(String what, long[] sorted) {
    return String.format(Locale.ROOT, "  %s p50 %8.1f ms  p90 %8.1f ms  p99 %8.1f ms  max %8.1f ms  (n=%d)%n",
        what, millis(percentile(sorted, 50)), millis(percentile(sorted, 90)), millis(percentile(sorted, 99)),
        millis(max(sorted)), sorted.length);
  }

  static long percentile(long[] sorted, double p) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(p / 100 * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(rank, sorted.length - 1))];
  }

  private static long max(long[] sorted) {
    return sorted.length == 0 ? 0 : sorted[sorted.length - 1];
  }

  private static double millis(long nanos) {
    return nanos / NANOS_PER_MILLI;
  }
}
