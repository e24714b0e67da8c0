package io.dcloud.node;

import io.dcloud.ask.Asks;
import io.dcloud.deploy.ContainerRuntime;
import io.dcloud.deploy.ContainerRuntime.ContainerInfo;
import io.dcloud.deploy.ContainerRuntime.RuntimeInfo;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.ddata.LWWMap;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How the node shows itself to the cluster: every gossip interval it checks its container runtime
 * and usage (off the actor's thread) and gossips its {@link NodeStatus} through Distributed Data;
 * when its operator stops it, it withdraws that status and gossips no more; when the cluster downs it, it stops its
 * containers. The tick and the gossip run on the NodeActor's thread; the shutdown tasks run in
 * CoordinatedShutdown and touch nothing of the actor's.
 */
final class ClusterPresence {
  /** For the shutdown tasks, which run after the actor may be gone and must not use its context. */
  private static final Logger LOG = LoggerFactory.getLogger(ClusterPresence.class);

  /** The steps of the gossip, as messages to the NodeActor. */
  sealed interface Step extends NodeActor.Message, NoSerializationVerificationNeeded {}

  enum Tick implements Step { INSTANCE }

  record RuntimeChecked(RuntimeInfo info, NodeStatus.Usage usage) implements Step {}

  record CheckFailed(Throwable cause) implements Step {}

  record GossipWritten() implements Step {}

  private final ActorContext<NodeActor.Message> context;
  private final ReplicatorMessageAdapter<NodeActor.Message, LWWMap<String, NodeStatus>> replicator;
  private final NodeSettings settings;
  private final String nodeId;
  private final ContainerRuntime runtime;
  private final MachineProfile machine;
  private final Executor blocking;
  /** Its cache's versions go into every status: a version cached or evicted is gossiped within a gossip interval. */
  private final DatasetMounts datasets;
  private final SelfUniqueAddress selfAddress;
  /** This process as a cluster member, gossiped so the scheduler notices when it is gone. */
  private final String member;

  private RuntimeInfo runtimeInfo = new RuntimeInfo(false, null, null, List.of(), 0, 0, null, "not checked yet");
  /** A check is on the blocking pool: a tick meanwhile is skipped, so a slow engine does not pile them up. */
  private boolean checking;
  /** The last check failed: the next failure is not news, the next success is. */
  private boolean failing;
  /**
   * Set by the leaving task before it removes the status: from then on the node gossips nothing.
   * A leave takes seconds on a loaded machine, and every status put after the removal would add
   * the node back to the gossip (an LWWMap put wins over an earlier remove); once the node is gone
   * that stale status reads as a crash and its running environments are re-placed.
   */
  private final AtomicBoolean withdrawn = new AtomicBoolean();

  ClusterPresence(
      ActorContext<NodeActor.Message> context,
      ReplicatorMessageAdapter<NodeActor.Message, LWWMap<String, NodeStatus>> replicator,
      NodeSettings settings,
      ContainerRuntime runtime,
      MachineProfile machine,
      Executor blocking,
      DatasetMounts datasets) {
    this.context = context;
    this.replicator = replicator;
    this.settings = settings;
    this.nodeId = settings.nodeId();
    this.runtime = runtime;
    this.machine = machine;
    this.blocking = blocking;
    this.datasets = datasets;
    this.selfAddress = DistributedData.get(context.getSystem()).selfUniqueAddress();
    this.member = NodeGossip.memberId(Cluster.get(context.getSystem()).selfMember().uniqueAddress());
  }

  /** Gossips now and every gossip interval, and registers what the node does when it leaves or is downed. */
  void begin(TimerScheduler<NodeActor.Message> timers) {
    timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.gossipInterval());
    context.getSelf().tell(Tick.INSTANCE);
    stopContainersIfDowned(context.getSystem());
    withdrawGossipOnLeaving(context.getSystem());
  }

  /** {@code containers}: how many containers the node runs, read on the actor's thread. */
  void on(Step step, int containers) {
    if (step == Tick.INSTANCE) {
      onTick(containers);
    } else if (step instanceof RuntimeChecked checked) {
      onRuntimeChecked(checked);
    } else if (step instanceof CheckFailed failed) {
      onCheckFailed(failed);
    }
  }

  private void onTick(int containers) {
    if (withdrawn.get()) {
      return;
    }
    if (checking) {
      context.getLog().debug("Node {}: the previous runtime check is still running; skipping this tick", nodeId);
      return;
    }
    checking = true;
    context.pipeToSelf(
        CompletableFuture.supplyAsync(() -> new RuntimeChecked(runtime.info(), machine.usage(containers)), blocking),
        (checked, failure) -> failure == null ? checked : new CheckFailed(failure));
  }

  private void onCheckFailed(CheckFailed failed) {
    checking = false;
    if (!failing) {
      failing = true;
      context.getLog().warn("Node {} could not check its container runtime and usage ({}); its gossiped status "
          + "stays as it was, retrying every {}", nodeId, Failures.rootMessage(failed.cause()), settings.gossipInterval());
    }
  }

  private void onRuntimeChecked(RuntimeChecked checked) {
    checking = false;
    if (withdrawn.get()) {
      return;
    }
    if (failing) {
      failing = false;
      context.getLog().info("Node {} checks its container runtime and usage again", nodeId);
    }
    if (checked.info().available() != runtimeInfo.available()) {
      context.getLog().info(
          "Node {}: container runtime {}", nodeId,
          checked.info().available() ? "available (Docker " + checked.info().version() + ")" : "unavailable: " + checked.info().error());
    }
    runtimeInfo = checked.info();
    NodeStatus status = new NodeStatus(
        nodeId, machine.hostname(), machine.allocatable(), machine.gpus(), checked.usage(), settings.labels(),
        runtimeInfo.available(), runtimeInfo.version(), runtimeInfo.error(), Instant.now(), member,
        gossiped(datasets.cachedVersions()));
    // The flag is read again inside the replicator: a check that completed before the withdrawal
    // but reaches the replicator after the removal must not undo it.
    replicator.askUpdate(
        replyTo -> new Replicator.Update<>(
            NodeGossip.keyFor(nodeId), LWWMap.empty(), Replicator.writeLocal(), replyTo,
            map -> withdrawn.get() ? map : map.put(selfAddress, nodeId, status)),
        response -> new GossipWritten());
  }

  /**
   * A node the cluster downed (cut off from the majority) must not keep running environments that
   * the majority is re-placing elsewhere: its containers are stopped (kept, not removed) as it
   * shuts down. A node stopped by its operator leaves them running, to be adopted on restart.
   */
  private void stopContainersIfDowned(ActorSystem<?> system) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeServiceUnbind(), "dcloud-stop-containers-of-a-downed-node", () -> {
      boolean downed = shutdown.getShutdownReason().filter(CoordinatedShutdown.clusterDowningReason()::equals).isPresent();
      if (!downed) {
        return CompletableFuture.completedFuture(Done.getInstance());
      }
      return CompletableFuture.supplyAsync(() -> {
        List<ContainerInfo> running = runtime.listManaged(nodeId).stream().filter(ContainerInfo::running).toList();
        LOG.warn("Node {} was downed by the cluster: stopping its {} running containers", nodeId, running.size());
        running.parallelStream().forEach(container -> runtime.stop(container.id(), settings.downedStopGrace()));
        return Done.getInstance();
      }, blocking);
    });
  }

  /**
   * A node its operator stops leaves the cluster gracefully and keeps its containers running: it
   * withdraws its status from the gossip, so no scheduler mistakes its silence for a crash and
   * re-places what still runs here. It takes its environments back when it returns.
   */
  private void withdrawGossipOnLeaving(ActorSystem<?> system) {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(CoordinatedShutdown.PhaseBeforeClusterShutdown(), "dcloud-withdraw-node-status", () -> {
      boolean downed = shutdown.getShutdownReason().filter(CoordinatedShutdown.clusterDowningReason()::equals).isPresent();
      if (downed) {
        return CompletableFuture.completedFuture(Done.getInstance());
      }
      withdrawn.set(true);
      return Asks.completedInline(AskPattern.<Replicator.Command, Replicator.UpdateResponse<LWWMap<String, NodeStatus>>>ask(
              DistributedData.get(system).replicator(),
              replyTo -> new Replicator.Update<>(NodeGossip.keyFor(nodeId), LWWMap.empty(),
                  new Replicator.WriteMajority(settings.leaveTimeout()), replyTo, map -> map.remove(selfAddress, nodeId)),
              settings.leaveTimeout().plus(settings.leaveTimeout()), system.scheduler()))
          .handle((response, failure) -> {
            LOG.info("Node {} leaves the cluster; its containers keep running", nodeId);
            return Done.getInstance();
          });
    });
  }

  /** Sorted for a gossip that does not change when nothing did; null (nothing to say) when the cache is empty. */
  private static List<String> gossiped(Set<String> cachedVersions) {
    return cachedVersions.isEmpty() ? null : List.copyOf(new TreeSet<>(cachedVersions));
  }
}
