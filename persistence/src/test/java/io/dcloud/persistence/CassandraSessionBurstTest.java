package io.dcloud.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The journal's session under a burst larger than a connection carries (1,024 requests in flight):
 * with DCloud's throttler the rest wait their turn, where without it they failed at once ("No
 * connection was available"), opened the journal's circuit breaker and failed every write behind
 * them (seen with thousands of environments created together).
 */
@Tag("cassandra")
class CassandraSessionBurstTest {
  private static final String PLUGIN = "pekko.persistence.cassandra";
  private static final int BURST = 4000;

  private static ActorTestKit testKit;
  private static CassandraSession session;

  @BeforeAll
  static void start() throws Exception {
    EmbeddedCassandra cassandra = SharedTestCassandra.get();
    Config config = cassandra.credentials().applyTo(ConfigFactory.load(ConfigFactory.parseString(
        "dcloud.cassandra.contact-points = [\"" + cassandra.contactPoint() + "\"]")));
    testKit = ActorTestKit.create("CassandraSessionBurstTest", config);
    session = CassandraSessionRegistry.get(testKit.system()).sessionFor(PLUGIN);
    session.executeDDL("CREATE KEYSPACE IF NOT EXISTS dcloud_burst_test WITH replication = "
        + "{'class': 'SimpleStrategy', 'replication_factor': 1}").toCompletableFuture().get(60, TimeUnit.SECONDS);
    session.executeDDL("CREATE TABLE IF NOT EXISTS dcloud_burst_test.writes (id int PRIMARY KEY, payload text)")
        .toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @AfterAll
  static void stop() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
  }

  @Test
  void aBurstOfWritesBeyondOneConnectionsCapacityAllSucceed() throws Exception {
    PreparedStatement insert = session.prepare("INSERT INTO dcloud_burst_test.writes (id, payload) VALUES (?, ?)")
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    AtomicInteger failed = new AtomicInteger();
    List<String> failures = new ArrayList<>();
    List<CompletableFuture<?>> writes = new ArrayList<>();
    for (int i = 0; i < BURST; i++) {
      writes.add(session.executeWrite(insert.bind(i, "event " + i)).toCompletableFuture().exceptionally(e -> {
        if (failed.incrementAndGet() <= 3) {
          synchronized (failures) {
            failures.add(e.toString());
          }
        }
        return null;
      }));
    }
    CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

    assertThat(failed.get()).as("writes failed, e.g. %s", failures).isZero();
    long count = session.selectOne("SELECT count(*) FROM dcloud_burst_test.writes").toCompletableFuture()
        .get(30, TimeUnit.SECONDS).orElseThrow().getLong(0);
    assertThat(count).isEqualTo(BURST);
  }
}
