package io.dcloud.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.cql.SimpleStatement;
import com.datastax.oss.driver.api.core.metadata.Node;
import io.dcloud.testing.LogCapture;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A joining node whose seed is not up yet: Cassandra gives up ("Unable to gossip with any peers"),
 * and {@link EmbeddedCassandra#start} starts it again until the seed answers and it joins, logging in with
 * the cluster's role.
 */
@Tag("cassandra")
class EmbeddedCassandraJoinTest {
  private static final Duration DEADLINE = Duration.ofSeconds(240);

  @TempDir Path dataDir;

  @Test
  void aNodeStartedBeforeItsSeedJoinsOnceTheSeedIsUp() throws Exception {
    InetAddress seedHost = InetAddress.getByName("127.0.0.1");
    int seedStoragePort;
    try (ServerSocket probe = new ServerSocket(0, 1, seedHost)) {
      seedStoragePort = probe.getLocalPort();
    }
    EmbeddedCassandra.Settings base = CassandraTestSupport.settings(dataDir.resolve("joiner"));
    EmbeddedCassandra.Settings joinerSettings = new EmbeddedCassandra.Settings(base.libDir(), base.dataDir(),
        "127.0.0.2", 0, 0, "384M", DEADLINE, Duration.ofSeconds(10), base.credentials(),
        List.of("127.0.0.1:" + seedStoragePort), Duration.ofSeconds(2));
    LogCapture driver = LogCapture.of("com.datastax.oss.driver");
    CompletableFuture<EmbeddedCassandra> joining = CompletableFuture.supplyAsync(() -> EmbeddedCassandra.start(joinerSettings));
    Path joinerConsole = base.dataDir().resolve(DataLayout.CONSOLE_FILE);
    awaitGivenUp(joinerConsole, joining);

    EmbeddedCassandra seed = EmbeddedCassandra.start(
        CassandraTestSupport.settings(dataDir.resolve("seed")).withPorts(0, seedStoragePort));
    try (EmbeddedCassandra joiner = joining.get(DEADLINE.toSeconds(), TimeUnit.SECONDS)) {
      // The joiner logs in with DCloud's role, which the cluster has, not with the default superuser, which it
      // dropped; the seed waits for its default superuser before it logs in: no refused login for the driver to
      // warn of as of a misconfiguration.
      driver.close();
      assertThat(driver.messages(Level.WARN)).noneMatch(message -> message.contains("Authentication error"));
      // The joiner bootstrapped from the seed, so it names it; the seed hears of the joiner's NORMAL state by
      // gossip, a moment after the joiner opened its CQL port.
      assertThat(peersSeenBy(joiner)).containsExactly("127.0.0.1");
      Awaitility.await("the seed to hear of the joiner").atMost(DEADLINE).untilAsserted(() -> {
        assertThat(joiner.isRunning()).isTrue();
        assertThat(peersSeenBy(seed)).containsExactly("127.0.0.2");
      });
    } finally {
      seed.close();
    }
  }

  /** {@code system.peers_v2} as the node itself answers it. */
  private static List<String> peersSeenBy(EmbeddedCassandra cassandra) {
    try (CqlSession session = CassandraTestSupport.session(cassandra)) {
      Node self = session.getMetadata().getNodes().values().stream()
          .filter(node -> node.getEndPoint().resolve().equals(cassandra.cqlAddress())).findFirst().orElseThrow();
      return session.execute(SimpleStatement.newInstance("SELECT peer FROM system.peers_v2").setNode(self)).all()
          .stream().map(row -> row.getInetAddress("peer").getHostAddress()).toList();
    }
  }

  /** Until the joiner's first start has said it heard no seed; fails if the start ends first. */
  private static void awaitGivenUp(Path console, CompletableFuture<EmbeddedCassandra> joining) throws Exception {
    long deadline = System.nanoTime() + DEADLINE.toNanos();
    while (!(Files.isRegularFile(console) && Files.readString(console).contains("Unable to gossip with any peers"))) {
      assertThat(joining).as("the joiner's start, before it gave up on its seed once").isNotDone();
      assertThat(System.nanoTime() - deadline).as("time left to give up on the seed").isNegative();
      try {
        joining.get(200, TimeUnit.MILLISECONDS);
      } catch (TimeoutException stillStarting) {
        // the joiner is still starting: look at its console again
      }
    }
  }
}
