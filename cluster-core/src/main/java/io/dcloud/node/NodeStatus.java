package io.dcloud.node;

import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Resources;
import io.dcloud.serialization.CborSerializable;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * {@code member} identifies the cluster member (address and incarnation, see
 * {@link NodeGossip#memberId}) that runs the node, so the scheduler can tell when that process is
 * gone even if the same machine comes back under the same node id.
 *
 * <p>What a worker tells the cluster about itself, gossiped through Distributed Data (one LWWMap
 * entry per node, written only by that node). {@code capacity} is what the node can give to
 * environments; {@code usage} is what Docker actually reports.
 *
 * <p>{@code datasets}: the dataset versions the node's cache holds, as sorted
 * {@code <category>/<db>/<name>@<version>} (see {@link #datasetVersion}), for placement to prefer
 * nodes that need not fetch them; null from nodes of earlier versions and nodes without a cache.
 */
public record NodeStatus(
    String nodeId,
    String host,
    Resources capacity,
    List<GpuDevice> gpus,
    Usage usage,
    Map<String, String> labels,
    boolean runtimeAvailable,
    String runtimeVersion,
    String runtimeError,
    Instant updatedAt,
    String member,
    List<String> datasets)
    implements CborSerializable {

  /** A status without dataset cache (hollow nodes, tests, earlier versions' nodes). */
  public NodeStatus(String nodeId, String host, Resources capacity, List<GpuDevice> gpus, Usage usage,
      Map<String, String> labels, boolean runtimeAvailable, String runtimeVersion, String runtimeError,
      Instant updatedAt, String member) {
    this(nodeId, host, capacity, gpus, usage, labels, runtimeAvailable, runtimeVersion, runtimeError, updatedAt, member,
        null);
  }

  /** How a cached dataset version is gossiped: {@code images/cifar/train@3}. */
  public static String datasetVersion(String datasetId, int version) {
    return datasetId + "@" + version;
  }

  /** Actual consumption on the machine, as measured (not reserved). */
  public record Usage(double cpuPercent, long memoryUsedBytes, long diskUsedBytes, int containers)
      implements CborSerializable {
    public static final Usage NONE = new Usage(0, 0, 0, 0);
  }
}
