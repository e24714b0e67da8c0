package io.dcloud.node;

import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.spec.EnvironmentSpec.DatasetRef;
import java.util.List;
import java.util.Set;

/**
 * Makes the datasets an environment names available on this node, and says what to mount where
 * ({@code /datasets/<category>/<db>/<name>}, read-only). Blocks: called on the blocking dispatcher.
 */
public interface DatasetMounts {
  String MOUNT_ROOT = "/datasets";

  /**
   * The mounts for {@code datasets}, fetching the versions this node does not hold yet; {@code progress}
   * hears of those fetches (not at all when every version is here).
   */
  Prepared prepare(String environmentId, List<DatasetRef> datasets, Progress progress);

  /** The environment's container is gone: the versions it mounted are no longer in use by it. */
  void release(String environmentId);

  /** "category/db/name@version" of each version this node holds, sorted: where a dataset is already local. */
  Set<String> cachedVersions();

  /** What to mount, and each dataset as it resolved: {@code version} is the number "latest" meant then. */
  record Prepared(List<ContainerRuntime.BindMount> mounts, List<DatasetRef> resolved) {}

  /** Bytes fetched of those this environment waits for: called with 0 first, then now and then, and at the end. */
  @FunctionalInterface
  interface Progress {
    void fetched(long bytes, long totalBytes);
  }

  /** A node without a dataset store (hollow nodes, tests): an environment that names datasets fails to deploy. */
  DatasetMounts NONE = new DatasetMounts() {
    @Override
    public Prepared prepare(String environmentId, List<DatasetRef> datasets, Progress progress) {
      if (!datasets.isEmpty()) {
        throw new IllegalStateException("this node has no dataset store: it cannot mount " + datasets.size() + " datasets");
      }
      return new Prepared(List.of(), List.of());
    }

    @Override
    public void release(String environmentId) {}

    @Override
    public Set<String> cachedVersions() {
      return Set.of();
    }
  };

  static String target(DatasetRef ref) {
    return MOUNT_ROOT + "/" + ref.category() + "/" + ref.db() + "/" + ref.dataset();
  }
}
