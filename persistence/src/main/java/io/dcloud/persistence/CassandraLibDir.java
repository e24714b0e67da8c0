package io.dcloud.persistence;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** What the embedded Cassandra needs from its lib dir, the cassandra-dist module's jars. */
final class CassandraLibDir {

  // The embedded Cassandra's one log category, as before it was split into several classes.
  private static final Logger log = LoggerFactory.getLogger(EmbeddedCassandra.class);

  private CassandraLibDir() {}

  /**
   * @throws IllegalStateException if {@code libDir} holds no cassandra-all jar, saying how to make it
   */
  static void check(Path libDir) {
    boolean hasCassandra;
    try (Stream<Path> jars = Files.list(libDir)) {
      hasCassandra =
          jars.anyMatch(p -> p.getFileName().toString().matches("cassandra-all-.*\\.jar"));
    } catch (IOException e) {
      hasCassandra = false;
    }
    if (!hasCassandra) {
      throw new IllegalStateException(
          "No cassandra-all jar in "
              + libDir
              + ": build it with `mvn install -pl cassandra-dist` or set dcloud.cassandra.embedded.lib-dir"
              + " (system property dcloud.cassandra.lib-dir)");
    }
    warnIfLoggingBroken(libDir);
  }

  /** Cassandra's scripts load jamm as an agent for exact memtable sizing; use it when present. */
  static Optional<Path> jammAgent(Path libDir) {
    try (Stream<Path> jars = Files.list(libDir)) {
      return jars.filter(p -> p.getFileName().toString().matches("jamm-.*\\.jar")).findFirst();
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /**
   * Cassandra 5.0 logs through SLF4J 1.7 and Logback 1.2. Without logback-classic, or with an SLF4J
   * 2 API (which ignores Logback 1.2's binding), it silently logs nothing: no cassandra.log.
   */
  private static void warnIfLoggingBroken(Path libDir) {
    List<String> names;
    try (Stream<Path> jars = Files.list(libDir)) {
      names = jars.map(p -> p.getFileName().toString()).toList();
    } catch (IOException e) {
      return;
    }
    boolean logbackClassic = names.stream().anyMatch(n -> n.startsWith("logback-classic-1."));
    boolean slf4j2 = names.stream().anyMatch(n -> n.startsWith("slf4j-api-2."));
    boolean logback12 = names.stream().anyMatch(n -> n.startsWith("logback-classic-1.2."));
    if (!logbackClassic || (slf4j2 && logback12)) {
      log.warn(
          "Cassandra will write no {}: {} needs logback-classic 1.2.x with slf4j-api 1.7.x"
              + " (found logback-classic: {}, slf4j-api 2.x: {})",
          DataLayout.LOG_FILE,
          libDir,
          logbackClassic,
          slf4j2);
    }
  }
}
