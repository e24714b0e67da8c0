package io.dcloud.app;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.IntConsumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends the process of a node whose cluster membership ended without a signal (the cluster downed
 * it, or it failed), for its supervisor to start it again as a fresh member: once its actor system
 * has terminated, or, if termination hangs, {@code dcloud.node.terminate-timeout} after the
 * coordinated shutdown reached its last phase. A downed node's termination has hung for good (its
 * remoting flushing to peers that a partition cut off), and a node that neither serves nor exits
 * would never be replaced.
 */
final class LeftClusterExit {
  private static final Logger LOG = LoggerFactory.getLogger(LeftClusterExit.class);
  /** Exit status of a node whose cluster membership ended without a signal. */
  static final int STATUS = 3;

  private LeftClusterExit() {}

  /**
   * {@code signalled}: true once the process is stopping on purpose (its own shutdown hook), when
   * nothing is to be done; {@code exit} ends the process with the status, called on the actor
   * system's threads (System.exit belongs on a thread of its own: it waits for the shutdown hooks).
   */
  static void watch(ActorSystem<?> system, BooleanSupplier signalled, IntConsumer exit) {
    Duration timeout = system.settings().config().getDuration("dcloud.node.terminate-timeout");
    system.getWhenTerminated().thenRun(() -> {
      if (!signalled.getAsBoolean()) {
        LOG.warn("This node left the cluster (downed or failed): exiting");
        exit.accept(STATUS);
      }
    });
    CoordinatedShutdown.get(system).addTask(
        CoordinatedShutdown.PhaseBeforeActorSystemTerminate(), "dcloud-exit-if-termination-hangs", () -> {
          if (!signalled.getAsBoolean()) {
            // A copy: the time-out must not complete the system's own future.
            system.getWhenTerminated().toCompletableFuture().copy()
                .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .exceptionally(notTerminated -> {
                  LOG.warn("This node left the cluster and its actor system has not terminated {} s later "
                      + "(dcloud.node.terminate-timeout): exiting without it", timeout.toSeconds());
                  exit.accept(STATUS);
                  return null;
                });
          }
          return CompletableFuture.completedFuture(Done.getInstance());
        });
  }
}
