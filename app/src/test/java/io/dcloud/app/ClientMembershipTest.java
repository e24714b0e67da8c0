package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.client.DCloudClient;
import io.dcloud.serialization.CborSerializable;
import io.dcloud.tls.ClusterTls;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetClusterShardingStats;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A client member (DCloudClient, over the cluster's mutual TLS with a certificate of its CA) hosts
 * nothing and decides nothing: with app's configuration a node shards among servers only, even when
 * the oldest member — where an unrestricted shard coordinator would have to run — is a client, and
 * replicates DCloud's state among servers only; and
 * when both clients of a cluster of one control node and two clients vanish at once, the control node
 * stays up and downs them (were clients counted, it would be the minority and down itself).
 */
class ClientMembershipTest {
  private static final String CLUSTER = "dcloud-membership";
  private static final Duration WITHIN = Duration.ofSeconds(60);
  private static final EntityTypeKey<Echo> PROBE_TYPE = EntityTypeKey.create(Echo.class, "membership-probe");

  /** What the probe entity answers: where it lives. */
  record Echo(ActorRef<Address> replyTo) implements CborSerializable {}

  @TempDir
  Path dir;

  private ActorSystem<?> node;
  private DCloudClient oldest;
  private DCloudClient second;

  @AfterEach
  void stop() {
    for (DCloudClient client : new DCloudClient[] {second, oldest}) {
      if (client != null && !client.system().whenTerminated().isCompleted()) {
        client.system().terminate();
      }
    }
    if (node != null) {
      node.terminate();
      node.getWhenTerminated().toCompletableFuture().join();
    }
  }

  @Test
  void aClientHostsNoShardAndCountsInNoDowningDecision() throws IOException {
    int clientPort = freePort();
    String seed = "pekko://" + CLUSTER + "@127.0.0.1:" + clientPort;
    // The client founds the cluster (its own address is the first seed), so it is the oldest member.
    oldest = DCloudClient.start(clientConfig(seed, clientPort));
    await(() -> Cluster.get(oldest.system()).selfMember().status() == MemberStatus.up(), "the first client is up");

    node = ActorSystem.create(Behaviors.empty(), CLUSTER, nodeConfig(seed));
    Cluster nodeCluster = Cluster.get(node);
    await(() -> nodeCluster.selfMember().status() == MemberStatus.up(), "the control node is up");
    second = DCloudClient.start(clientConfig(seed, 0));
    await(() -> members(node).size() == 3, "both clients and the node are members");
    assertThat(nodeCluster.selfMember().getRoles()).contains(ServerRole.ROLE, "control");
    assertThat(Cluster.get(second.system()).selfMember().getRoles()).doesNotContain(ServerRole.ROLE);

    ClusterSharding sharding = ClusterSharding.get(node);
    Address nodeAddress = nodeCluster.selfMember().address();
    sharding.init(Entity.of(PROBE_TYPE, context -> Behaviors.receiveMessage(echo -> {
      echo.replyTo().tell(nodeAddress);
      return Behaviors.same();
    })));
    TestProbe<Address> where = TestProbe.create(node);
    for (int i = 0; i < 20; i++) {
      sharding.entityRefFor(PROBE_TYPE, "environment-" + i).tell(new Echo(where.getRef()));
      assertThat(where.receiveMessage(Duration.ofSeconds(30))).isEqualTo(nodeAddress);
    }
    TestProbe<ShardRegion.ClusterShardingStats> stats = TestProbe.create(node);
    sharding.shardState().tell(new GetClusterShardingStats(PROBE_TYPE, Duration.ofSeconds(10), stats.getRef()));
    assertThat(stats.expectMessageClass(ShardRegion.ClusterShardingStats.class, Duration.ofSeconds(15)).getRegions().keySet())
        .as("the regions holding shards").containsExactly(nodeCluster.selfMember().address());

    TestProbe<Replicator.ReplicaCount> replicas = TestProbe.create(node);
    DistributedData.get(node).replicator().tell(new Replicator.GetReplicaCount(replicas.getRef()));
    assertThat(replicas.receiveMessage(Duration.ofSeconds(10)).n()).as("replicas of DCloud's replicated state").isEqualTo(1);

    // Both clients vanish without leaving: two of three members are unreachable at once.
    Address first = Cluster.get(oldest.system()).selfMember().address();
    Address other = Cluster.get(second.system()).selfMember().address();
    oldest.system().terminate();
    second.system().terminate();
    await(() -> !members(node).contains(first) && !members(node).contains(other), "the control node removed both clients");
    assertThat(nodeCluster.selfMember().status()).isEqualTo(MemberStatus.up());
    assertThat(node.whenTerminated().isCompleted()).isFalse();
  }

  private Config nodeConfig(String seed) {
    Config overrides = ConfigFactory.parseString("""
            dcloud.data-dir = "%s"
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.roles = ["control"]
            pekko.cluster.seed-nodes = ["%s"]
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            """.formatted(dir, seed))
        .withFallback(fastDowning())
        .withFallback(PersistenceTestKitPlugin.getInstance().config())
        .withFallback(PersistenceTestKitSnapshotPlugin.config());
    Config app = ConfigFactory.load(overrides.withFallback(ConfigFactory.parseResources("application.conf")));
    return ServerRole.added(ClusterTls.configure(app));
  }

  /** A client with the node's certificate: any key store the cluster's CA signed will do. */
  private Config clientConfig(String seed, int port) {
    Path tls = dir.resolve("tls");
    Config config = ConfigFactory.parseString("""
            dcloud.client {
              cluster-name = "%s"
              seed-nodes = ["%s"]
              tls {
                key-store = "%s"
                trust-store = "%s"
                password-file = "%s"
              }
              pekko.remote.artery.canonical.port = %d
              pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
              # Vanish without leaving, as a crashed process would.
              pekko.coordinated-shutdown.run-by-actor-system-terminate = off
            }
            """.formatted(CLUSTER, seed, tls.resolve("node.p12"), tls.resolve("trust.p12"), tls.resolve("password"), port))
        .withFallback(fastDowning().atPath("dcloud.client"));
    if (!Files.exists(tls.resolve("node.p12"))) {
      // The node's stores are made on its first start; the first client starts before it.
      ClusterTls.configure(ConfigFactory.load(ConfigFactory.parseString("dcloud.data-dir = \"" + dir + "\"")
          .withFallback(ConfigFactory.parseResources("application.conf"))));
    }
    return ConfigFactory.load(config);
  }

  private static Config fastDowning() {
    return ConfigFactory.parseString("""
        pekko.cluster.split-brain-resolver.stable-after = 2s
        pekko.cluster.failure-detector.heartbeat-interval = 500ms
        pekko.cluster.failure-detector.acceptable-heartbeat-pause = 2s
        """);
  }

  private static Set<Address> members(ActorSystem<?> system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .map(member -> member.address())
        .collect(Collectors.toSet());
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void await(Callable<Boolean> condition, String what) {
    Awaitility.await(what).atMost(WITHIN).until(condition);
  }
}
