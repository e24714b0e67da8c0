package io.dcloud.scheduler;

import io.dcloud.resources.Resources;
import io.dcloud.serialization.CborSerializable;
import java.util.Map;

/**
 * What the scheduler must find room for: resources plus hard constraints on node labels.
 * {@code pinnedNode}, when set, is the only node to consider while it is known: an environment
 * restarted where its stopped container (and its files) still are.
 */
public record PlacementRequest(
    String environmentId, Resources resources, Map<String, String> constraints, String pinnedNode)
    implements CborSerializable {

  public PlacementRequest(String environmentId, Resources resources, Map<String, String> constraints) {
    this(environmentId, resources, constraints, null);
  }
}
