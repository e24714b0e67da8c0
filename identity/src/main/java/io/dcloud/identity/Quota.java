package io.dcloud.identity;

import io.dcloud.serialization.CborSerializable;

/**
 * What one user may hold at once; a null limit is no limit. Spelled in the API and config as the
 * resources of an environment: {@code {"cpu": "4", "ram": "16G", "gpu": 1, "environments": 10,
 * "storage": "100G"}} (see {@link QuotaReader}).
 */
public record Quota(Long milliCpus, Long memoryBytes, Integer gpus, Integer environments, Long storageBytes)
    implements CborSerializable {

  public static final Quota UNLIMITED = new Quota(null, null, null, null, null);

  /** The larger of two limits per resource (no limit wins): a user with several roles gets the most generous. */
  public Quota widest(Quota other) {
    return new Quota(
        larger(milliCpus, other.milliCpus), larger(memoryBytes, other.memoryBytes), larger(gpus, other.gpus),
        larger(environments, other.environments), larger(storageBytes, other.storageBytes));
  }

  private static <T extends Comparable<T>> T larger(T a, T b) {
    if (a == null || b == null) {
      return null;
    }
    return a.compareTo(b) >= 0 ? a : b;
  }
}
