package io.dcloud.persistence;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Waits for a starting Cassandra to serve CQL. Cassandra opens its native port last, once the node
 * has joined and loaded its schema, so a port that accepts a TCP connection means ready; no driver
 * is needed for the check.
 */
final class CqlReadiness {

  private static final Duration POLL_INTERVAL = Duration.ofMillis(200);
  private static final Duration CONNECT_TIMEOUT = Duration.ofMillis(500);

  private CqlReadiness() {}

  /**
   * Returns when {@code cql} accepts a connection.
   *
   * @throws EmbeddedCassandra.StartException if the child exits first or {@code timeout} passes;
   *     the message ends with the tails of the child's logs
   */
  static void await(Process process, InetSocketAddress cql, Duration timeout, DataLayout layout)
      throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      if (!process.isAlive()) {
        throw new EmbeddedCassandra.StartException(
            "Embedded Cassandra exited with code "
                + process.exitValue()
                + " before its CQL port "
                + cql.getPort()
                + " opened"
                + LogTails.of(layout),
            null);
      }
      if (accepts(cql)) {
        return;
      }
      if (System.nanoTime() - deadline >= 0) {
        throw new EmbeddedCassandra.StartException(
            "Embedded Cassandra did not open its CQL port "
                + cql.getPort()
                + " within "
                + timeout
                + LogTails.of(layout),
            null);
      }
      // Waits for the next poll, or returns at once if the child dies.
      process.waitFor(POLL_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private static boolean accepts(InetSocketAddress address) {
    try (Socket socket = new Socket()) {
      socket.connect(address, (int) CONNECT_TIMEOUT.toMillis());
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
