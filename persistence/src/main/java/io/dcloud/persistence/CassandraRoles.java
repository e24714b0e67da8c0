package io.dcloud.persistence;

import com.datastax.oss.driver.api.core.CqlSession;
import com.datastax.oss.driver.api.core.config.DefaultDriverOption;
import com.datastax.oss.driver.api.core.config.DriverConfigLoader;
import com.datastax.oss.driver.api.core.loadbalancing.NodeDistance;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes DCloud's role the embedded Cassandra's only login. On a fresh data dir (or one from before
 * authentication was on) Cassandra creates its default superuser {@code cassandra/cassandra}; this
 * class logs in with it once, creates DCloud's role as a superuser that may log in, then, as that
 * role, drops the default one, so the well-known password opens nothing. On later starts DCloud's
 * role logs in at once and nothing changes.
 *
 * <p>Which login is tried first follows the data dir: on a fresh one the default superuser (DCloud's
 * role cannot exist yet), on a used one DCloud's role. A refused login is logged by the driver as a
 * WARN ("Authentication error ... Please check your authentication configuration"), which on every
 * first start of {@code dcloud dev} read like a fault to the operator when it was only the probe.
 */
final class CassandraRoles {
  private static final Logger log = LoggerFactory.getLogger(CassandraRoles.class);
  private static final String DEFAULT_PASSWORD = "cassandra";
  private static final Duration RETRY = Duration.ofMillis(500);
  /** What Cassandra's CassandraRoleManager logs once its default superuser exists. */
  private static final String DEFAULT_SUPERUSER_CREATED = "Created default superuser role";
  private static final Duration LOG_POLL = Duration.ofMillis(50);
  /** Creating a role hashes its password with bcrypt: more than the driver's 2 s on a busy machine. */
  private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(20);

  private CassandraRoles() {}

  /**
   * Returns once {@code credentials} log in and the default superuser is gone.
   *
   * @param newCluster whether this start made a new cluster: a fresh data dir and no other node to join.
   *     Then Cassandra creates its default superuser, which is waited for (its log says when) and tried
   *     first; else DCloud's role, which a used data dir or the cluster joined already has. Either way
   *     the other follows if the first is refused (a first start interrupted after the role was made, a
   *     data dir from before authentication was on)
   * @throws EmbeddedCassandra.StartException if neither DCloud's role nor the default superuser
   *     logs in before {@code deadlineNanos} (the data dir was set up with another password), or
   *     the child exits
   */
  static void setUp(Process child, InetSocketAddress cql, CassandraCredentials credentials, boolean newCluster,
      long deadlineNanos, DataLayout layout) throws InterruptedException {
    if (newCluster) {
      awaitDefaultSuperuser(child, deadlineNanos, layout);
    }
    while (true) {
      RuntimeException asDCloudRefused = null;
      RuntimeException asDefaultRefused;
      if (!newCluster) {
        try (CqlSession ignored = login(cql, credentials.username(), credentials.password())) {
          return;
        } catch (RuntimeException e) {
          asDCloudRefused = e;
        }
      }
      try {
        createRoleAsDefaultSuperuser(cql, credentials);
        return;
      } catch (RuntimeException e) {
        asDefaultRefused = e;
      }
      if (newCluster) {
        try (CqlSession ignored = login(cql, credentials.username(), credentials.password())) {
          return;
        } catch (RuntimeException e) {
          asDCloudRefused = e;
        }
      }
      if (!child.isAlive() || System.nanoTime() - deadlineNanos >= 0) {
        throw new EmbeddedCassandra.StartException("Embedded Cassandra: neither the role '" + credentials.username()
            + "' (" + asDCloudRefused.getMessage() + ") nor the default superuser (" + asDefaultRefused.getMessage()
            + ") could set up the login. Was the data dir " + layout.dataDir()
            + " set up with another dcloud.cassandra.password?" + LogTails.of(layout), asDefaultRefused);
      }
      child.waitFor(RETRY.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Until Cassandra's log says it created its default superuser, which it does a moment after it opens
   * the CQL port, on a background task: a login before that is refused, and the driver warns of it as of
   * a fault ("Authentication error ... check your authentication configuration"). Returns at the deadline
   * or the child's exit too: the logins that follow then say what is wrong.
   */
  private static void awaitDefaultSuperuser(Process child, long deadlineNanos, DataLayout layout)
      throws InterruptedException {
    // The log of a fresh data dir is this start's alone; it is read once, then as it grows.
    StringBuilder unread = new StringBuilder();
    long position = 0;
    while (child.isAlive() && System.nanoTime() - deadlineNanos < 0) {
      try (RandomAccessFile log = new RandomAccessFile(layout.log().toFile(), "r")) {
        byte[] appended = new byte[(int) Math.max(0, log.length() - position)];
        log.seek(position);
        log.readFully(appended);
        position += appended.length;
        unread.append(new String(appended, StandardCharsets.UTF_8));
      } catch (IOException notYetWritten) {
        // logback creates the file at its first line
      }
      if (unread.indexOf(DEFAULT_SUPERUSER_CREATED) >= 0) {
        return;
      }
      // Keeps a line cut at the end of one read whole for the next.
      unread.delete(0, Math.max(0, unread.lastIndexOf("\n") + 1));
      child.waitFor(LOG_POLL.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * As the default superuser: creates DCloud's role, then, as that role, drops the default one.
   * Cassandra creates its default superuser just after it opens the CQL port: the caller retries.
   */
  private static void createRoleAsDefaultSuperuser(InetSocketAddress cql, CassandraCredentials credentials) {
    try (CqlSession asDefault = login(cql, CassandraCredentials.DEFAULT_SUPERUSER, DEFAULT_PASSWORD)) {
      asDefault.execute("CREATE ROLE IF NOT EXISTS " + literal(credentials.username())
          + " WITH PASSWORD = " + literal(credentials.password()) + " AND LOGIN = true AND SUPERUSER = true");
    }
    // A role cannot drop the role it is logged in as: DCloud's does it.
    try (CqlSession asDCloud = login(cql, credentials.username(), credentials.password())) {
      asDCloud.execute("DROP ROLE IF EXISTS " + literal(CassandraCredentials.DEFAULT_SUPERUSER));
    }
    log.info("Embedded Cassandra: created the superuser role '{}' and dropped the default superuser '{}'",
        credentials.username(), CassandraCredentials.DEFAULT_SUPERUSER);
  }

  /**
   * A session on the embedded node alone, failing at once if the login is refused. The driver
   * merges the contact points of its config (reference.conf: dcloud.cassandra.contact-points) with
   * the programmatic one, so the config's are emptied; and it would open connections to every peer it
   * finds, so the others are ignored: while this node joins, a peer can refuse a login it cannot check
   * yet ("Cannot achieve consistency level LOCAL_QUORUM"), which the driver warns of as of a wrong
   * password.
   */
  static CqlSession login(InetSocketAddress cql, String username, String password) {
    return CqlSession.builder()
        .addContactPoint(cql)
        .withNodeDistanceEvaluator((node, localDc) -> cql.equals(node.getEndPoint().resolve()) ? null : NodeDistance.IGNORED)
        .withLocalDatacenter("datacenter1")
        .withAuthCredentials(username, password)
        .withConfigLoader(DriverConfigLoader.programmaticBuilder()
            .withStringList(DefaultDriverOption.CONTACT_POINTS, List.of())
            .withBoolean(DefaultDriverOption.RECONNECT_ON_INIT, false)
            .withDuration(DefaultDriverOption.REQUEST_TIMEOUT, REQUEST_TIMEOUT)
            // Netty's default 2 s quiet period on close would make each of the three logins of a
            // first start cost 2 s more: these sessions have nothing left in flight when closed.
            .withInt(DefaultDriverOption.NETTY_IO_SHUTDOWN_QUIET_PERIOD, 0)
            .withInt(DefaultDriverOption.NETTY_ADMIN_SHUTDOWN_QUIET_PERIOD, 0)
            .build())
        .build();
  }

  /** A CQL string literal: role names and passwords cannot be bind markers in CREATE/DROP ROLE. */
  private static String literal(String value) {
    return "'" + value.replace("'", "''") + "'";
  }
}
