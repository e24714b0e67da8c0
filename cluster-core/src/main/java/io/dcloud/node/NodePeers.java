package io.dcloud.node;

import io.dcloud.spec.EnvironmentSpec;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;

/**
 * What a node needs from the rest of the cluster. The NodeActor is given one, so it depends on
 * neither the environment entities nor the scheduler (and a test gives it a probe instead).
 */
public interface NodePeers {

  /** Tells the environment what became of its container on this node. */
  void report(String environmentId, NodeProtocol.ContainerReport report);

  /** One line of the environment's deployment as it goes (an image build's steps), for its live feed. */
  void progress(String environmentId, String line);

  /**
   * Whether the environment still wants its container on {@code nodeId} (a node that restarts asks
   * for every container it finds); fails when the environment cannot answer now.
   */
  CompletionStage<Claim> claim(String environmentId, String nodeId);

  /**
   * Asks the environment to stop, as DCloud's own decision, with {@code reason} in its history (see
   * idle culling); completes with whether it is stopping now (false: it was no longer RUNNING).
   */
  CompletionStage<Boolean> stop(String environmentId, String reason);

  /** The environments the scheduler has placed on the node. */
  CompletionStage<List<String>> placedOn(String nodeId);

  /**
   * Calls {@code removed} with the address of each member the cluster removes from now on, until
   * the returned cancel runs (see {@link NodeWatch#whenMembersRemoved}). A node outside a cluster
   * hears of none.
   */
  default Runnable whenMembersRemoved(Consumer<String> removed) {
    return () -> { };
  }

  /**
   * {@code temporaryVolumes}: the engine volumes to remove with an unwanted container; {@code spec}:
   * a wanted container's environment config, what the node learns of it from a deploy otherwise
   * (its idle timeout, its service's readiness probe), null when unwanted; {@code runningSince}: when
   * its environment last began RUNNING, as it recorded it (where its max-runtime counts from), null
   * when it is not RUNNING or unwanted.
   */
  record Claim(boolean wanted, List<String> temporaryVolumes, EnvironmentSpec spec, Instant runningSince) {
    /** A claim that says nothing of when the environment began running. */
    public Claim(boolean wanted, List<String> temporaryVolumes, EnvironmentSpec spec) {
      this(wanted, temporaryVolumes, spec, null);
    }
  }
}
