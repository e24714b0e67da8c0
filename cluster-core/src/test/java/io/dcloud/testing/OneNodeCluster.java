package io.dcloud.testing;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;

/**
 * A cluster of one node that has joined itself, with the in-memory journal and every message
 * serialized as between nodes, for actors that need a cluster (Distributed Data, sharding,
 * singletons). Its journal lives as long as its actor system: actors stopped and started again on
 * it recover what they wrote.
 */
public final class OneNodeCluster {
  private static final Duration JOIN_TIMEOUT = Duration.ofSeconds(20);

  private OneNodeCluster() {}

  public static ActorTestKit start(String name) {
    return start(name, ConfigFactory.empty());
  }

  /** With {@code overrides} taking precedence (another snapshot store, say). */
  public static ActorTestKit start(String name, Config overrides) {
    Config config = overrides.withFallback(ConfigFactory.parseString("""
            pekko.actor.provider = cluster
            pekko.remote.artery.canonical.hostname = "127.0.0.1"
            pekko.remote.artery.canonical.port = 0
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            pekko.actor.serialize-messages = on
            pekko.loggers = ["org.apache.pekko.event.slf4j.Slf4jLogger"]
            pekko.logging-filter = "org.apache.pekko.event.slf4j.Slf4jLoggingFilter"
            """))
        .withFallback(PersistenceTestKitPlugin.getInstance().config())
        .withFallback(PersistenceTestKitSnapshotPlugin.config())
        .withFallback(ConfigFactory.load());
    ActorTestKit testKit = ActorTestKit.create(name, config);
    Cluster cluster = Cluster.get(testKit.system());
    cluster.manager().tell(Join.create(cluster.selfMember().address()));
    testKit.createTestProbe().awaitAssert(JOIN_TIMEOUT, () -> {
      if (cluster.selfMember().status() != MemberStatus.up()) {
        throw new AssertionError("not up yet: " + cluster.selfMember().status());
      }
      return null;
    });
    return testKit;
  }
}
