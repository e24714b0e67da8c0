package io.dcloud.service;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One service's meters, on the node whose entity keeps it: its replica counts as gauges,
 * {@code dcloud.service.replicas.desired} and {@code dcloud.service.replicas.ready}, and, when it
 * autoscales, the load its autoscaling sees ({@code dcloud.service.autoscaling.load}) and how often it
 * scaled itself ({@code dcloud.service.autoscaling.scalings}, by {@code direction}), tagged with the
 * service. Removed when the entity stops (passivated, moved to another node, deleted), so a sum over
 * the cluster's nodes counts each service once.
 */
final class ServiceGauges {
  private final AtomicInteger desired = new AtomicInteger();
  private final AtomicInteger ready = new AtomicInteger();
  private final AtomicLong loadBits = new AtomicLong(Double.doubleToLongBits(0));
  private final Counter up;
  private final Counter down;
  private final List<Meter> meters;

  ServiceGauges(String service) {
    Tags tags = Tags.of("service", service);
    up = Counter.builder("dcloud.service.autoscaling.scalings").tags(tags.and("direction", "up"))
        .description("Times an autoscaled service added replicas").register(Metrics.globalRegistry);
    down = Counter.builder("dcloud.service.autoscaling.scalings").tags(tags.and("direction", "down"))
        .description("Times an autoscaled service removed replicas").register(Metrics.globalRegistry);
    meters = List.of(up, down,
        Gauge.builder("dcloud.service.autoscaling.load", loadBits, bits -> Double.longBitsToDouble(bits.get())).tags(tags)
            .description("The calls in progress an autoscaled service's autoscaling sees (all gateways, over its look-back)")
            .register(Metrics.globalRegistry),
        Gauge.builder("dcloud.service.replicas.desired", desired, AtomicInteger::get).tags(tags)
            .description("The replicas a service asks for").register(Metrics.globalRegistry),
        Gauge.builder("dcloud.service.replicas.ready", ready, AtomicInteger::get).tags(tags)
            .description("A service's replicas that are RUNNING and answer their readiness path").register(Metrics.globalRegistry));
  }

  void set(int desiredReplicas, int readyReplicas) {
    desired.set(desiredReplicas);
    ready.set(readyReplicas);
  }

  void load(double ongoingRequests) {
    loadBits.set(Double.doubleToLongBits(ongoingRequests));
  }

  void scaled(boolean upwards) {
    (upwards ? up : down).increment();
  }

  void remove() {
    meters.forEach(Metrics.globalRegistry::remove);
  }
}
