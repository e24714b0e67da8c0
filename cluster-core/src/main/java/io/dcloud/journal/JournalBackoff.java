package io.dcloud.journal;

import com.typesafe.config.Config;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.slf4j.event.Level;

/**
 * How event-sourced actors survive a journal that fails (Cassandra restarting, a keyspace still
 * being created on first start): they stop and restart with backoff, recovering again, instead of
 * staying dead. From {@code dcloud.journal-failure-backoff}.
 */
public final class JournalBackoff {
  private JournalBackoff() {}

  /**
   * For actors of which there are many (environment entities): each failure logged at DEBUG, since
   * an outage fails them all at once; they are counted in one line by {@link OverloadReport}.
   */
  public static BackoffSupervisorStrategy forManyFromConfig(Config root) {
    return fromConfig(root).withLogLevel(Level.DEBUG);
  }

  public static BackoffSupervisorStrategy fromConfig(Config root) {
    Config c = root.getConfig("dcloud.journal-failure-backoff");
    return SupervisorStrategy.restartWithBackoff(
        c.getDuration("min-backoff"), c.getDuration("max-backoff"), c.getDouble("random-factor"));
  }
}
