package io.dcloud.persistence;

import com.datastax.oss.driver.api.core.ConsistencyLevel;
import com.datastax.oss.driver.api.core.DefaultConsistencyLevel;
import com.datastax.oss.driver.api.core.cql.BoundStatement;
import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import com.datastax.oss.driver.api.core.cql.Row;
import com.datastax.oss.driver.api.core.uuid.Uuids;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.typesafe.config.Config;
import io.dcloud.device.DeviceActivity;
import io.dcloud.device.Reading;
import io.dcloud.device.ReadingStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSessionRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Devices' accepted readings in Cassandra, on the journal's session, each row written with a TTL of
 * the retention so that Cassandra itself forgets old ones. A partition is one device's day (UTC), so
 * partitions stay bounded however long a device sends; a time-based uuid after {@code at} keeps two
 * readings of the same instant apart. Counts are Cassandra counters; the last reading's and
 * rejection's times (and reason) live in a table of their own, since counters cannot share one.
 *
 * <p>A forgotten device's counters are never deleted: Cassandra does not count a deleted counter
 * again reliably until its tombstone is purged, so an id registered again soon after would start
 * with increments missing. What they had counted when it was forgotten is written beside them
 * instead ({@code device_reading_counts_forgotten}), and a device's counts are the counters less that.
 */
public final class CassandraReadingStore implements ReadingStore {
  private static final Logger LOG = LoggerFactory.getLogger(CassandraReadingStore.class);
  private static final String PLUGIN = "pekko.persistence.cassandra";
  /** Reading values back as written: integers as Long (FieldValues' INTEGER), decimals as Double. */
  private static final ObjectMapper JSON = JsonMapper.builder().enable(DeserializationFeature.USE_LONG_FOR_INTS).build();
  private static final TypeReference<Map<String, Object>> VALUES = new TypeReference<>() {};
  /**
   * Days beyond the retention that reads and {@link #forget} still look at: a reading's {@code at}
   * may be up to the clock skew before its write (whose time the TTL counts from), or after it.
   */
  private static final Duration MARGIN = Duration.ofDays(1);

  private final CassandraSession session;
  private final Settings settings;
  private final Clock clock;
  private final PreparedCql insert;
  private final PreparedCql select;
  private final PreparedCql countAccepted;
  private final PreparedCql countRejected;
  private final PreparedCql lastReading;
  private final PreparedCql lastRejection;
  private final PreparedCql selectCounts;
  private final PreparedCql selectLast;
  private final PreparedCql deleteDay;
  private final PreparedCql selectForgotten;
  private final PreparedCql writeForgotten;
  private final PreparedCql deleteLast;

  /** {@code dcloud.devices.cassandra} and {@code dcloud.devices.readings.retention}. */
  public record Settings(String keyspace, int replicationFactor, ConsistencyLevel consistency, Duration retention) {
    public Settings {
      if (retention.toSeconds() < 1 || retention.toSeconds() > Integer.MAX_VALUE) {
        throw new IllegalArgumentException("dcloud.devices.readings.retention must be between 1s and about 68 years: " + retention);
      }
    }

    public static Settings fromConfig(Config root) {
      Config config = root.getConfig("dcloud.devices.cassandra");
      return new Settings(config.getString("keyspace"), config.getInt("replication-factor"),
          DefaultConsistencyLevel.valueOf(config.getString("consistency")),
          root.getDuration("dcloud.devices.readings.retention"));
    }
  }

  public CassandraReadingStore(ActorSystem<?> system, Settings settings, Clock clock) {
    this.session = CassandraSessionRegistry.get(system).sessionFor(PLUGIN);
    this.settings = settings;
    this.clock = clock;
    String ks = settings.keyspace();
    insert = prepared("INSERT INTO " + ks + ".device_readings (device, day, at, seq, type, received_at, vals)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?) USING TTL " + settings.retention().toSeconds());
    select = prepared("SELECT type, at, received_at, vals FROM " + ks + ".device_readings"
        + " WHERE device = ? AND day = ? AND at >= ? AND at < ? LIMIT ?");
    countAccepted = prepared("UPDATE " + ks + ".device_reading_counts SET accepted = accepted + 1 WHERE device = ?");
    countRejected = prepared("UPDATE " + ks + ".device_reading_counts SET rejected = rejected + 1 WHERE device = ?");
    lastReading = prepared("UPDATE " + ks + ".device_reading_last SET last_reading_at = ? WHERE device = ?");
    lastRejection = prepared("UPDATE " + ks + ".device_reading_last SET last_rejected_at = ?, last_rejection_reason = ?"
        + " WHERE device = ?");
    selectCounts = prepared("SELECT accepted, rejected FROM " + ks + ".device_reading_counts WHERE device = ?");
    selectLast = prepared("SELECT last_reading_at, last_rejected_at, last_rejection_reason FROM " + ks
        + ".device_reading_last WHERE device = ?");
    deleteDay = prepared("DELETE FROM " + ks + ".device_readings WHERE device = ? AND day = ?");
    selectForgotten = prepared("SELECT accepted, rejected FROM " + ks + ".device_reading_counts_forgotten WHERE device = ?");
    writeForgotten = prepared("UPDATE " + ks + ".device_reading_counts_forgotten SET accepted = ?, rejected = ?"
        + " WHERE device = ?");
    deleteLast = prepared("DELETE FROM " + ks + ".device_reading_last WHERE device = ?");
  }

  /** Creates the keyspace and tables if missing (idempotent), as {@link CassandraChunkStore#createSchema} does. */
  public static CompletionStage<Done> createSchema(ActorSystem<?> system, Settings settings) {
    CassandraSession session = CassandraSessionRegistry.get(system).sessionFor(PLUGIN);
    String ks = settings.keyspace();
    List<String> ddl = List.of(
        "CREATE KEYSPACE IF NOT EXISTS " + ks
            + " WITH replication = {'class': 'SimpleStrategy', 'replication_factor': " + settings.replicationFactor() + "}",
        "CREATE TABLE IF NOT EXISTS " + ks + ".device_readings (device text, day date, at timestamp, seq timeuuid,"
            + " type text, received_at timestamp, vals text, PRIMARY KEY ((device, day), at, seq))",
        "CREATE TABLE IF NOT EXISTS " + ks + ".device_reading_counts (device text PRIMARY KEY,"
            + " accepted counter, rejected counter)",
        "CREATE TABLE IF NOT EXISTS " + ks + ".device_reading_counts_forgotten (device text PRIMARY KEY,"
            + " accepted bigint, rejected bigint)",
        "CREATE TABLE IF NOT EXISTS " + ks + ".device_reading_last (device text PRIMARY KEY,"
            + " last_reading_at timestamp, last_rejected_at timestamp, last_rejection_reason text)");
    CompletionStage<Done> done = CompletableFuture.completedFuture(Done.getInstance());
    for (String statement : ddl) {
      done = done.thenCompose(previous -> session.executeDDL(statement));
    }
    return done.whenComplete((ok, failure) -> {
      if (failure == null) {
        LOG.info("Cassandra schema for device readings is in place (keyspace {}, replication factor {})",
            ks, settings.replicationFactor());
      }
    });
  }

  @Override
  public CompletionStage<Done> append(Reading reading) {
    String values;
    try {
      values = JSON.writeValueAsString(reading.values());
    } catch (JsonProcessingException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletionStage<Done> row = write(insert, reading.device(), day(reading.at()), reading.at(),
        Uuids.timeBased(), reading.type(), reading.receivedAt(), values);
    CompletionStage<Done> counted = write(countAccepted, reading.device());
    CompletionStage<Done> last = write(lastReading, reading.receivedAt(), reading.device());
    return row.thenCombine(counted, (a, b) -> a).thenCombine(last, (a, b) -> a);
  }

  @Override
  public CompletionStage<List<Reading>> read(String device, Instant since, Instant until, int limit) {
    Instant now = clock.instant();
    // Nothing older than the retention is left, and nothing is far in the future: the days
    // outside need no query (an open-ended range would otherwise walk years of empty days).
    Instant from = max(since, now.minus(settings.retention()).minus(MARGIN));
    Instant to = min(until, now.plus(MARGIN));
    if (limit <= 0 || !from.isBefore(to)) {
      return CompletableFuture.completedFuture(List.of());
    }
    return readDays(device, day(from), day(to.minusNanos(1)), from, to, limit, new ArrayList<>());
  }

  /** Day after day, oldest first, until {@code last} or {@code limit} readings. */
  private CompletionStage<List<Reading>> readDays(
      String device, LocalDate day, LocalDate last, Instant from, Instant to, int limit, List<Reading> found) {
    if (day.isAfter(last) || found.size() >= limit) {
      return CompletableFuture.completedFuture(List.copyOf(found));
    }
    return select.get()
        .thenCompose(statement -> session.selectAll(bound(statement, device, day, from, to, limit - found.size())))
        .thenCompose(rows -> {
          for (Row row : rows) {
            found.add(reading(device, row));
          }
          return readDays(device, day.plusDays(1), last, from, to, limit, found);
        });
  }

  private static Reading reading(String device, Row row) {
    try {
      return new Reading(device, row.getString("type"), row.getInstant("at"), row.getInstant("received_at"),
          JSON.readValue(row.getString("vals"), VALUES));
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("unreadable values of a reading of " + device + ": " + e.getMessage(), e);
    }
  }

  @Override
  public CompletionStage<Done> recordRejection(String device, Instant at, String reason) {
    CompletionStage<Done> counted = write(countRejected, device);
    CompletionStage<Done> last = write(lastRejection, at, reason, device);
    return counted.thenCombine(last, (a, b) -> a);
  }

  @Override
  public CompletionStage<DeviceActivity> activity(String device) {
    CompletionStage<Counts> counts = counted(device);
    CompletionStage<Optional<Row>> last = select(selectLast, device);
    return counts.thenCombine(last, (count, lastRow) -> new DeviceActivity(count.accepted(), count.rejected(),
        lastRow.map(row -> row.getInstant("last_reading_at")).orElse(null),
        lastRow.map(row -> row.getInstant("last_rejected_at")).orElse(null),
        lastRow.map(row -> row.getString("last_rejection_reason")).orElse(null)));
  }

  /** A device's accepted and rejected readings, as counted or as forgotten. */
  private record Counts(long accepted, long rejected) {
    static final Counts NONE = new Counts(0, 0);

    static Counts of(Optional<Row> row) {
      return row.map(r -> new Counts(r.getLong("accepted"), r.getLong("rejected"))).orElse(NONE);
    }

    Counts less(Counts forgotten) {
      return new Counts(accepted - forgotten.accepted, rejected - forgotten.rejected);
    }
  }

  /** Since the device was last forgotten: the counters less what they held then. */
  private CompletionStage<Counts> counted(String device) {
    return counters(device).thenCombine(select(selectForgotten, device).thenApply(Counts::of), Counts::less);
  }

  private CompletionStage<Counts> counters(String device) {
    return select(selectCounts, device).thenApply(Counts::of);
  }

  /**
   * Deletes every day partition that may still hold readings and the last times, and sets the counts
   * back to none by recording what the counters hold now (see the class). Taken again, it records
   * them again: still none.
   */
  @Override
  public CompletionStage<Done> forget(String device) {
    Instant now = clock.instant();
    LocalDate last = day(now.plus(MARGIN));
    List<CompletionStage<Done>> deletes = new ArrayList<>();
    for (LocalDate day = day(now.minus(settings.retention()).minus(MARGIN)); !day.isAfter(last); day = day.plusDays(1)) {
      deletes.add(write(deleteDay, device, day));
    }
    deletes.add(counters(device).thenCompose(counters -> write(writeForgotten, counters.accepted(), counters.rejected(), device)));
    deletes.add(write(deleteLast, device));
    CompletionStage<Done> all = CompletableFuture.completedFuture(Done.getInstance());
    for (CompletionStage<Done> delete : deletes) {
      all = all.thenCombine(delete, (a, b) -> a);
    }
    return all.whenComplete((ok, failure) -> {
      if (failure == null) {
        LOG.info("Readings and counts of device {} forgotten", device);
      }
    });
  }

  private CompletionStage<Done> write(PreparedCql cql, Object... values) {
    return cql.get().thenCompose(statement -> session.executeWrite(bound(statement, values)));
  }

  private CompletionStage<Optional<Row>> select(PreparedCql cql, Object... values) {
    return cql.get().thenCompose(statement -> session.selectOne(bound(statement, values)));
  }

  private BoundStatement bound(PreparedStatement statement, Object... values) {
    return statement.bind(values).setConsistencyLevel(settings.consistency());
  }

  private PreparedCql prepared(String cql) {
    return new PreparedCql(session, cql);
  }

  private static LocalDate day(Instant at) {
    return LocalDate.ofInstant(at, ZoneOffset.UTC);
  }

  private static Instant max(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static Instant min(Instant a, Instant b) {
    return a.isBefore(b) ? a : b;
  }
}
