package io.dcloud.it;

import java.util.function.Supplier;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.TestWatcher;

/** Prints the last lines of every node's log when a test fails: what the cluster said about it. */
final class NodeLogsOnFailure implements TestWatcher {
  private final Supplier<ClusterHarness> cluster;

  /** {@code cluster}: the test class's cluster, null before it has one. */
  NodeLogsOnFailure(Supplier<ClusterHarness> cluster) {
    this.cluster = cluster;
  }

  @Override
  public void testFailed(ExtensionContext context, Throwable cause) {
    ClusterHarness harness = cluster.get();
    if (harness != null) {
      System.err.println("---- " + context.getDisplayName() + " failed: node log tails follow");
      harness.printLogTails();
    }
  }
}
