package io.dcloud.node;

import io.dcloud.ask.Asks;
import io.dcloud.contracts.EnvironmentNames;
import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.deploy.ContainerRuntime.ContainerInfo;
import io.dcloud.node.NodeProtocol.ContainerPhase;
import io.dcloud.spec.EnvironmentSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * Like kubelet after a restart (or after the engine's event stream broke): the node lists the
 * containers labelled with its id and asks each one's environment whether it still wants it, then
 * adopts what is wanted, removes orphans, and tells the environments placed on it that have no
 * container here. Runs on the NodeActor's thread; only the engine listing goes to the blocking pool.
 */
final class Reconciliation {

  /** The steps of a reconciliation, as messages to the NodeActor. */
  sealed interface Step extends NodeActor.Message, NoSerializationVerificationNeeded {}

  record ContainersListed(List<ContainerInfo> containers, Throwable failure) implements Step {}

  record EntityAnswered(ContainerInfo container, NodePeers.Claim claim, Throwable failure) implements Step {}

  record PlacementsLoaded(List<String> environmentIds, Throwable failure) implements Step {}

  /** Time to ask again about a container whose environment did not answer. */
  record ClaimAgain(String environmentId, String containerId) implements Step {}

  /** The container as the engine has it now (empty: gone), to ask its environment about again. */
  record Reinspected(String environmentId, String containerId, Optional<ContainerInfo> container, Throwable failure)
      implements Step {}

  /** What reconciliation may see and change of the node's own bookkeeping (the NodeActor's, on its thread). */
  interface Containers {
    /** Remembers a container found on the engine as the environment's. */
    void found(String environmentId, String containerId);

    /** Whether the node has a container or an operation in flight for the environment. */
    boolean accountedFor(String environmentId);

    /** Whether an operation of the node on the environment's container is in flight. */
    boolean operating(String environmentId);

    /** Whether the node still counts {@code containerId} as the environment's container. */
    boolean holds(String environmentId, String containerId);

    /** Removes an unwanted container like any RemoveContainer command (queued behind an operation in flight). */
    void removeOrphan(NodeProtocol.RemoveContainer remove);

    /**
     * A container found on the engine is the environment's, configured by {@code spec}: what a deploy
     * would have told the node of it (its idle timeout, its readiness probe) applies to it as well.
     */
    void adopted(String environmentId, EnvironmentSpec spec, Instant runningSince);
  }

  private final ActorContext<NodeActor.Message> context;
  private final String nodeId;
  private final ContainerRuntime runtime;
  private final NodePeers peers;
  private final ContainerOperations operations;
  private final Executor blocking;
  private final Containers containers;
  /** How long after an environment did not answer about its container it is asked again. */
  private final Duration claimRetryInterval;
  /**
   * Environments the node began an operation on while the listing was under way: what the listing
   * says of their containers may be older than what that operation did (a container it listed as
   * created, the deploy started), so the operation's own report stands for them.
   */
  private final Set<String> operatedOnWhileListing = new HashSet<>();
  private boolean listing;

  Reconciliation(
      ActorContext<NodeActor.Message> context,
      String nodeId,
      ContainerRuntime runtime,
      NodePeers peers,
      ContainerOperations operations,
      Executor blocking,
      Containers containers,
      Duration claimRetryInterval) {
    this.context = context;
    this.nodeId = nodeId;
    this.runtime = runtime;
    this.peers = peers;
    this.operations = operations;
    this.blocking = blocking;
    this.containers = containers;
    this.claimRetryInterval = claimRetryInterval;
  }

  /** Lists this node's containers on the engine; the rest follows as {@link Step}s. */
  void begin() {
    listing = true;
    operatedOnWhileListing.clear();
    context.pipeToSelf(CompletableFuture.supplyAsync(() -> runtime.listManaged(nodeId), blocking), ContainersListed::new);
  }

  /** The node begins an operation on the environment's container. */
  void operating(String environmentId) {
    if (listing) {
      operatedOnWhileListing.add(environmentId);
    }
  }

  void on(Step step) {
    if (step instanceof ContainersListed listed) {
      onContainersListed(listed);
    } else if (step instanceof EntityAnswered answer) {
      onEntityAnswered(answer);
    } else if (step instanceof PlacementsLoaded loaded) {
      onPlacementsLoaded(loaded);
    } else if (step instanceof ClaimAgain again) {
      onClaimAgain(again);
    } else if (step instanceof Reinspected reinspected) {
      onReinspected(reinspected);
    }
  }

  private void onContainersListed(ContainersListed listed) {
    listing = false;
    if (listed.failure() != null) {
      context.getLog().warn("Node {} could not list its containers: {}", nodeId, Failures.rootMessage(listed.failure()));
      return;
    }
    context.getLog().info("Node {} found {} containers of its own; reconciling", nodeId, listed.containers().size());
    for (ContainerInfo container : listed.containers()) {
      String environmentId = container.labels().get(EnvironmentNames.ENV_LABEL);
      if (environmentId == null) {
        continue;
      }
      if (containers.operating(environmentId) || operatedOnWhileListing.contains(environmentId)) {
        // Adopting it as listed would report a state the operation has changed (a created
        // container as "exited while DCloud was down" while its deploy starts it).
        context.getLog().debug("Node {} leaves container {} of environment {} to the operation on it", nodeId, container.id(), environmentId);
        continue;
      }
      containers.found(environmentId, container.id());
      Asks.pipeToSelf(context, peers.claim(environmentId, nodeId), (claim, failure) -> new EntityAnswered(container, claim, failure));
    }
    operatedOnWhileListing.clear();
    Asks.pipeToSelf(context, peers.placedOn(nodeId), PlacementsLoaded::new);
  }

  private void onEntityAnswered(EntityAnswered answer) {
    ContainerInfo container = answer.container();
    String environmentId = container.labels().get(EnvironmentNames.ENV_LABEL);
    if (answer.failure() != null) {
      // Its shard may be moving (to this node, just back): the container stays until it answers.
      context.getLog().warn("Node {}: no answer about environment {} ({}); keeping its container and asking again in {}",
          nodeId, environmentId, Failures.rootMessage(answer.failure()), claimRetryInterval);
      context.scheduleOnce(claimRetryInterval, context.getSelf(), new ClaimAgain(environmentId, container.id()));
      return;
    }
    if (!answer.claim().wanted()) {
      context.getLog().info("Node {} removes orphan container {} of environment {}", nodeId, container.id(), environmentId);
      containers.removeOrphan(new NodeProtocol.RemoveContainer(environmentId, container.id(), answer.claim().temporaryVolumes()));
      return;
    }
    context.getLog().info("Node {} adopts container {} of environment {} ({})", nodeId, container.id(), environmentId, container.state());
    if (answer.claim().spec() != null) {
      containers.adopted(environmentId, answer.claim().spec(), answer.claim().runningSince());
    }
    peers.report(environmentId, container.running()
        ? operations.report(ContainerPhase.RUNNING, container.id(), operations.ports(container), null, false, "adopted after restart")
        : operations.report(ContainerPhase.EXITED, container.id(), List.of(), container.exitCode(), container.oomKilled(),
            "exited while DCloud was down"));
  }

  /**
   * Asks again about a container whose environment did not answer, as the engine has it now: the
   * listing is older. One the node no longer counts as the environment's (removed, replaced) is
   * left alone; one under an operation waits for it.
   */
  private void onClaimAgain(ClaimAgain again) {
    if (!containers.holds(again.environmentId(), again.containerId())) {
      return;
    }
    if (containers.operating(again.environmentId())) {
      context.scheduleOnce(claimRetryInterval, context.getSelf(), again);
      return;
    }
    context.pipeToSelf(CompletableFuture.supplyAsync(() -> runtime.inspect(again.containerId()), blocking),
        (container, failure) -> new Reinspected(again.environmentId(), again.containerId(), container, failure));
  }

  private void onReinspected(Reinspected reinspected) {
    if (reinspected.failure() != null) {
      context.getLog().warn("Node {} could not inspect the container of environment {} ({}); asking again in {}",
          nodeId, reinspected.environmentId(), Failures.rootMessage(reinspected.failure()), claimRetryInterval);
      context.scheduleOnce(claimRetryInterval, context.getSelf(), new ClaimAgain(reinspected.environmentId(), reinspected.containerId()));
      return;
    }
    reinspected.container().ifPresent(container -> Asks.pipeToSelf(
        context, peers.claim(reinspected.environmentId(), nodeId), (claim, failure) -> new EntityAnswered(container, claim, failure)));
  }

  /** Environments placed here whose container is gone are told so; their entities decide what it means. */
  private void onPlacementsLoaded(PlacementsLoaded loaded) {
    if (loaded.failure() != null) {
      context.getLog().warn("Node {} could not learn which environments are placed on it ({}); none is reported missing",
          nodeId, Failures.rootMessage(loaded.failure()));
      return;
    }
    for (String environmentId : loaded.environmentIds()) {
      if (!containers.accountedFor(environmentId)) {
        peers.report(environmentId, operations.report(ContainerPhase.MISSING, null, List.of(), null, false, "no container on node " + nodeId));
      }
    }
  }
}
