package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.Test;

/**
 * A node the cluster downed ends its process with status 3, whether its actor system terminates or
 * its termination hangs (as it has on remoting cut off by a partition); one stopping on purpose does
 * not.
 */
class LeftClusterExitTest {
  private static final Config CONFIG = ConfigFactory.parseString("""
          pekko.actor.provider = cluster
          pekko.remote.artery.canonical.hostname = 127.0.0.1
          pekko.remote.artery.canonical.port = 0
          pekko.coordinated-shutdown.exit-jvm = off
          pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
          pekko.coordinated-shutdown.phases.actor-system-terminate.timeout = 1s
          dcloud.node.terminate-timeout = 2s
          """)
      .withFallback(ConfigFactory.load());

  @Test
  void aDownedNodeExitsOnceItsActorSystemTerminated() throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "downed", CONFIG);
    CompletableFuture<Integer> exited = new CompletableFuture<>();
    LeftClusterExit.watch(system, () -> false, exited::complete);

    down(system);

    assertThat(exited.get(30, TimeUnit.SECONDS)).isEqualTo(LeftClusterExit.STATUS);
    assertThat(system.getWhenTerminated().toCompletableFuture()).isDone();
  }

  @Test
  void aDownedNodeWhoseTerminationHangsExitsAnyway() throws Exception {
    CountDownLatch stuckUntil = new CountDownLatch(1);
    // A child that does not stop keeps the actor system from terminating, as remoting that cannot flush did.
    ActorSystem<Void> system = ActorSystem.create(Behaviors.setup(context -> {
      context.spawn(Behaviors.receive(Object.class).onSignal(PostStop.class, stopped -> {
        stuckUntil.await(60, TimeUnit.SECONDS);
        return Behaviors.same();
      }).build(), "stuck");
      return Behaviors.empty();
    }), "downed-stuck", CONFIG);
    CompletableFuture<Integer> exited = new CompletableFuture<>();
    LeftClusterExit.watch(system, () -> false, exited::complete);

    down(system);

    assertThat(exited.get(30, TimeUnit.SECONDS)).isEqualTo(LeftClusterExit.STATUS);
    assertThat(system.getWhenTerminated().toCompletableFuture()).as("exited while termination hung").isNotDone();
    stuckUntil.countDown();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  @Test
  void aNodeStoppedOnPurposeLeavesTheExitToItsShutdownHook() throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "stopped", CONFIG);
    CompletableFuture<Integer> exited = new CompletableFuture<>();
    // Asked twice: at the coordinated shutdown's last phase and once terminated.
    CountDownLatch asked = new CountDownLatch(2);
    LeftClusterExit.watch(system, () -> {
      asked.countDown();
      return true;
    }, exited::complete);

    system.terminate();

    assertThat(asked.await(30, TimeUnit.SECONDS)).isTrue();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(exited).isNotDone();
  }

  private static void down(ActorSystem<?> system) {
    Cluster cluster = Cluster.get(system);
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    cluster.manager().tell(new Down(cluster.selfMember().address()));
  }
}
