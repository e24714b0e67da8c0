package io.dcloud.node;

import io.dcloud.deploy.ContainerRuntime;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Metrics;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;

/**
 * What users reach into a container with, beside its life cycle: interactive commands ({@link
 * ShellSessions}) and file transfers ({@link FileTransfers}). The NodeActor hands them over; they run
 * on the session dispatcher and answer the caller from there, needing nothing of the actor's state.
 * Every one marks the environment in the node's {@link ContainerActivity}.
 */
final class UserSessions {
  private final ActorSystem<?> system;
  private final Executor pool;
  private final ContainerActivity activity;
  private final ShellSessions shells;
  private final FileTransfers files;

  UserSessions(ActorSystem<?> system, String nodeId, ContainerRuntime runtime, ContainerActivity activity) {
    this.activity = activity;
    SessionSettings settings = SessionSettings.fromConfig(system.settings().config());
    this.system = system;
    this.pool = system.dispatchers().lookup(DispatcherSelector.fromConfig(SessionSettings.DISPATCHER));
    this.shells = new ShellSessions(nodeId, runtime, settings, activity, pool);
    this.files = new FileTransfers(nodeId, runtime, settings, activity, pool);
    Gauge.builder("dcloud.node.shells", shells, ShellSessions::open).tag("node", nodeId)
        .description("Interactive commands (exec WebSockets) open on this node").register(Metrics.globalRegistry);
    Gauge.builder("dcloud.node.file.transfers", files, FileTransfers::running).tag("node", nodeId)
        .description("File transfers into or out of containers under way on this node").register(Metrics.globalRegistry);
  }

  /** True when {@code command} is a user session's (and now under way). */
  boolean handle(NodeProtocol.Command command) {
    if (command instanceof NodeProtocol.ShellIn shell) {
      CompletableFuture.supplyAsync(() -> shells.open(shell, system), pool).thenAccept(shell.replyTo()::tell);
      return true;
    }
    if (command instanceof NodeProtocol.PutFilesIn put) {
      CompletableFuture.supplyAsync(() -> files.put(put, system), pool).thenAccept(put.replyTo()::tell);
      return true;
    }
    if (command instanceof NodeProtocol.GetFilesIn get) {
      CompletableFuture.supplyAsync(() -> files.get(get, system), pool).thenAccept(get.replyTo()::tell);
      return true;
    }
    return false;
  }
}
