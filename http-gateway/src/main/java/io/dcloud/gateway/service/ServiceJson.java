package io.dcloud.gateway.service;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import io.dcloud.device.BindingSlot;
import io.dcloud.service.ServiceDefinition;
import io.dcloud.service.ServiceView;
import io.dcloud.service.SpreadReader;
import io.dcloud.spec.Durations;
import java.time.Instant;
import java.util.List;
import java.util.Locale;

/**
 * A service as the API shows it (the contract of {@code GET /api/v1/services/{name}}); {@code bindings}:
 * the device types an app consumes (end users bind devices to them); {@code surge}: the replicas a
 * rolling update adds beyond the desired count (0 or 1); {@code spread}: {@code required} (each replica
 * on a node that runs no other) or {@code preferred}; {@code autoscaling} and {@code load}: the bounds
 * within which it scales itself and what its load asks for (both absent when it is scaled by hand).
 */
public record ServiceJson(
    String name,
    String kind,
    String owner,
    int version,
    int desiredReplicas,
    int surge,
    String spread,
    int port,
    ServiceDefinition.Readiness readiness,
    Batching batching,
    List<Replica> replicas,
    List<BindingSlot> bindings,
    @JsonInclude(JsonInclude.Include.NON_NULL) Autoscaling autoscaling,
    @JsonInclude(JsonInclude.Include.NON_NULL) Load load) {

  /**
   * {@code ready}: false until its node said it answered its readiness path; {@code version}: the one
   * it runs; {@code reason}: why its environment is in its status (why it is queued, why it failed),
   * null when it gave none.
   */
  record Replica(String id, String node, String status, boolean ready, int version, String reason) {}

  /** A model's dynamic batching, as {@code PUT /services/{name}/batching} takes it. */
  record Batching(int maxSize, int maxWaitMs) {
    static Batching of(ServiceDefinition.Batching batching) {
      return batching == null ? null : new Batching(batching.maxSize(), batching.maxWaitMs());
    }
  }

  /** As {@code PUT /services/{name}/autoscaling} takes it, the delays written as a config writes them ("30s"). */
  record Autoscaling(int minReplicas, int maxReplicas, double targetOngoingRequests, String upscaleDelay,
      String downscaleDelay) {
    static Autoscaling of(ServiceDefinition.Autoscaling autoscaling) {
      return autoscaling == null ? null : new Autoscaling(autoscaling.minReplicas(), autoscaling.maxReplicas(),
          autoscaling.targetOngoingRequests(), Durations.format(autoscaling.upscaleDelay()),
          Durations.format(autoscaling.downscaleDelay()));
    }
  }

  /**
   * The calls in progress at every gateway together (averaged over the autoscaling's look-back, to two
   * decimals), the replica count they ask for within the bounds, and when the service takes it if the
   * load keeps asking (absent when it has that count).
   */
  record Load(double ongoingRequests, int wantedReplicas, @JsonInclude(JsonInclude.Include.NON_NULL) Instant scalesAt) {
    static Load of(ServiceView.Load load) {
      return load == null ? null
          : new Load(Math.round(load.ongoingRequests() * 100) / 100.0, load.wantedReplicas(), load.scalesAt());
    }
  }

  /** {@code "continue"} when a page was full and more follow (see {@link io.dcloud.gateway.common.NamePages}). */
  record Listing(
      List<ServiceJson> services,
      @JsonProperty("continue") @JsonInclude(JsonInclude.Include.NON_NULL) String continueToken) {}

  public static ServiceJson of(ServiceView view) {
    return new ServiceJson(view.name(), view.kind().name().toLowerCase(Locale.ROOT), view.owner(), view.version(),
        view.desiredReplicas(), view.rollingSurge(), SpreadReader.written(view.spread() == null
            ? ServiceDefinition.Spread.PREFERRED : view.spread()), view.port(), view.readiness(), Batching.of(view.batching()),
        view.replicas().stream()
            .map(r -> new Replica(r.id(), r.node(), r.status() == null ? "REQUESTED" : r.status(),
                Boolean.TRUE.equals(r.ready()), r.version() == null ? 1 : r.version(), r.reason()))
            .toList(),
        view.bindings(), Autoscaling.of(view.autoscaling()), Load.of(view.load()));
  }
}
