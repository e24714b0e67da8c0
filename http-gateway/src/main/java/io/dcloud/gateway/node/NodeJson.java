package io.dcloud.gateway.node;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.dcloud.node.NodeStatus;
import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Quantities;
import io.dcloud.resources.Resources;
import io.dcloud.scheduler.NodeAvailability;
import io.dcloud.scheduler.NodeView;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A worker as {@code GET /nodes} shows it: what it has (capacity, from its gossip), what the
 * scheduler has promised of it (reserved) and what is really in use (usage, measured by the node).
 * Users who do not run the platform get its {@link #summary}: no host, nor how many environments
 * (other users') run there, nor which (other users') dataset versions its cache holds. Which
 * environments run there: {@code GET /environments?node=ID}.
 */
public record NodeJson(
    String id,
    @JsonInclude(JsonInclude.Include.NON_NULL) String host,
    NodeAvailability state,
    boolean available,
    Runtime runtime,
    Capacity capacity,
    Reserved reserved,
    Usage usage,
    Map<String, String> labels,
    @JsonInclude(JsonInclude.Include.NON_NULL) Integer environmentCount,
    @JsonInclude(JsonInclude.Include.NON_NULL) List<String> gpusInUse,
    Instant lastSeen,
    Long gossipAgeSeconds,
    @JsonInclude(JsonInclude.Include.NON_NULL) List<String> datasets) {

  record Runtime(String version, String error) {}

  record Capacity(double cpus, long memoryBytes, long diskBytes, List<Gpu> gpus) {}

  record Gpu(int index, String uuid, String name, Long memoryMiB) {}

  record Reserved(double cpus, long memoryBytes, long diskBytes, int gpus) {}

  record Usage(double cpuPercent, long memoryUsedBytes, long diskUsedBytes, int containers) {}

  record Listing(List<NodeJson> nodes) {}

  public static NodeJson of(NodeView view, Instant now) {
    NodeStatus status = view.status();
    Resources capacity = orNone(status.capacity());
    Resources reserved = orNone(view.reserved());
    NodeStatus.Usage usage = status.usage() == null ? NodeStatus.Usage.NONE : status.usage();
    List<GpuDevice> gpus = status.gpus() == null ? List.of() : status.gpus();
    Instant lastSeen = status.updatedAt();
    return new NodeJson(
        status.nodeId(),
        status.host(),
        view.state(),
        status.runtimeAvailable(),
        new Runtime(status.runtimeVersion(), status.runtimeError()),
        new Capacity(cores(capacity), capacity.memoryBytes(), capacity.storageBytes(),
            gpus.stream().map(g -> new Gpu(g.index(), g.uuid(), g.name(), g.memoryTotalMiB())).toList()),
        new Reserved(cores(reserved), reserved.memoryBytes(), reserved.storageBytes(), reserved.gpus()),
        new Usage(usage.cpuPercent(), usage.memoryUsedBytes(), usage.diskUsedBytes(), usage.containers()),
        status.labels() == null ? Map.of() : status.labels(),
        view.environmentCount(),
        view.gpusInUse(),
        lastSeen,
        lastSeen == null ? null : Math.max(0, Duration.between(lastSeen, now).toSeconds()),
        status.datasets());
  }

  /** What the new-environment form needs: capacity, reservations, state and labels, nothing of other users'. */
  NodeJson summary() {
    return new NodeJson(id, null, state, available, new Runtime(runtime.version(), null), capacity, reserved, usage,
        labels, null, null, lastSeen, gossipAgeSeconds, null);
  }

  /** This node less what changes all the time (usage, when it was last heard of): equal when its state is. */
  public NodeJson steady() {
    return new NodeJson(id, host, state, available, runtime, capacity, reserved, null, labels, environmentCount, gpusInUse,
        null, null, datasets);
  }

  private static Resources orNone(Resources resources) {
    return resources == null ? Resources.NONE : resources;
  }

  /** Cores as a number (1.5), for clients that compute with it. */
  private static double cores(Resources resources) {
    return (double) resources.milliCpus() / Quantities.MILLIS_PER_CORE;
  }
}
