package io.dcloud.persistence;

import static io.dcloud.testing.Requirements.requireOrSkip;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Embedded Cassandra settings and CQL sessions for this module's integration tests. */
final class CassandraTestSupport {

  /** Made by the cassandra-dist module; tests run with the persistence module as working dir. */
  static final Path LIB_DIR = Path.of("..", "cassandra-dist", "target", "cassandra-lib");

  private CassandraTestSupport() {}

  /** The role the tests' embedded Cassandra sets up; a test's own, not a generated file's. */
  static final CassandraCredentials CREDENTIALS = new CassandraCredentials("dcloud", "test-password");

  /**
   * Free ports, a 512M heap, the given data dir, {@link #CREDENTIALS} and the shipped join-ring-delay. Without the jars
   * the test is skipped, or fails under CI=true.
   */
  static EmbeddedCassandra.Settings settings(Path dataDir) {
    requireOrSkip(
        Files.isDirectory(LIB_DIR),
        () ->
            "Cassandra jars missing in "
                + LIB_DIR.toAbsolutePath().normalize()
                + ": run `mvn -o install -DskipTests -pl cassandra-dist` first");
    return new EmbeddedCassandra.Settings(
        LIB_DIR, dataDir, "127.0.0.1", 0, 0, "512M", Duration.ofSeconds(120), Duration.ofSeconds(20),
        CREDENTIALS, List.of(), ConfigFactory.load().getDuration(EmbeddedCassandra.Settings.CONFIG_PATH + ".join-ring-delay"));
  }

  /** A session on the embedded node only, logged in as its role. */
  static CqlSession session(EmbeddedCassandra cassandra) {
    return CassandraRoles.login(
        cassandra.cqlAddress(), cassandra.credentials().username(), cassandra.credentials().password());
  }

  /** Resident set size of a process in MiB from /proc (Linux), or -1. */
  static long rssMib(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (Exception e) {
      // not Linux, or the process is gone
    }
    return -1;
  }
}
