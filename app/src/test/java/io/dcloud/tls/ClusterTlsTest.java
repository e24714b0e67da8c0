package io.dcloud.tls;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cluster remoting over mutual TLS: the stores a node makes, and who can join with them. */
class ClusterTlsTest {
  private static final Duration JOINS_WITHIN = Duration.ofSeconds(30);
  /** How long a node of another CA keeps trying to join (Pekko re-sends InitJoin every second or so). */
  private static final Duration REFUSED_FOR = Duration.ofSeconds(5);

  @TempDir Path dir;
  private final List<ActorSystem<?>> systems = new ArrayList<>();

  @AfterEach
  void terminate() {
    systems.forEach(ActorSystem::terminate);
    systems.forEach(system -> system.getWhenTerminated().toCompletableFuture().join());
  }

  @Test
  void storesAreMadeOnceForTheOwnerAndTurnOnMutualTls() throws IOException {
    Path tls = dir.resolve("tls");
    Config first = ClusterTls.configure(config(tls, true));
    byte[] keyStore = Files.readAllBytes(tls.resolve("node.p12"));

    Config again = ClusterTls.configure(config(tls, true));

    assertThat(Files.readAllBytes(tls.resolve("node.p12"))).as("the CA of the first start is kept").isEqualTo(keyStore);
    for (String file : List.of("node.p12", "trust.p12", "password")) {
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(tls.resolve(file)))).as(file).isEqualTo("rw-------");
    }
    for (Config config : List.of(first, again)) {
      assertThat(config.getString("pekko.remote.artery.transport")).isEqualTo("tls-tcp");
      assertThat(config.getBoolean("pekko.remote.artery.ssl.config-ssl-engine.require-mutual-authentication")).isTrue();
      assertThat(config.getString("pekko.remote.artery.ssl.config-ssl-engine.key-store")).isEqualTo(tls.resolve("node.p12").toString());
      assertThat(config.getString("pekko.remote.artery.ssl.config-ssl-engine.key-store-password"))
          .isEqualTo(Files.readString(tls.resolve("password")).strip());
    }
  }

  @Test
  void offLeavesPlainTcp() {
    Config config = ClusterTls.configure(config(dir.resolve("tls"), false));

    assertThat(config.getString("pekko.remote.artery.transport")).isEqualTo("tcp");
    assertThat(dir.resolve("tls")).doesNotExist();
  }

  @Test
  void aStoreAloneIsNotCompletedWithAnotherCa() throws IOException {
    Path tls = dir.resolve("tls");
    ClusterTls.configure(config(tls, true));
    Files.delete(tls.resolve("trust.p12"));

    assertThatThrownBy(() -> ClusterTls.configure(config(tls, true)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("no trust store at " + tls.resolve("trust.p12"));
  }

  @Test
  void aNodeOfAnotherCaNeverJoinsWhileOneOfTheClustersCaDoes() {
    Path clusterCa = dir.resolve("cluster-tls");
    ActorSystem<?> first = start(clusterCa);
    Address firstAddress = Cluster.get(first).selfMember().address();
    Cluster.get(first).manager().tell(Join.create(firstAddress));
    await().atMost(JOINS_WITHIN).until(() -> members(first).equals(Set.of(firstAddress)));

    ActorSystem<?> stranger = start(dir.resolve("other-tls"));
    Cluster.get(stranger).manager().tell(Join.create(firstAddress));
    await("the first node still sees only itself").during(REFUSED_FOR).atMost(REFUSED_FOR.plusSeconds(5))
        .until(() -> members(first).equals(Set.of(firstAddress))
            && Cluster.get(stranger).selfMember().status() != MemberStatus.up());

    ActorSystem<?> member = start(clusterCa);
    Address memberAddress = Cluster.get(member).selfMember().address();
    Cluster.get(member).manager().tell(Join.create(firstAddress));
    await().atMost(JOINS_WITHIN).until(() -> members(first).equals(Set.of(firstAddress, memberAddress))
        && Cluster.get(member).selfMember().status() == MemberStatus.up());
    assertThat(Cluster.get(stranger).selfMember().status()).isNotEqualTo(MemberStatus.up());
    assertThat(members(first)).doesNotContain(Cluster.get(stranger).selfMember().address());
  }

  private ActorSystem<?> start(Path tls) {
    ActorSystem<?> system = ActorSystem.create(Behaviors.empty(), "dcloud", ClusterTls.configure(config(tls, true)));
    systems.add(system);
    return system;
  }

  /** Members the node knows of in any status: one of another CA must not even be Joining. */
  private static Set<Address> members(ActorSystem<?> system) {
    Set<Address> all = new java.util.HashSet<>();
    for (Member member : Cluster.get(system).state().getMembers()) {
      all.add(member.address());
    }
    return all;
  }

  /** application.conf as a node reads it, on a free port, with its TLS directory. */
  private Config config(Path tls, boolean enabled) {
    return ConfigFactory.load(ConfigFactory.parseMap(Map.of(
            "dcloud.cluster.tls.dir", tls.toString(),
            "dcloud.cluster.tls.enabled", enabled,
            "pekko.remote.artery.canonical.port", 0))
        .withFallback(ConfigFactory.parseResourcesAnySyntax("application")));
  }
}
