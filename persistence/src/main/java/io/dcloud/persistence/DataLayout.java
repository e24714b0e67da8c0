package io.dcloud.persistence;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Where the embedded Cassandra keeps everything, all under one data directory: its generated
 * configuration ({@code conf/}), data, commit log, caches, hints, and its logs. One directory makes
 * a restart on the same directory find its data, and a test's temporary directory hold it all.
 */
record DataLayout(
    Path dataDir,
    Path conf,
    Path yaml,
    Path logback,
    Path log,
    Path console,
    Path data,
    Path commitlog,
    Path savedCaches,
    Path hints,
    Path cdcRaw,
    Path triggers) {

  static final String LOCK_FILE = "embedded-cassandra.lock";
  static final String LOG_FILE = "cassandra.log";
  /** The child JVM's own stdout and stderr: what it printed before Logback ran, or instead. */
  static final String CONSOLE_FILE = "cassandra-console.log";

  /** The layout of an absolute {@code dataDir}, creating its directories. */
  static DataLayout create(Path dataDir) {
    Path conf = dataDir.resolve("conf");
    DataLayout layout =
        new DataLayout(
            dataDir,
            conf,
            conf.resolve("cassandra.yaml"),
            conf.resolve("logback.xml"),
            dataDir.resolve(LOG_FILE),
            dataDir.resolve(CONSOLE_FILE),
            dataDir.resolve("data"),
            dataDir.resolve("commitlog"),
            dataDir.resolve("saved_caches"),
            dataDir.resolve("hints"),
            dataDir.resolve("cdc_raw"),
            dataDir.resolve("triggers"));
    try {
      for (Path dir :
          List.of(
              conf,
              layout.data,
              layout.commitlog,
              layout.savedCaches,
              layout.hints,
              layout.cdcRaw,
              layout.triggers)) {
        Files.createDirectories(dir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create Cassandra directories in " + dataDir, e);
    }
    return layout;
  }

  /**
   * Whether Cassandra has never started on this data dir: it has no system keyspace yet (the first
   * start creates {@code data/system}, whatever else a caller put in the data dir).
   */
  boolean isFresh() {
    return !Files.isDirectory(data.resolve("system"));
  }

  /** Where {@link ChildJvmCommand} puts the child's own main class. */
  Path launcherDir() {
    return conf.resolve("launcher");
  }
}
