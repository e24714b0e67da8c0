package io.dcloud.it;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The three-node cluster that this JVM's test classes share unless they need one of their own (a
 * cluster start is 40-60 s of the suite): started by the first class that asks, {@link
 * ClusterHarness#restore restored} for each next one (every node running, no environment left),
 * removed with its containers when the JVM exits. A cluster that cannot be restored is replaced by a
 * fresh one, so that one class's wreck does not fail the next.
 *
 * <p>One cluster at a time on this machine: a class that starts a cluster of its own ends the
 * shared one first.
 */
final class SharedCluster {
  private static final Logger LOG = LoggerFactory.getLogger(SharedCluster.class);
  private static ClusterHarness shared;

  private SharedCluster() {}

  static synchronized ClusterHarness get() throws Exception {
    if (shared != null) {
      try {
        shared.restore();
        LOG.info("Cluster {}: restored for the next test class", shared.runId());
        return shared;
      } catch (Exception | AssertionError broken) {
        LOG.warn("Cluster {} cannot be restored ({}): starting a fresh one", shared.runId(), broken.toString());
        shared.close();
      }
    }
    ClusterHarness cluster = ClusterHarness.start(3);
    cluster.closeWhenTheJvmExits();
    shared = cluster;
    return cluster;
  }

  /** Ends the shared cluster, if one runs, as a test class with a cluster of its own comes next. */
  static synchronized void closeBeforeAnotherStarts() {
    if (shared != null) {
      shared.close();
    }
  }

  /** {@code closed} is no longer the shared cluster, if it was. */
  static synchronized void forget(ClusterHarness closed) {
    if (shared == closed) {
      shared = null;
    }
  }
}
