package io.dcloud.node;

import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.deploy.ContainerRuntime.ContainerInfo;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Tells the environments again what a crashed member may have missed of this node, once the
 * cluster has removed it. A node's report is one message to its environment's entity: one sent
 * while the member holding that entity was unreachable (crashed, not yet removed) is lost. An
 * environment that missed its container's exit would say RUNNING, and its restart policy never
 * start it again; a replica that missed its readiness would never be called, or be called while
 * it cannot answer. Once the member is removed its entities live elsewhere, where a report made
 * again reaches them, and an environment that knew already takes it as a no-op. So the node reports
 * again every container of its own that is down, and every replica's readiness (at the next probe).
 * A start's lost report needs nothing: its entity's own retries ask again (STARTING converges).
 * Runs on the NodeActor's thread; the listing goes to the blocking pool.
 */
final class ReportsAfterRemoval {
  static final String AFTER_REMOVAL = "dcloud.node.report-again-after-removal";

  /** The steps, as messages to the NodeActor. */
  sealed interface Step extends NodeActor.Message, NoSerializationVerificationNeeded {}

  record MemberRemoved(String address) implements Step {}

  record Listed(String address, List<ContainerInfo> containers, Throwable failure) implements Step {}

  private final ActorContext<NodeActor.Message> context;
  private final String nodeId;
  private final ContainerRuntime runtime;
  private final NodePeers peers;
  private final ContainerOperations operations;
  private final Executor blocking;
  private final Reconciliation.Containers containers;
  private final ReadinessProbes readiness;

  ReportsAfterRemoval(ActorContext<NodeActor.Message> context, String nodeId, ContainerRuntime runtime, NodePeers peers,
      ContainerOperations operations, Executor blocking, Reconciliation.Containers containers, ReadinessProbes readiness) {
    this.context = context;
    this.nodeId = nodeId;
    this.runtime = runtime;
    this.peers = peers;
    this.operations = operations;
    this.blocking = blocking;
    this.containers = containers;
    this.readiness = readiness;
  }

  /**
   * Hears of the cluster's removals until the returned cancel runs; each is acted on a while after
   * (this node's shard regions must have heard of it too, or a report would go to the old home),
   * and again later, as a shard can take seconds to find its new home (see {@link AfterRemoval}).
   */
  Runnable begin() {
    Duration after = context.getSystem().settings().config().getDuration(AFTER_REMOVAL);
    ActorRef<NodeActor.Message> self = context.getSelf();
    return peers.whenMembersRemoved(AfterRemoval.repeated(context.getSystem().scheduler(),
        context.getSystem().executionContext(), after, address -> self.tell(new MemberRemoved(address))));
  }

  void on(Step step) {
    if (step instanceof MemberRemoved removed) {
      readiness.reportAgain();
      context.pipeToSelf(CompletableFuture.supplyAsync(() -> runtime.listManaged(nodeId), blocking),
          (listed, failure) -> new Listed(removed.address(), listed, failure));
    } else if (step instanceof Listed listed) {
      onListed(listed);
    }
  }

  private void onListed(Listed listed) {
    if (listed.failure() != null) {
      // The engine is down: its containers' state is news to nobody until it is back, and then
      // the node reconciles with every environment anyway.
      context.getLog().warn("Node {} could not list its containers to tell of their exits again after member {} was removed ({})",
          nodeId, listed.address(), Failures.rootMessage(listed.failure()));
      return;
    }
    int told = 0;
    for (ContainerInfo container : listed.containers()) {
      String environmentId = container.labels().get(EnvironmentNames.ENV_LABEL);
      if (container.running() || environmentId == null || !containers.holds(environmentId, container.id())
          || containers.operating(environmentId)) {
        continue;
      }
      peers.report(environmentId, operations.report(ContainerPhase.EXITED, container.id(), List.of(),
          container.exitCode(), container.oomKilled(), "exited; told again after member " + listed.address() + " was removed"));
      told++;
    }
    if (told > 0) {
      context.getLog().info("Node {} told {} environments again that their container is down, after member {} was removed",
          nodeId, told, listed.address());
    }
  }
}
