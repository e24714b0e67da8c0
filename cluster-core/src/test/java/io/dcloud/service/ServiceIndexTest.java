package io.dcloud.service;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.journal.JournalBackoff;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
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

  private ActorRef<ServiceIndex.Command> index() {
    return testKit.spawn(ServiceIndex.create(JournalBackoff.fromConfig(CONFIG), woken::add));
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
}
