package io.dcloud.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.journal.JournalBackoff;
import io.dcloud.node.ScriptedRemovals;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The service index on the in-memory journal: it knows each service's owner, so a listing names
 * only the caller's services (and those registered by an earlier version, until they say whose
 * they are), and keeps that across a restart.
 */
class ServiceIndexTest {
  private static final Config CONFIG = PersistenceTestKitPlugin.getInstance().config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.load());
  private static final Duration WAIT = Duration.ofSeconds(10);

  private ActorTestKit testKit;
  private PersistenceTestKit journal;
  private final List<String> woken = new CopyOnWriteArrayList<>();

  @BeforeEach
  void start() {
    testKit = ActorTestKit.create("service-index-test", CONFIG);
    journal = PersistenceTestKit.create(testKit.system());
  }

  @AfterEach
  void stop() {
    testKit.shutdownTestKit();
  }

  private final ScriptedRemovals removals = new ScriptedRemovals();

  private ActorRef<ServiceIndex.Command> index() {
    return index(woken::add);
  }

  private ActorRef<ServiceIndex.Command> index(Consumer<String> wake) {
    return testKit.spawn(ServiceIndex.create(JournalBackoff.fromConfig(CONFIG), wake,
        new ServiceIndex.Waking(Duration.ofMillis(50), removals)));
  }

  private List<String> names(ActorRef<ServiceIndex.Command> index, String owner) {
    TestProbe<ServiceIndex.Names> probe = testKit.createTestProbe();
    index.tell(new ServiceIndex.ListNames(owner, probe.getRef()));
    return probe.receiveMessage(WAIT).names();
  }

  @Test
  void aListingNamesTheOwnersServicesAndThoseWhoseOwnerIsNotKnownYet() {
    ActorRef<ServiceIndex.Command> index = index();
    index.tell(new ServiceIndex.Register("web", "alice"));
    index.tell(new ServiceIndex.Register("api", "bob"));
    index.tell(new ServiceIndex.Register("old", null));

    assertThat(names(index, "alice")).containsExactly("old", "web");
    assertThat(names(index, "bob")).containsExactly("api", "old");
    assertThat(names(index, null)).containsExactly("api", "old", "web");

    index.tell(new ServiceIndex.Register("old", "bob"));
    index.tell(new ServiceIndex.Register("web", "alice"));
    assertThat(names(index, "alice")).containsExactly("web");
    assertThat(names(index, "bob")).containsExactly("api", "old");
    journal.expectNextPersisted("dcloud-service-index", new ServiceIndex.Registered("web", "alice"));
    journal.expectNextPersisted("dcloud-service-index", new ServiceIndex.Registered("api", "bob"));
    journal.expectNextPersisted("dcloud-service-index", new ServiceIndex.Registered("old", null));
    journal.expectNextPersisted("dcloud-service-index", new ServiceIndex.Registered("old", "bob"));
    journal.expectNothingPersisted("dcloud-service-index");

    index.tell(new ServiceIndex.Unregister("api"));
    assertThat(names(index, "bob")).containsExactly("old");
    testKit.stop(index);
    ActorRef<ServiceIndex.Command> recovered = index();
    assertThat(names(recovered, "alice")).containsExactly("web");
    assertThat(names(recovered, "bob")).containsExactly("old");
    assertThat(woken).containsExactlyInAnyOrder("old", "web");
  }

  /**
   * A service whose entity lived on a removed member is taken up again elsewhere before anyone
   * calls it: every service is woken, a few times, as its shard can take seconds to move.
   */
  @Test
  void everyServiceIsWokenAfterAMembersRemoval() {
    TestProbe<String> wake = testKit.createTestProbe();
    ActorRef<ServiceIndex.Command> index = index(wake.getRef()::tell);
    index.tell(new ServiceIndex.Register("web", "alice"));
    index.tell(new ServiceIndex.Register("api", "bob"));
    assertThat(names(index, null)).containsExactly("api", "web");

    removals.remove("pekko://dcloud@10.0.0.9:2552");

    List<String> woke = wake.receiveSeveralMessages(8, WAIT);
    assertThat(woke).filteredOn("web"::equals).hasSize(4);
    assertThat(woke).filteredOn("api"::equals).hasSize(4);
    wake.expectNoMessage(Duration.ofMillis(500));
  }
}
