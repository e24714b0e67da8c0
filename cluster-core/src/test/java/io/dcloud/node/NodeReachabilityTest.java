package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two real cluster members in this JVM: "a" asks about the node whose actor "b" registers, then b's
 * process dies without leaving (as under kill -9), and a's failure detector must make the node
 * unreachable for a's callers.
 */
class NodeReachabilityTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private static final String NODE = "node-b";

  private ActorTestKit a;
  private ActorTestKit b;

  private static Config config() {
    return ConfigFactory.parseString("""
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = "127.0.0.1"
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            # no downing: the dead member stays unreachable, and neither side downs itself
            pekko.cluster.downing-provider-class = ""
            pekko.cluster.failure-detector.heartbeat-interval = 500ms
            pekko.cluster.failure-detector.acceptable-heartbeat-pause = 2s
            # stopping is dying, not leaving: b vanishes as under kill -9, and a cannot leave a
            # cluster whose other member is unreachable (it would wait for convergence)
            pekko.coordinated-shutdown.run-by-actor-system-terminate = off
            pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
            pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
            """)
        .withFallback(ConfigFactory.load());
  }

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

  @BeforeEach
  void meter() {
    Metrics.addRegistry(meters);
  }

  @AfterEach
  void stop() {
    Metrics.removeRegistry(meters);
    if (b != null) {
      b.shutdownTestKit();
    }
    if (a != null) {
      a.shutdownTestKit();
    }
  }

  @Test
  void aNodeWhoseProcessDiesBecomesUnreachableWhileOneNeverRegisteredStaysReachable() throws InterruptedException {
    a = ActorTestKit.create("reachability", config());
    b = ActorTestKit.create("reachability", config());
    // One cluster needs one actor system name.
    Cluster clusterA = Cluster.get(a.system());
    clusterA.manager().tell(Join.create(clusterA.selfMember().address()));
    Cluster.get(b.system()).manager().tell(Join.create(clusterA.selfMember().address()));
    a.createTestProbe().awaitAssert(WAIT, () -> {
      assertThat(clusterA.state().getMembers()).hasSize(2).allMatch(member -> member.status() == MemberStatus.up());
      return null;
    });

    ActorRef<NodeProtocol.Command> nodeActor = b.spawn(Behaviors.ignore(), "node");
    b.system().receptionist().tell(Receptionist.register(NodeProtocol.serviceKey(NODE), nodeActor));
    TestProbe<Receptionist.Listing> seenFromA = a.createTestProbe();
    a.system().receptionist().tell(Receptionist.subscribe(NodeProtocol.serviceKey(NODE), seenFromA.ref()));
    seenFromA.fishForMessage(WAIT, listing -> listing.getServiceInstances(NodeProtocol.serviceKey(NODE)).isEmpty()
        ? FishingOutcomes.continueAndIgnore()
        : FishingOutcomes.complete());

    NodeReachability reachability = NodeReachability.get(a.system());
    assertThat(reachability.reachable(NODE)).as("registered on a member that answers").isTrue();
    assertThat(reachability.reachable("never-registered")).isTrue();

    CountDownLatch toldOfLoss = new CountDownLatch(1);
    reachability.whenUnreachable(NODE, toldOfLoss::countDown);
    LinkedBlockingQueue<String> removed = new LinkedBlockingQueue<>();
    reachability.whenMembersRemoved(removed::add);
    String addressOfB = Cluster.get(b.system()).selfMember().address().toString();
    AtomicBoolean cancelledWasTold = new AtomicBoolean();
    reachability.whenUnreachable(NODE, () -> cancelledWasTold.set(true)).run();

    b.system().terminate();
    a.createTestProbe().awaitAssert(WAIT, () -> {
      assertThat(reachability.reachable(NODE)).as("its member unreachable").isFalse();
      return null;
    });
    assertThat(toldOfLoss.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("a watcher told of the loss").isTrue();
    assertThat(meters.get("dcloud.reachability.unreachable.nodes").gauge().value()).isEqualTo(1.0);
    CountDownLatch toldAtOnce = new CountDownLatch(1);
    reachability.whenUnreachable(NODE, toldAtOnce::countDown);
    assertThat(toldAtOnce.await(WAIT.toSeconds(), TimeUnit.SECONDS)).as("a watch begun after the loss").isTrue();
    assertThat(cancelledWasTold).as("a cancelled watch").isFalse();
    assertThat(reachability.reachable("never-registered")).isTrue();
    assertThat(NodeReachability.get(a.system())).as("one per actor system").isSameAs(reachability);
    assertThat(removed).as("unreachable is not removed").isEmpty();

    clusterA.manager().tell(new Down(Cluster.get(b.system()).selfMember().address()));
    assertThat(removed.poll(WAIT.toSeconds(), TimeUnit.SECONDS)).as("b's removal, once downed").isEqualTo(addressOfB);
  }
}
