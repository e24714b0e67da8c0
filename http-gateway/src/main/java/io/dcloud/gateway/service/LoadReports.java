package io.dcloud.gateway.service;

import io.dcloud.service.ServiceEntity;
import io.dcloud.service.ServiceView;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * This gateway's share of each autoscaled service's load, told to its entity at every {@link
 * #report}: the calls it had in progress on average since the last one ({@link
 * ServiceEntity.ReportLoad}). Only while there were some, and only for services this gateway's copy of
 * the view says autoscale: the entity counts a silent gateway as none.
 */
final class LoadReports {
  private final ReplicaBalancer balancer;
  private final Function<String, Optional<ServiceView>> cachedView;
  private final BiConsumer<String, ServiceEntity.Command> services;

  LoadReports(ReplicaBalancer balancer, Function<String, Optional<ServiceView>> cachedView,
      BiConsumer<String, ServiceEntity.Command> services) {
    this.balancer = balancer;
    this.cachedView = cachedView;
    this.services = services;
  }

  void report() {
    balancer.ongoing().forEach(this::report);
  }

  /** This gateway's report for {@code service} now, not at the next round (a call waits for its first replica). */
  void report(String service) {
    OngoingCalls calls = balancer.ongoing().get(service);
    if (calls != null) {
      report(service, calls);
    }
  }

  private void report(String service, OngoingCalls calls) {
    // Drained whatever happens, so each report covers the time since the one before.
    OngoingCalls.Average average = calls.drain();
    if (average.calls() > 0 && cachedView.apply(service).map(view -> view.autoscaling() != null).orElse(false)) {
      services.accept(service, new ServiceEntity.ReportLoad(average.calls(), Duration.ofNanos(average.nanos())));
    }
  }
}
