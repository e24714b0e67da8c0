package io.dcloud.environment;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.resources.Resources;
import io.dcloud.spec.EnvironmentSpec;
import io.dcloud.spec.ServiceBinding;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.ProcessingSuccess$;
import org.apache.pekko.persistence.testkit.ReadEvents;
import org.apache.pekko.persistence.testkit.StorageFailure;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The read side: live events in order, duplicates ignored, gaps filled from the journal, and a
 * journal that fails to read does not stop it.
 */
class EnvironmentDirectoryTest {
  private static final Config CONFIG = PersistenceTestKitPlugin.getInstance().config()
      .withFallback(ConfigFactory.parseString("pekko.actor.provider = local"))
      .withFallback(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create("directory-test", CONFIG);
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  private static final Duration WAIT = Duration.ofSeconds(5);
  private static final Instant AT = Instant.parse("2026-11-23T10:00:00Z");
  /** Each directory's folded environments, as its gateway would hold them. */
  private static final Map<ActorRef<EnvironmentDirectory.Command>, FoldedEnvironments> FOLDED = new ConcurrentHashMap<>();
  /** Refreshes often enough that a test sees several in a second. */
  private static final Duration FAST_REFRESH = Duration.ofMillis(100);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static EnvironmentEntity.Requested requested(String name) {
    return EnvironmentEvents.requested(name, AT);
  }

  private static ActorRef<EnvironmentDirectory.Command> directory() {
    return directory(Duration.ofMinutes(1));
  }

  private static ActorRef<EnvironmentDirectory.Command> directory(Duration refreshInterval) {
    ActorRef<Topic.Command<EnvironmentEntity.Persisted>> events = testKit.spawn(
        Topic.create(EnvironmentEntity.Persisted.class, EnvironmentEntity.EVENTS_TOPIC + UUID.randomUUID()));
    FoldedEnvironments folded = new FoldedEnvironments();
    ActorRef<EnvironmentDirectory.Command> directory = testKit.spawn(
        EnvironmentDirectory.create(PersistenceTestKitReadJournal.Identifier(), events, refreshInterval, Duration.ofMinutes(1), folded));
    FOLDED.put(directory, folded);
    return directory;
  }

  /** What {@code directory} has folded of {@code id}, read as a gateway does, after the messages told it before (a count orders them). */
  private static EnvironmentDirectory.GetReply get(ActorRef<EnvironmentDirectory.Command> directory, String id) {
    TestProbe<EnvironmentDirectory.StatusCounts> probe = testKit.createTestProbe();
    directory.tell(new EnvironmentDirectory.CountByStatus(probe.getRef()));
    probe.receiveMessage(WAIT);
    return FOLDED.get(directory).get(id);
  }

  private static List<EnvironmentView> list(ActorRef<EnvironmentDirectory.Command> directory, EnvironmentStatus status, String name) {
    TestProbe<EnvironmentDirectory.Listing> probe = testKit.createTestProbe();
    directory.tell(new EnvironmentDirectory.ListEnvironments(status, name, probe.getRef()));
    return probe.receiveMessage(WAIT).environments();
  }

  @Test
  void foldsLiveEventsInOrderAndIgnoresDuplicates() {
    ActorRef<EnvironmentDirectory.Command> directory = directory();
    String id = UUID.randomUUID().toString();
    directory.tell(new EnvironmentDirectory.Apply(id, 1, requested("live")));
    directory.tell(new EnvironmentDirectory.Apply(id, 2, new EnvironmentEntity.PlacedOnNode("n1", List.of(), AT)));
    directory.tell(new EnvironmentDirectory.Apply(id, 2, new EnvironmentEntity.PlacementRefused("duplicate", AT)));

    List<EnvironmentView> placed = list(directory, EnvironmentStatus.PLACED, "live");
    assertThat(placed).extracting(EnvironmentView::id).containsExactly(id);
    assertThat(placed.get(0).node()).isEqualTo("n1");
    assertThat(list(directory, EnvironmentStatus.FAILED, null)).isEmpty();
  }

  @Test
  void listsTheEnvironmentsPlacedOnANode() {
    ActorRef<EnvironmentDirectory.Command> directory = directory();
    String onFirst = UUID.randomUUID().toString();
    String onSecond = UUID.randomUUID().toString();
    String waiting = UUID.randomUUID().toString();
    for (String id : List.of(onFirst, onSecond, waiting)) {
      directory.tell(new EnvironmentDirectory.Apply(id, 1, requested("placed")));
    }
    directory.tell(new EnvironmentDirectory.Apply(onFirst, 2, new EnvironmentEntity.PlacedOnNode("n1", List.of(), AT)));
    directory.tell(new EnvironmentDirectory.Apply(onSecond, 2, new EnvironmentEntity.PlacedOnNode("n2", List.of(), AT)));

    TestProbe<EnvironmentDirectory.Listing> probe = testKit.createTestProbe();
    directory.tell(new EnvironmentDirectory.ListEnvironments(null, null, "n1", null, null, probe.getRef()));
    assertThat(probe.receiveMessage(WAIT).environments()).extracting(EnvironmentView::id).containsExactly(onFirst);
    directory.tell(new EnvironmentDirectory.ListEnvironments(null, "placed", null, null, null, probe.getRef()));
    assertThat(probe.receiveMessage(WAIT).environments()).hasSize(3);
  }

  @Test
  void listsTheEnvironmentsWhoseIdStartsWithAPrefix() {
    ActorRef<EnvironmentDirectory.Command> directory = directory();
    String first = "0a1b2c3d-0000-4000-8000-000000000001";
    String second = "0a1b9999-0000-4000-8000-000000000002";
    String other = "ffff0000-0000-4000-8000-000000000003";
    for (String id : List.of(first, second, other)) {
      directory.tell(new EnvironmentDirectory.Apply(id, 1, requested("prefixed")));
    }

    TestProbe<EnvironmentDirectory.Listing> probe = testKit.createTestProbe();
    directory.tell(new EnvironmentDirectory.ListEnvironments(
        null, null, null, "0a1b", null, null, EnvironmentDirectory.Page.ALL, probe.getRef()));
    assertThat(probe.receiveMessage(WAIT).environments()).extracting(EnvironmentView::id).containsExactly(first, second);
    directory.tell(new EnvironmentDirectory.ListEnvironments(
        null, null, null, "0a1b2", null, null, EnvironmentDirectory.Page.ALL, probe.getRef()));
    assertThat(probe.receiveMessage(WAIT).environments()).extracting(EnvironmentView::id).containsExactly(first);
    directory.tell(new EnvironmentDirectory.ListEnvironments(
        null, null, null, "0a1c", null, null, EnvironmentDirectory.Page.ALL, probe.getRef()));
    assertThat(probe.receiveMessage(WAIT).environments()).isEmpty();
  }

  @Test
  void deletedEnvironmentsAreListedOnlyWhenAskedForByTheirStatus() {
    ActorRef<EnvironmentDirectory.Command> directory = directory();
    String kept = UUID.randomUUID().toString();
    String deleted = UUID.randomUUID().toString();
    for (String id : List.of(kept, deleted)) {
      directory.tell(new EnvironmentDirectory.Apply(id, 1, requested("churn")));
    }
    directory.tell(new EnvironmentDirectory.Apply(deleted, 2, new EnvironmentEntity.Deleted(AT, "bob")));

    assertThat(list(directory, null, "churn")).extracting(EnvironmentView::id).containsExactly(kept);
    assertThat(list(directory, EnvironmentStatus.DELETED, "churn")).extracting(EnvironmentView::id).containsExactly(deleted);
  }

  @Test
  void pagesThroughAListingInCreationOrderEachEnvironmentOnce() {
    ActorRef<EnvironmentDirectory.Command> directory = directory();
    List<String> created = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      String id = UUID.randomUUID().toString();
      directory.tell(new EnvironmentDirectory.Apply(id, 1, EnvironmentEvents.requested("paged", AT.plusSeconds(i))));
      created.add(id);
    }
    // Two created in the same millisecond: their ids order them.
    String twinA = "00000000-0000-0000-0000-00000000000a";
    String twinB = "00000000-0000-0000-0000-00000000000b";
    directory.tell(new EnvironmentDirectory.Apply(twinB, 1, EnvironmentEvents.requested("paged", AT.plusSeconds(2))));
    directory.tell(new EnvironmentDirectory.Apply(twinA, 1, EnvironmentEvents.requested("paged", AT.plusSeconds(2))));
    List<String> inOrder = new ArrayList<>(created.subList(0, 2));
    List<String> atTwo = new ArrayList<>(List.of(created.get(2), twinA, twinB));
    atTwo.sort(null);
    inOrder.addAll(atTwo);
    inOrder.addAll(created.subList(3, 5));

    List<String> seen = new ArrayList<>();
    EnvironmentDirectory.Position after = null;
    int pages = 0;
    do {
      EnvironmentDirectory.Listing page = page(directory, "paged", new EnvironmentDirectory.Page(3, after));
      assertThat(page.environments()).hasSizeLessThanOrEqualTo(3);
      page.environments().forEach(view -> seen.add(view.id()));
      after = page.next();
      if (pages++ == 0) {
        // Created while the client pages: before where it stands, so not in its later pages; the rest unmoved.
        directory.tell(new EnvironmentDirectory.Apply(UUID.randomUUID().toString(), 1, EnvironmentEvents.requested("paged", AT.minusSeconds(1))));
        directory.tell(new EnvironmentDirectory.Apply(created.get(0), 2, new EnvironmentEntity.Deleted(AT, "bob")));
      }
    } while (after != null);

    assertThat(seen).containsExactlyElementsOf(inOrder);
    assertThat(pages).isEqualTo(3);
    assertThat(page(directory, "paged", EnvironmentDirectory.Page.ALL).environments()).hasSize(7);
  }

  private static EnvironmentDirectory.Listing page(
      ActorRef<EnvironmentDirectory.Command> directory, String name, EnvironmentDirectory.Page page) {
    TestProbe<EnvironmentDirectory.Listing> probe = testKit.createTestProbe();
    directory.tell(new EnvironmentDirectory.ListEnvironments(null, name, null, null, null, null, page, probe.getRef()));
    return probe.receiveMessage(WAIT);
  }

  @Test
  void forgetsACollectedEnvironmentButNoneThatIsNotDeleted() {
    ActorRef<EnvironmentDirectory.Command> directory = directory();
    String collected = UUID.randomUUID().toString();
    String running = UUID.randomUUID().toString();
    for (String id : List.of(collected, running)) {
      directory.tell(new EnvironmentDirectory.Apply(id, 1, requested("collected")));
    }
    directory.tell(new EnvironmentDirectory.Apply(collected, 2, new EnvironmentEntity.Deleted(AT, "bob")));
    directory.tell(new EnvironmentDirectory.Forget(collected));
    directory.tell(new EnvironmentDirectory.Forget(running));

    assertThat(get(directory, collected)).isEqualTo(new EnvironmentDirectory.Unknown(collected));
    assertThat(list(directory, EnvironmentStatus.DELETED, "collected")).isEmpty();
    assertThat(list(directory, null, "collected")).extracting(EnvironmentView::id).containsExactly(running);
    TestProbe<EnvironmentDirectory.StatusCounts> counts = testKit.createTestProbe();
    directory.tell(new EnvironmentDirectory.CountByStatus(counts.getRef()));
    assertThat(counts.receiveMessage(WAIT).counts())
        .containsEntry(EnvironmentStatus.DELETED, 0L)
        .containsEntry(EnvironmentStatus.REQUESTED, 1L);
  }

  @Test
  void countsTheEnvironmentsInEachStatusAsItAppliesTheirChanges() {
    ActorRef<EnvironmentDirectory.Command> directory = directory();
    String placed = UUID.randomUUID().toString();
    String waiting = UUID.randomUUID().toString();
    String deleted = UUID.randomUUID().toString();
    for (String id : List.of(placed, waiting, deleted)) {
      directory.tell(new EnvironmentDirectory.Apply(id, 1, requested("counted")));
    }
    directory.tell(new EnvironmentDirectory.Apply(placed, 2, new EnvironmentEntity.PlacedOnNode("n1", List.of(), AT)));
    directory.tell(new EnvironmentDirectory.Apply(placed, 2, new EnvironmentEntity.PlacementRefused("a duplicate: not counted", AT)));
    directory.tell(new EnvironmentDirectory.Apply(deleted, 2, new EnvironmentEntity.Deleted(AT, "bob")));

    TestProbe<EnvironmentDirectory.StatusCounts> counts = testKit.createTestProbe();
    directory.tell(new EnvironmentDirectory.CountByStatus(counts.getRef()));
    assertThat(counts.receiveMessage(WAIT).counts()).as("each environment once, in its status now")
        .containsEntry(EnvironmentStatus.REQUESTED, 1L)
        .containsEntry(EnvironmentStatus.PLACED, 1L)
        .containsEntry(EnvironmentStatus.DELETED, 1L)
        .doesNotContainEntry(EnvironmentStatus.FAILED, 1L);
  }

  @Test
  void countsEachServicesReplicasThatAreNotDeleted() {
    ActorRef<EnvironmentDirectory.Command> directory = directory();
    List<String> replicas = List.of(UUID.randomUUID().toString(), UUID.randomUUID().toString());
    for (String id : replicas) {
      EnvironmentSpec s = requested("web-replica").spec();
      EnvironmentSpec replica = new EnvironmentSpec(s.name(), s.version(), s.os(), s.osRelease(), s.languages(), s.resources(),
          s.datasets(), s.ports(), s.storage(), s.command(), s.env(), s.constraints(), s.restartPolicy(), s.secretEnv(),
          s.idleTimeout(), new ServiceBinding("web", 8080, "/ready"));
      directory.tell(new EnvironmentDirectory.Apply(id, 1,
          new EnvironmentEntity.Requested(replica, requested("web-replica").recipe(), AT, "alice")));
    }
    directory.tell(new EnvironmentDirectory.Apply(UUID.randomUUID().toString(), 1, requested("no-replica")));
    TestProbe<EnvironmentDirectory.Usage> usage = testKit.createTestProbe();

    directory.tell(new EnvironmentDirectory.GetUsage("alice", Set.of(), Set.of(), Set.of("web", "api"), usage.getRef()));
    assertThat(usage.receiveMessage(WAIT).replicas()).isEqualTo(Map.of("web", 2, "api", 0));

    directory.tell(new EnvironmentDirectory.Apply(replicas.get(0), 2, new EnvironmentEntity.Deleted(AT, "alice")));
    directory.tell(new EnvironmentDirectory.GetUsage("alice", Set.of(), Set.of(), Set.of("web"), usage.getRef()));
    assertThat(usage.receiveMessage(WAIT).replicas()).as("a deleted one is no replica of it").isEqualTo(Map.of("web", 1));
  }

  @Test
  void keepsEachOwnersUsageAndTheirRequestsForTheAudit() {
    ActorRef<EnvironmentDirectory.Command> directory = directory();
    String running = UUID.randomUUID().toString();
    String stopped = UUID.randomUUID().toString();
    EnvironmentEntity.Requested first = requested("mine");
    EnvironmentEntity.Requested second = requested("also-mine");
    directory.tell(new EnvironmentDirectory.Apply(running, 1,
        new EnvironmentEntity.Requested(first.spec(), first.recipe(), AT, "alice")));
    directory.tell(new EnvironmentDirectory.Apply(stopped, 1,
        new EnvironmentEntity.Requested(second.spec(), second.recipe(), AT, "alice", "10.0.0.7")));
    directory.tell(new EnvironmentDirectory.Apply(stopped, 2,
        new EnvironmentEntity.Stopped("stopped by alice before it was placed", AT, "alice", "10.0.0.8")));
    directory.tell(new EnvironmentDirectory.Apply(stopped, 3, new EnvironmentEntity.Stopped("its container stopped", AT)));
    directory.tell(new EnvironmentDirectory.Apply(stopped, 4, new EnvironmentEntity.Deleted(AT.plusSeconds(1), "bob")));
    directory.tell(new EnvironmentDirectory.Apply(running, 2,
        new EnvironmentEntity.RestartRequested(AT.plusSeconds(2), "alice", "10.0.0.9")));
    // A resize that restarts: the user's one request is one line, the restart part of it.
    directory.tell(new EnvironmentDirectory.Apply(running, 3, new EnvironmentEntity.Resized(
        new Resources(1000, 1L << 30, 0, 0, null), AT.plusSeconds(3), "alice", "10.0.0.9")));
    directory.tell(new EnvironmentDirectory.Apply(running, 4, new EnvironmentEntity.RestartRequested(AT.plusSeconds(3), null, "10.0.0.9")));

    TestProbe<EnvironmentDirectory.Usage> usage = testKit.createTestProbe();
    directory.tell(new EnvironmentDirectory.GetUsage("alice", Set.of(running), Set.of(stopped), usage.getRef()));
    EnvironmentDirectory.Usage alice = usage.receiveMessage(WAIT);
    assertThat(alice.usage()).as("one holds a place; the deleted one counts no more")
        .isEqualTo(new OwnerUsage(1000, 1L << 30, 0, 1, 0));
    assertThat(alice.known()).as("a create is counted once it is here; a start once it holds a place")
        .containsExactly(running);

    TestProbe<EnvironmentDirectory.AuditLines> audit = testKit.createTestProbe();
    directory.tell(new EnvironmentDirectory.GetAudit(AT, null, audit.getRef()));
    assertThat(audit.receiveMessage(WAIT).lines()).extracting(line -> line.actor() + " " + line.action() + " " + line.address())
        .as("a user's stop that stopped it at once too; not DCloud's own")
        .containsExactly("alice environment.create null", "alice environment.create 10.0.0.7",
            "alice environment.stop 10.0.0.8", "bob environment.delete null", "alice environment.restart 10.0.0.9",
            "alice environment.resize 10.0.0.9");
  }

  /** A container that exited and waits for its restart keeps its owner's CPU and RAM: it comes back without asking. */
  @Test
  void anEnvironmentWaitingForItsRestartStillCountsTowardItsOwnersQuota() {
    ActorRef<EnvironmentDirectory.Command> directory = directory();
    String id = UUID.randomUUID().toString();
    EnvironmentEntity.Requested request = requested("crashes");
    List<EnvironmentEntity.Event> events = List.of(
        new EnvironmentEntity.Requested(request.spec(), request.recipe(), AT, "alice"),
        new EnvironmentEntity.PlacedOnNode("n1", List.of(), AT),
        new EnvironmentEntity.ContainerRunning("c1", List.of(), AT),
        new EnvironmentEntity.ContainerExited("c1", 1, false, "exited with code 1", AT),
        new EnvironmentEntity.RestartScheduled(1, 10_000, AT));
    for (int i = 0; i < events.size(); i++) {
      directory.tell(new EnvironmentDirectory.Apply(id, i + 1, events.get(i)));
    }
    TestProbe<EnvironmentDirectory.Usage> usage = testKit.createTestProbe();
    directory.tell(new EnvironmentDirectory.GetUsage("alice", Set.of(), Set.of(), usage.getRef()));
    assertThat(usage.receiveMessage(WAIT).usage()).isEqualTo(new OwnerUsage(1000, 1L << 30, 0, 1, 0));

    directory.tell(new EnvironmentDirectory.Apply(id, events.size() + 1, new EnvironmentEntity.Stopped("stopped by alice", AT)));
    directory.tell(new EnvironmentDirectory.GetUsage("alice", Set.of(), Set.of(), usage.getRef()));
    assertThat(usage.receiveMessage(WAIT).usage()).as("its restart is off").isEqualTo(new OwnerUsage(0, 0, 0, 1, 0));
  }

  @Test
  void anOwnersListWithGroupsHasTheirOwnAndThoseSharedWithAnyOfTheGroups() {
    ActorRef<EnvironmentDirectory.Command> directory = directory();
    EnvironmentEntity.Requested template = requested("lab");
    String own = UUID.randomUUID().toString();
    String shared = UUID.randomUUID().toString();
    String other = UUID.randomUUID().toString();
    directory.tell(new EnvironmentDirectory.Apply(own, 1, new EnvironmentEntity.Requested(template.spec(), template.recipe(), AT, "bob")));
    for (String id : List.of(shared, other)) {
      directory.tell(new EnvironmentDirectory.Apply(id, 1, new EnvironmentEntity.Requested(template.spec(), template.recipe(), AT, "alice")));
    }
    directory.tell(new EnvironmentDirectory.Apply(shared, 2, new EnvironmentEntity.SharedWith(List.of("lab-a"), "alice", AT)));
    directory.tell(new EnvironmentDirectory.Apply(other, 2, new EnvironmentEntity.SharedWith(List.of("lab-b"), "alice", AT)));

    TestProbe<EnvironmentDirectory.Listing> probe = testKit.createTestProbe();
    directory.tell(new EnvironmentDirectory.ListEnvironments(null, null, null, "bob", Set.of("lab-a", "lab-c"), probe.getRef()));
    assertThat(probe.receiveMessage(WAIT).environments()).extracting(EnvironmentView::id).containsExactlyInAnyOrder(own, shared);
    directory.tell(new EnvironmentDirectory.ListEnvironments(null, null, "bob", probe.getRef()));
    assertThat(probe.receiveMessage(WAIT).environments()).extracting(EnvironmentView::id).containsExactly(own);
  }

  @Test
  void fillsAGapFromTheJournal() {
    ActorRef<EnvironmentDirectory.Command> directory = directory();
    String id = UUID.randomUUID().toString();
    journal.persistForRecovery(EnvironmentEntity.TYPE_KEY.name() + "|" + id, List.of(
        requested("gap"), new EnvironmentEntity.PlacedOnNode("n2", List.of(), AT), new EnvironmentEntity.ImageBuilding(AT)));

    directory.tell(new EnvironmentDirectory.Apply(id, 3, new EnvironmentEntity.ImageBuilding(AT)));

    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(WAIT, () -> {
      List<EnvironmentView> building = list(directory, EnvironmentStatus.BUILDING, "gap");
      assertThat(building).extracting(EnvironmentView::node).containsExactly("n2");
      return null;
    });
  }

  @Test
  void answersOneEnvironmentWithWhenItLastChanged() {
    ActorRef<EnvironmentDirectory.Command> directory = directory();
    String id = UUID.randomUUID().toString();
    Instant before = Instant.now();
    directory.tell(new EnvironmentDirectory.Apply(id, 1, requested("one")));

    EnvironmentDirectory.GetReply known = get(directory, id);
    assertThat(known).isInstanceOfSatisfying(EnvironmentDirectory.Known.class, k -> {
      assertThat(k.view().name()).isEqualTo("one");
      assertThat(k.view().status()).isEqualTo(EnvironmentStatus.REQUESTED);
      assertThat(k.asOf()).isBetween(before, Instant.now());
    });
    String other = UUID.randomUUID().toString();
    assertThat(get(directory, other)).isEqualTo(new EnvironmentDirectory.Unknown(other));
  }

  /** The test kit's read journal cannot list persistence ids: the reads that fail here are the refreshes of tails. */
  @Test
  void aJournalThatFailsToReadIsLoggedOnceAndReadAgainAtTheNextRefresh() {
    String id = UUID.randomUUID().toString();
    String persistenceId = EnvironmentEntity.TYPE_KEY.name() + "|" + id;
    journal.persistForRecovery(persistenceId, List.of(requested("flaky"), new EnvironmentEntity.PlacedOnNode("n3", List.of(), AT)));
    // Only this environment's reads fail, so other tests' environments cannot mask or add failures.
    AtomicInteger failedReads = new AtomicInteger();
    journal.withPolicy((pid, operation) -> {
      if (pid.equals(persistenceId) && operation instanceof ReadEvents) {
        failedReads.incrementAndGet();
        return new StorageFailure(new IllegalStateException("journal unavailable"));
      }
      return ProcessingSuccess$.MODULE$;
    });
    TestProbe<Object> probe = testKit.createTestProbe();
    ActorRef<EnvironmentDirectory.Command> directory;
    try {
      directory = LoggingTestKit.warn("could not read the environments still changing from the journal")
          .withMessageContains("journal unavailable")
          .withOccurrences(1)
          .withCheckExcess(true)
          .expect(testKit.system(), () -> {
            ActorRef<EnvironmentDirectory.Command> started = directory(FAST_REFRESH);
            // Heard live, REQUESTED: a transitional environment, whose tail each refresh reads.
            started.tell(new EnvironmentDirectory.Apply(id, 1, requested("flaky")));
            // Three refreshes fail (one at a time: a read is not started while the last one runs); one warning.
            probe.awaitAssert(WAIT, () -> {
              assertThat(failedReads.get()).isGreaterThanOrEqualTo(3);
              return null;
            });
            // Meanwhile it answers with what it has.
            assertThat(get(started, id)).isInstanceOfSatisfying(EnvironmentDirectory.Known.class, known ->
                assertThat(known.view().status()).isEqualTo(EnvironmentStatus.REQUESTED));
            return started;
          });
    } finally {
      journal.resetPolicy();
    }

    LoggingTestKit.info("read the environments still changing from the journal again").expect(testKit.system(), () ->
        probe.awaitAssert(WAIT, () -> {
          assertThat(list(directory, EnvironmentStatus.PLACED, "flaky")).extracting(EnvironmentView::node).containsExactly("n3");
          return null;
        }));

    // And it keeps following the journal: later events reach it at a later refresh.
    journal.persistForRecovery(persistenceId, List.of(new EnvironmentEntity.ImageBuilding(AT), new EnvironmentEntity.ContainerStarting(AT)));
    probe.awaitAssert(WAIT, () -> {
      assertThat(get(directory, id)).isInstanceOfSatisfying(EnvironmentDirectory.Known.class, known ->
          assertThat(known.view().status()).isEqualTo(EnvironmentStatus.STARTING));
      return null;
    });
  }
}
