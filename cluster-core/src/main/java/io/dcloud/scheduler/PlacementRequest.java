package io.dcloud.scheduler;

import io.dcloud.resources.Resources;
import io.dcloud.serialization.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * What the scheduler must find room for: resources plus hard constraints on node labels.
 * {@code pinnedNode}, when set, is the only node to consider while it is known: an environment
 * restarted where its stopped container (and its files) still are. {@code datasets}: the dataset
 * versions the environment mounts, as {@code <category>/<db>/<name>@<version>} where the version
 * may be {@code latest}; placement prefers nodes whose cache holds them (see {@link DatasetLocality}).
 * Null in requests of earlier versions. {@code group}: the service whose replica the environment is,
 * whose replicas placement spreads over nodes (null: none, and in requests of earlier versions).
 * {@code spreadRequired}: only nodes holding none of the group's environments may take it (null, as
 * in requests of earlier versions: false).
 */
public record PlacementRequest(
    String environmentId, Resources resources, Map<String, String> constraints, String pinnedNode,
    List<String> datasets, String group, Boolean spreadRequired)
    implements CborSerializable {

  public PlacementRequest(
      String environmentId, Resources resources, Map<String, String> constraints, String pinnedNode,
      List<String> datasets, String group) {
    this(environmentId, resources, constraints, pinnedNode, datasets, group, null);
  }

  public PlacementRequest(
      String environmentId, Resources resources, Map<String, String> constraints, String pinnedNode, List<String> datasets) {
    this(environmentId, resources, constraints, pinnedNode, datasets, null);
  }

  public PlacementRequest(String environmentId, Resources resources, Map<String, String> constraints) {
    this(environmentId, resources, constraints, null, null);
  }

  public PlacementRequest(String environmentId, Resources resources, Map<String, String> constraints, String pinnedNode) {
    this(environmentId, resources, constraints, pinnedNode, null);
  }
}
