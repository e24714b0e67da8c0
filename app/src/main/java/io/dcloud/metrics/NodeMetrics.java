package io.dcloud.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;

/**
 * This process's metrics in Prometheus' text format: what cluster-core and the gateway count into
 * Micrometer's global registry (this registry joins it), the node's gauges, and the JVM's basics.
 */
public final class NodeMetrics implements AutoCloseable {
  private final PrometheusMeterRegistry registry;
  private final JvmGcMetrics gc;

  private NodeMetrics(PrometheusMeterRegistry registry, JvmGcMetrics gc) {
    this.registry = registry;
    this.gc = gc;
  }

  public static NodeMetrics start() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    new ClassLoaderMetrics().bindTo(registry);
    new JvmMemoryMetrics().bindTo(registry);
    new JvmThreadMetrics().bindTo(registry);
    new ProcessorMetrics().bindTo(registry);
    new UptimeMetrics().bindTo(registry);
    JvmGcMetrics gc = new JvmGcMetrics();
    gc.bindTo(registry);
    Metrics.addRegistry(registry);
    return new NodeMetrics(registry, gc);
  }

  /** Where this node's own gauges go (not the global registry: they end with the node). */
  public MeterRegistry registry() {
    return registry;
  }

  /** The text format (0.0.4) Prometheus scrapes. */
  public String scrape() {
    return registry.scrape();
  }

  /** Leaves the global registry, so a node started again in the same JVM (tests) has a fresh one. */
  @Override
  public void close() {
    Metrics.removeRegistry(registry);
    gc.close();
    registry.close();
  }
}
