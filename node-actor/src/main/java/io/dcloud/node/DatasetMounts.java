package io.dcloud.node;

import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.spec.EnvironmentSpec.DatasetRef;
import java.util.List;

/**
 * Makes the datasets an environment names available on this node, and says what to mount where
 * ({@code /datasets/<category>/<db>/<name>}, read-only). Blocks: called on the blocking dispatcher.
 */
public interface DatasetMounts {
  String MOUNT_ROOT = "/datasets";

  List<ContainerRuntime.BindMount> prepare(String environmentId, List<DatasetRef> datasets);

  /**
   * The versions the node holds, sorted, as {@code <category>/<db>/<name>@<version>}: gossiped for
   * data locality (see {@code NodeStatus.datasets}). Null when the node has no cache.
   */
  default List<String> cachedVersions() {
    return null;
  }

  /** A node without a dataset store (hollow nodes, tests): an environment that names datasets fails to deploy. */
  DatasetMounts NONE = (environmentId, datasets) -> {
    if (!datasets.isEmpty()) {
      throw new IllegalStateException("this node has no dataset store: it cannot mount " + datasets.size() + " datasets");
    }
    return List.of();
  };

  static String target(DatasetRef ref) {
    return MOUNT_ROOT + "/" + ref.category() + "/" + ref.db() + "/" + ref.dataset();
  }
}
