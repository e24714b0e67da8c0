package io.dcloud.service;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Locale;
import java.util.OptionalInt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One service's autoscaling decisions, in its entity's memory: the load the gateways report and
 * since when it has asked for another replica count. Nothing here is persisted: after a restart
 * the load is gathered afresh and the delays start over, so a restart only postpones a decision.
 *
 * <p>Each gateway reports, every few seconds, the calls it had in progress for the service on
 * average over the time since its last report (only when there were some). The load is the sum of
 * those reports over the look-back window divided by its length: a time-weighted average of the
 * calls in progress at all gateways together, with a silent gateway counting as none. Until the
 * entity has gathered a whole window, the time it has gathered is the window, and it scales up
 * only: a load seen over a shorter time can be a lull, never more than was asked. A service scaled to
 * zero (its least is 0) gets its first replicas as soon as any load is reported: a caller waits for them.
 */
final class Autoscaler {
  private static final Logger log = LoggerFactory.getLogger(Autoscaler.class);
  /** Who the journal and the log say scaled a service its autoscaling scaled. */
  static final String ACTOR = "autoscaler";

  private final String service;
  private final ServiceGauges gauges;
  private final Duration lookBack;
  private final Instant since;
  /** The reports within the window, oldest first. */
  private final Deque<Report> reports = new ArrayDeque<>();
  private Instant upSince;
  private Instant downSince;
  private ServiceView.Load status;

  private record Report(Instant at, double callSeconds) {}

  Autoscaler(String service, Duration lookBack, Instant since, ServiceGauges gauges) {
    this.service = service;
    this.gauges = gauges;
    this.lookBack = lookBack;
    this.since = since;
  }

  /** A gateway had {@code ongoingRequests} calls in progress on average {@code over} the time before {@code at}. */
  void report(double ongoingRequests, Duration over, Instant at) {
    if (ongoingRequests > 0 && !over.isNegative()) {
      reports.addLast(new Report(at, ongoingRequests * seconds(over)));
    }
  }

  /** The Scaled event the load asks for now, if it has asked long enough; none when the service does not autoscale. */
  List<ServiceEntity.Event> scaling(ServiceState state, Instant now) {
    ServiceDefinition.Autoscaling autoscaling = state.definition().autoscaling();
    if (autoscaling == null || state.deleting()) {
      return List.of();
    }
    OptionalInt decided = decide(autoscaling, state.desired(), now);
    gauges.load(status.ongoingRequests());
    if (decided.isEmpty()) {
      return List.of();
    }
    int replicas = decided.getAsInt();
    log.info("Service {} autoscaled from {} to {} replicas: {} calls in progress, {} per replica wanted", service,
        state.desired(), replicas, String.format(Locale.ROOT, "%.2f", status.ongoingRequests()),
        autoscaling.targetOngoingRequests());
    gauges.scaled(replicas > state.desired());
    return List.of(new ServiceEntity.Scaled(replicas, ACTOR, now));
  }

  /**
   * The replica count to scale to now, if the load has asked for it long enough: {@code current} is
   * the count the service asks for now.
   */
  OptionalInt decide(ServiceDefinition.Autoscaling autoscaling, int current, Instant now) {
    Instant windowStart = now.minus(lookBack);
    while (!reports.isEmpty() && reports.peekFirst().at().isBefore(windowStart)) {
      reports.removeFirst();
    }
    double window = seconds(Duration.between(since.isAfter(windowStart) ? since : windowStart, now));
    double callSeconds = reports.stream().mapToDouble(Report::callSeconds).sum();
    double load = window <= 0 ? 0 : callSeconds / window;
    int wanted = autoscaling.wanted(load);
    OptionalInt decided = decision(autoscaling, current, wanted, now);
    status = new ServiceView.Load(load, wanted, decided.isPresent() ? null : pendingUntil(autoscaling));
    return decided;
  }

  private OptionalInt decision(ServiceDefinition.Autoscaling autoscaling, int current, int wanted, Instant now) {
    if (wanted > current && current == 0) {
      // Scaled to zero, a call is waiting for the first replica: no delay makes a burst of it.
      upSince = null;
      downSince = null;
      return OptionalInt.of(wanted);
    } else if (wanted > current) {
      downSince = null;
      upSince = upSince == null ? now : upSince;
      return due(upSince, autoscaling.upscaleDelay(), now, wanted);
    } else if (wanted < current && !since.plus(lookBack).isAfter(now)) {
      upSince = null;
      downSince = downSince == null ? now : downSince;
      return due(downSince, autoscaling.downscaleDelay(), now, wanted);
    }
    upSince = null;
    downSince = null;
    return OptionalInt.empty();
  }

  /** When the change the load asks for is due, if it keeps asking; null when it asks for none. */
  private Instant pendingUntil(ServiceDefinition.Autoscaling autoscaling) {
    if (upSince != null) {
      return upSince.plus(autoscaling.upscaleDelay());
    }
    return downSince == null ? null : downSince.plus(autoscaling.downscaleDelay());
  }

  private OptionalInt due(Instant asked, Duration delay, Instant now, int wanted) {
    if (Duration.between(asked, now).compareTo(delay) < 0) {
      return OptionalInt.empty();
    }
    upSince = null;
    downSince = null;
    return OptionalInt.of(wanted);
  }

  /** What the load asked for at the last decision; null before the first. */
  ServiceView.Load status() {
    return status;
  }

  private static double seconds(Duration duration) {
    return duration.toNanos() / 1e9;
  }
}
