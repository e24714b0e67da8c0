package io.dcloud.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.environment.EnvironmentEntity;
import io.dcloud.environment.EnvironmentSharding;
import io.dcloud.environment.EnvironmentEvents;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.FoldedEnvironments;
import io.dcloud.resources.Resources;
import io.dcloud.testing.OneNodeCluster;
import java.time.Instant;
import java.time.YearMonth;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.apache.pekko.persistence.testkit.query.javadsl.PersistenceTestKitReadJournal;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Usage kept past an environment's collection, on a one-node cluster with the in-memory journal:
 * what the collector keeps before it erases (each month in its owner's archive, once however often
 * it is kept), and reports that find it there once the environment's events are gone.
 */
class UsageRecordsTest {
  private static final ActorTestKit testKit = OneNodeCluster.start("usage-records-test");
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  private static final UsageRecords records =
      UsageRecords.init(testKit.system(), testKit.system().settings().config(), PersistenceTestKitReadJournal.Identifier());
  private static final Resources ONE_CPU = new Resources(1000, 1L << 30, 0, 0, null);
  private static final YearMonth OCTOBER = YearMonth.of(2026, 10);
  private static final YearMonth NOVEMBER = YearMonth.of(2026, 11);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /** An environment of {@code owner} that ran an hour each side of October's end, in the journal. */
  private static String ranAcrossOctobersEnd(String owner) {
    String id = UUID.randomUUID().toString();
    List<EnvironmentEntity.Event> events = EnvironmentEvents.ran("trainer", owner, ONE_CPU,
        Instant.parse("2026-10-31T23:00:00Z"), Instant.parse("2026-11-01T01:00:00Z"));
    journal.persistForRecovery(EnvironmentSharding.persistenceId(id), List.<Object>copyOf(events));
    return id;
  }

  @Test
  void aCollectedEnvironmentsUsageIsKeptInEachMonthOfItsOwnerAndReportedOnceItsEventsAreGone() throws Exception {
    String id = ranAcrossOctobersEnd("wren");

    await(records.keep(id));
    await(records.keep(id));
    journal.clearByPersistenceId(EnvironmentSharding.persistenceId(id));

    assertThat(journal.persistedInStorage("UsageArchive|" + UsageArchive.entityId("wren", OCTOBER)))
        .as("kept once, however often the collector keeps it").hasSize(1);
    UsageReports reports = new UsageReports(records, new FoldedEnvironments());
    for (YearMonth month : List.of(OCTOBER, NOVEMBER)) {
      UsageReports.Report report = await(reports.of("wren", month));
      assertThat(report.environments()).singleElement().satisfies(environment -> {
        assertThat(environment.id()).isEqualTo(id);
        assertThat(environment.name()).isEqualTo("trainer");
        assertThat(environment.status()).isEqualTo(EnvironmentStatus.DELETED);
        assertThat(environment.usage().runningHours()).isEqualTo(1.0);
        assertThat(environment.usage().cpuHours()).isEqualTo(1.0);
      });
    }
    assertThat(await(reports.of("wren", YearMonth.of(2026, 9))).environments()).isEmpty();
  }

  @Test
  void anEnvironmentWithoutAnOwnerOrThatNeverRanHasNothingToKeep() throws Exception {
    String ownerless = ranAcrossOctobersEnd(null);
    String neverRan = UUID.randomUUID().toString();
    journal.persistForRecovery(EnvironmentSharding.persistenceId(neverRan),
        List.of(EnvironmentEvents.requested("queued", Instant.parse("2026-10-01T00:00:00Z"))));

    await(records.keep(ownerless));
    await(records.keep(neverRan));

    assertThat(journal.persistedInStorage("UsageArchive|" + UsageArchive.entityId("null", OCTOBER))).isEmpty();
  }

  @Test
  void anArchivesPersistenceIdSaysWhoseMonthItIs() {
    String persistenceId = "UsageArchive|" + UsageArchive.entityId("first.last-1", OCTOBER);

    assertThat(UsageArchive.ownerMonth(persistenceId)).isEqualTo(new UsageArchive.OwnerMonth("first.last-1", OCTOBER));
    assertThat(UsageArchive.ownerMonth(EnvironmentSharding.persistenceId("2026-10"))).isNull();
  }
}
