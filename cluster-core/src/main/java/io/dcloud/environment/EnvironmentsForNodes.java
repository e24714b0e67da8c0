package io.dcloud.environment;

import io.dcloud.ask.Asks;
import io.dcloud.node.NodePeers;
import io.dcloud.node.NodeReachability;
import io.dcloud.node.NodeProtocol.ContainerReport;
import io.dcloud.scheduler.Scheduler;
import io.dcloud.spec.EnvironmentSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * A node's peers in a cluster: environment entities through sharding, their live feed (the
 * updates topic), and the scheduler singleton.
 */
public final class EnvironmentsForNodes implements NodePeers {
  private final ActorSystem<?> system;
  private final ClusterSharding sharding;
  private final ActorRef<Scheduler.Command> scheduler;
  private final ActorRef<Topic.Command<EnvironmentUpdate>> updates;
  private final Duration askTimeout;

  public EnvironmentsForNodes(
      ActorSystem<?> system,
      ActorRef<Scheduler.Command> scheduler,
      ActorRef<Topic.Command<EnvironmentUpdate>> updates,
      Duration askTimeout) {
    this.system = system;
    this.sharding = ClusterSharding.get(system);
    this.scheduler = scheduler;
    this.updates = updates;
    this.askTimeout = askTimeout;
  }

  @Override
  public void report(String environmentId, ContainerReport report) {
    sharding.entityRefFor(EnvironmentEntity.TYPE_KEY, environmentId).tell(new EnvironmentEntity.FromNode(report));
  }

  @Override
  public void progress(String environmentId, String line) {
    updates.tell(EnvironmentUpdate.publish(EnvironmentUpdate.progress(environmentId, line, Instant.now())));
  }

  @Override
  public CompletionStage<Claim> claim(String environmentId, String nodeId) {
    return Asks.completedInline(sharding.entityRefFor(EnvironmentEntity.TYPE_KEY, environmentId)
            .<EnvironmentEntity.Reply>ask(EnvironmentEntity.Get::new, askTimeout))
        .thenApply(reply -> claimOf(reply, environmentId, nodeId));
  }

  /** A deleted environment, or one placed elsewhere since, no longer wants the container. */
  static Claim claimOf(EnvironmentEntity.Reply reply, String environmentId, String nodeId) {
    if (!(reply instanceof EnvironmentEntity.Ok ok)) {
      return new Claim(false, List.of(), null);
    }
    EnvironmentView view = ok.view();
    boolean wanted = view.status() != EnvironmentStatus.DELETED && nodeId.equals(view.node());
    return new Claim(wanted, view.spec().volumeNames(nodeId, environmentId, EnvironmentSpec.Lifecycle.TEMPORARY),
        wanted ? view.spec() : null, wanted ? runningSince(view) : null);
  }

  /** When a RUNNING environment's container was last reported running (the latest RUNNING step of its history). */
  private static Instant runningSince(EnvironmentView view) {
    if (view.status() != EnvironmentStatus.RUNNING || view.history() == null) {
      return null;
    }
    Instant since = null;
    for (EnvironmentView.HistoryEntry step : view.history()) {
      if (step.status() == EnvironmentStatus.RUNNING) {
        since = step.at();
      }
    }
    return since;
  }

  @Override
  public CompletionStage<Boolean> stop(String environmentId, String reason) {
    return Asks.completedInline(sharding.entityRefFor(EnvironmentEntity.TYPE_KEY, environmentId)
            .<EnvironmentEntity.Reply>ask(replyTo -> new EnvironmentEntity.Stop(replyTo, null, reason), askTimeout))
        .thenApply(reply -> reply instanceof EnvironmentEntity.Ok ok && ok.view().status() == EnvironmentStatus.STOPPING);
  }

  @Override
  public Runnable whenMembersRemoved(Consumer<String> removed) {
    return NodeReachability.get(system).whenMembersRemoved(removed);
  }

  @Override
  public CompletionStage<List<String>> placedOn(String nodeId) {
    return Asks.completedInline(AskPattern.<Scheduler.Command, Scheduler.Reservations>ask(
            scheduler, replyTo -> new Scheduler.GetReservations(nodeId, replyTo), askTimeout, system.scheduler()))
        .thenApply(Scheduler.Reservations::environmentIds);
  }
}
