package io.dcloud.environment;

import io.dcloud.resources.Resources;

/**
 * What one owner's environments hold, as quotas count it: every environment not deleted counts
 * toward {@code environments} and {@code storageBytes}; only those holding a place (REQUESTED
 * through STOPPING) toward CPU, RAM and GPUs.
 */
public record OwnerUsage(long milliCpus, long memoryBytes, int gpus, int environments, long storageBytes)
    implements io.dcloud.serialization.CborSerializable {
  public static final OwnerUsage NONE = new OwnerUsage(0, 0, 0, 0, 0);

  /**
   * What one environment in {@code status} with {@code resources} holds. One whose container exited
   * and whose restart policy starts it again ({@code restarting}) counts as holding its place, as
   * Kubernetes counts a crash-looping pod: it comes back without asking the quota again.
   */
  public static OwnerUsage of(EnvironmentStatus status, Resources resources, boolean restarting) {
    if (status == null || status == EnvironmentStatus.DELETED) {
      return NONE;
    }
    return holdsPlace(status) || restarting
        ? new OwnerUsage(resources.milliCpus(), resources.memoryBytes(), resources.gpus(), 1, resources.storageBytes())
        : new OwnerUsage(0, 0, 0, 1, resources.storageBytes());
  }

  /** REQUESTED through STOPPING: a place is reserved or being found for it. */
  public static boolean holdsPlace(EnvironmentStatus status) {
    return status != null && switch (status) {
      case REQUESTED, QUEUED, PLACED, PREPARING, BUILDING, STARTING, RUNNING, STOPPING -> true;
      default -> false;
    };
  }

  public OwnerUsage plus(OwnerUsage other) {
    return new OwnerUsage(milliCpus + other.milliCpus, memoryBytes + other.memoryBytes, gpus + other.gpus,
        environments + other.environments, storageBytes + other.storageBytes);
  }

  public OwnerUsage minus(OwnerUsage other) {
    return new OwnerUsage(milliCpus - other.milliCpus, memoryBytes - other.memoryBytes, gpus - other.gpus,
        environments - other.environments, storageBytes - other.storageBytes);
  }
}
