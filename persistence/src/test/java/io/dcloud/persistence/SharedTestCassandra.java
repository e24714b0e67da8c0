package io.dcloud.persistence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;

/**
 * One embedded Cassandra for all the integration test classes of a JVM that do not stop or restart
 * it, each in keyspaces of its own ({@link #keyspacesOf}): a Cassandra takes 8–10 s to start on a
 * two-core machine, a set of keyspaces a few seconds. It starts on first use, in {@code
 * target/shared-cassandra-<pid>} of the module under test, with the tests' password in {@link
 * #passwordFile} for the processes that read it from there; {@link EmbeddedCassandra}'s shutdown hook stops it when the JVM exits (and it
 * stops itself if the JVM dies). A test that stops Cassandra starts one of its own.
 */
public final class SharedTestCassandra {
  /** Cassandra's limit on a keyspace name is 48 characters: the longest suffix is 9. */
  private static final int PREFIX_LENGTH = 38;

  private static final Path DIR = Path.of("target", "shared-cassandra-" + ProcessHandle.current().pid()).toAbsolutePath();
  private static EmbeddedCassandra cassandra;

  private SharedTestCassandra() {}

  /** The shared Cassandra, started on first use. */
  public static synchronized EmbeddedCassandra get() {
    if (cassandra == null || !cassandra.isRunning()) {
      try {
        Files.createDirectories(DIR);
        Files.writeString(passwordFile(), CassandraTestSupport.CREDENTIALS.password());
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      cassandra = EmbeddedCassandra.start(CassandraTestSupport.settings(DIR.resolve("cassandra")));
    }
    return cassandra;
  }

  /** The password of DCloud's role in the shared Cassandra (dcloud.cassandra.password-file). */
  public static Path passwordFile() {
    return DIR.resolve("cassandra-password");
  }

  /**
   * Configuration that puts everything DCloud keeps in Cassandra (journal, snapshots, dataset
   * chunks, device readings) in keyspaces named after {@code owner} (a node id, a test run).
   */
  public static Map<String, String> keyspacesOf(String owner) {
    String prefix = owner.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]+", "_");
    if (prefix.isEmpty() || !Character.isLetter(prefix.charAt(0))) {
      prefix = "k" + prefix;
    }
    prefix = prefix.substring(0, Math.min(prefix.length(), PREFIX_LENGTH));
    return Map.of(
        "pekko.persistence.cassandra.journal.keyspace", prefix + "_journal",
        "pekko.persistence.cassandra.snapshot.keyspace", prefix + "_snapshot",
        "dcloud.datasets.cassandra.keyspace", prefix + "_datasets",
        "dcloud.devices.cassandra.keyspace", prefix + "_devices");
  }
}
