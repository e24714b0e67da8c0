package io.dcloud.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.dcloud.device.DeviceActivity;
import io.dcloud.device.Reading;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.temporal.ChronoUnit;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Devices' readings in the embedded Cassandra: across days, in order, limited, counted, forgotten. */
@Tag("cassandra")
class CassandraReadingStoreTest {
  private static final CassandraReadingStore.Settings SETTINGS = new CassandraReadingStore.Settings(
      "dcloud_devices_test", 1, DefaultConsistencyLevel.LOCAL_QUORUM, Duration.ofDays(7));

  private static EmbeddedCassandra cassandra;
  private static ActorTestKit testKit;
  private static CassandraReadingStore store;

  @BeforeAll
  static void start() throws Exception {
    cassandra = SharedTestCassandra.get();
    Config config = cassandra.credentials().applyTo(ConfigFactory.load(ConfigFactory.parseString(
        "dcloud.cassandra.contact-points = [\"" + cassandra.contactPoint() + "\"]")));
    testKit = ActorTestKit.create("CassandraReadingStoreTest", config);
    await(CassandraReadingStore.createSchema(testKit.system(), SETTINGS));
    store = new CassandraReadingStore(testKit.system(), SETTINGS, Clock.systemUTC());
  }

  @AfterAll
  static void stop() {
    if (testKit != null) {
      testKit.shutdownTestKit();
    }
  }

  @Test
  void readingsReadBackOldestFirstAcrossDaysWithinTheRangeAndLimit() throws Exception {
    // Two seconds before and after a midnight (UTC) two days ago: two partitions.
    Instant midnight = LocalDate.now(ZoneOffset.UTC).minusDays(2).atStartOfDay(ZoneOffset.UTC).toInstant();
    Instant before = midnight.minusSeconds(2);
    Instant after = midnight.plusSeconds(2);
    await(store.append(reading("thermo-1", after, 2.0)));
    await(store.append(reading("thermo-1", before, 1.0)));
    // The same instant twice: both are kept.
    await(store.append(reading("thermo-1", after, 3.0)));
    await(store.append(reading("thermo-2", after, 99.0)));

    List<Reading> all = await(store.read("thermo-1", before.minusSeconds(60), after.plusSeconds(60), 100));
    assertThat(all).extracting(Reading::at).containsExactly(before, after, after);
    assertThat(all).extracting(r -> r.values().get("temperature")).containsExactlyInAnyOrder(1.0, 2.0, 3.0);
    assertThat(all.get(0).values().get("temperature")).isEqualTo(1.0);

    assertThat(await(store.read("thermo-1", before.minusSeconds(60), after.plusSeconds(60), 2))).hasSize(2);
    // until is exclusive, since inclusive.
    assertThat(await(store.read("thermo-1", before, after, 100))).extracting(Reading::at).containsExactly(before);
    assertThat(await(store.read("thermo-1", after, after.plusMillis(1), 100))).hasSize(2);
    // Ranges reaching far beyond the retention find the same and nothing else.
    assertThat(await(store.read("thermo-1", Instant.EPOCH, Instant.now().plus(Duration.ofDays(3650)), 100))).hasSize(3);
  }

  @Test
  void valuesKeepTheirJavaTypesAndTheRowsTheRetentionAsTtl() throws Exception {
    Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    Map<String, Object> values = new LinkedHashMap<>();
    values.put("temperature", 21.5);
    values.put("count", 3L);
    values.put("open", true);
    values.put("mode", "eco");
    await(store.append(new Reading("typed-1", "thermo", at, at.plusMillis(5), values)));

    Reading back = await(store.read("typed-1", at, at.plusSeconds(1), 10)).get(0);
    assertThat(back).isEqualTo(new Reading("typed-1", "thermo", at, at.plusMillis(5), values));
    assertThat(back.values().get("count")).isInstanceOf(Long.class);
    try (CqlSession session = CassandraTestSupport.session(cassandra)) {
      int ttl = session.execute("SELECT TTL(vals) FROM dcloud_devices_test.device_readings WHERE device = 'typed-1'"
          + " AND day = ?", LocalDate.ofInstant(at, ZoneOffset.UTC)).one().getInt(0);
      assertThat(ttl).isBetween((int) Duration.ofDays(7).toSeconds() - 120, (int) Duration.ofDays(7).toSeconds());
    }
  }

  @Test
  void activityCountsReadingsAndRejectionsAndForgetClearsEverything() throws Exception {
    assertThat(await(store.activity("counted-1"))).isEqualTo(DeviceActivity.NONE);
    Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    await(store.append(reading("counted-1", at, 20.0)));
    await(store.append(reading("counted-1", at.plusSeconds(1), 21.0)));
    await(store.recordRejection("counted-1", at.plusSeconds(2), "field \"temperature\": expected a number, got \"hot\""));

    DeviceActivity activity = await(store.activity("counted-1"));
    assertThat(activity.accepted()).isEqualTo(2);
    assertThat(activity.rejected()).isEqualTo(1);
    assertThat(activity.lastReadingAt()).isEqualTo(at.plusSeconds(1).plusMillis(10));
    assertThat(activity.lastRejectedAt()).isEqualTo(at.plusSeconds(2));
    assertThat(activity.lastRejectionReason()).isEqualTo("field \"temperature\": expected a number, got \"hot\"");

    await(store.forget("counted-1"));

    assertThat(await(store.activity("counted-1"))).isEqualTo(DeviceActivity.NONE);
    assertThat(await(store.read("counted-1", at.minusSeconds(60), at.plusSeconds(60), 10))).isEmpty();
  }

  /**
   * Cassandra does not reliably count a deleted counter again until its tombstone is purged: a
   * device registered again under a forgotten id counts from none on counters never deleted.
   */
  @Test
  void aForgottenDevicesIdCountsAgainFromNoneOnCountersNeverDeleted() throws Exception {
    Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    await(store.append(reading("counted-2", at, 20.0)));
    await(store.recordRejection("counted-2", at, "bad"));
    await(store.forget("counted-2"));
    await(store.forget("counted-2"));

    await(store.append(reading("counted-2", at.plusSeconds(1), 21.0)));

    DeviceActivity again = await(store.activity("counted-2"));
    assertThat(again.accepted()).isEqualTo(1);
    assertThat(again.rejected()).isZero();
    assertThat(again.lastRejectedAt()).isNull();
    try (CqlSession session = CassandraTestSupport.session(cassandra)) {
      long counter = session.execute("SELECT accepted FROM dcloud_devices_test.device_reading_counts"
          + " WHERE device = 'counted-2'").one().getLong(0);
      assertThat(counter).as("the counter counts on, never deleted").isEqualTo(2);
    }
  }

  /** Received 10 ms after its time. */
  private static Reading reading(String device, Instant at, double temperature) {
    return new Reading(device, "thermo", at, at.plusMillis(10), Map.of("temperature", temperature));
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
