package io.dcloud.service;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One service's replica counts as gauges, on the node whose entity keeps it:
 * {@code dcloud.service.replicas.desired} and {@code dcloud.service.replicas.ready}, tagged with the
 * service. Removed when the entity stops (passivated, moved to another node, deleted), so a sum over
 * the cluster's nodes counts each service once.
 */
final class ServiceGauges {
  private final AtomicInteger desired = new AtomicInteger();
  private final AtomicInteger ready = new AtomicInteger();
  private final List<Meter> meters;

  ServiceGauges(String service) {
    Tags tags = Tags.of("service", service);
    meters = List.of(
        Gauge.builder("dcloud.service.replicas.desired", desired, AtomicInteger::get).tags(tags)
            .description("The replicas a service asks for").register(Metrics.globalRegistry),
        Gauge.builder("dcloud.service.replicas.ready", ready, AtomicInteger::get).tags(tags)
            .description("A service's replicas that are RUNNING and answer their readiness path").register(Metrics.globalRegistry));
  }

  void set(int desiredReplicas, int readyReplicas) {
    desired.set(desiredReplicas);
    ready.set(readyReplicas);
  }

  void remove() {
    meters.forEach(Metrics.globalRegistry::remove);
  }
}
