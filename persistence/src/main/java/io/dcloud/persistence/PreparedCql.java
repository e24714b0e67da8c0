package io.dcloud.persistence;

import com.datastax.oss.driver.api.core.cql.PreparedStatement;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.stream.connectors.cassandra.javadsl.CassandraSession;

/**
 * A statement prepared on first use and kept once it is: a preparation that fails (Cassandra
 * unreachable, the table not created yet) is tried again on the next use, not kept as a failure.
 */
final class PreparedCql {
  private final CassandraSession session;
  private final String cql;
  private final AtomicReference<CompletionStage<PreparedStatement>> statement = new AtomicReference<>();

  PreparedCql(CassandraSession session, String cql) {
    this.session = session;
    this.cql = cql;
  }

  CompletionStage<PreparedStatement> get() {
    CompletionStage<PreparedStatement> current = statement.get();
    if (current != null) {
      return current;
    }
    CompletionStage<PreparedStatement> fresh = session.prepare(cql);
    statement.compareAndSet(null, fresh);
    fresh.whenComplete((prepared, failure) -> {
      if (failure != null) {
        statement.compareAndSet(fresh, null);
      }
    });
    return fresh;
  }
}
