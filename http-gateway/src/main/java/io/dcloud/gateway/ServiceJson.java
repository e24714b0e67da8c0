package io.dcloud.gateway;

import io.dcloud.service.ServiceDefinition;
import io.dcloud.service.ServiceView;
import java.util.List;
import java.util.Locale;

/** A service as the API shows it (the contract of {@code GET /api/v1/services/{name}}). */
record ServiceJson(
    String name,
    String kind,
    String owner,
    int version,
    int desiredReplicas,
    int port,
    ServiceDefinition.Readiness readiness,
    List<Replica> replicas) {

  /** {@code ready}: false until its node said it answered its readiness path. */
  record Replica(String id, String node, String status, boolean ready) {}

  record Listing(List<ServiceJson> services) {}

  static ServiceJson of(ServiceView view) {
    return new ServiceJson(view.name(), view.kind().name().toLowerCase(Locale.ROOT), view.owner(), view.version(),
        view.desiredReplicas(), view.port(), view.readiness(),
        view.replicas().stream()
            .map(r -> new Replica(r.id(), r.node(), r.status() == null ? "REQUESTED" : r.status(), Boolean.TRUE.equals(r.ready())))
            .toList());
  }
}
