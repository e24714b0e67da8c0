package io.dcloud.persistence;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running child JVM and its supervision: it is started with its output in the layout's console
 * file, stopped gracefully (SIGTERM, so that Cassandra drains, then SIGKILL after the drain
 * timeout), and a JVM shutdown hook stops it the same way if this JVM exits first.
 */
final class CassandraProcess {

  // The embedded Cassandra's one log category, as before it was split into several classes.
  private static final Logger log = LoggerFactory.getLogger(EmbeddedCassandra.class);

  /** How long to wait for the kernel to reap a SIGKILLed child before saying so. */
  private static final Duration KILL_WAIT = Duration.ofSeconds(10);

  private final Process process;
  private final Thread shutdownHook;
  private final Duration drainTimeout;

  private CassandraProcess(Process process, Thread shutdownHook, Duration drainTimeout) {
    this.process = process;
    this.shutdownHook = shutdownHook;
    this.drainTimeout = drainTimeout;
  }

  /**
   * Starts {@code command} in the data dir and registers the shutdown hook that stops it. The
   * child's stdin stays an open pipe: {@link CassandraChildMain} exits when it closes.
   */
  static CassandraProcess launch(List<String> command, DataLayout layout, Duration drainTimeout)
      throws IOException {
    ProcessBuilder builder =
        new ProcessBuilder(command)
            .directory(layout.dataDir().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.to(layout.console().toFile()));
    // As Cassandra's own cassandra-env.sh: fewer glibc arenas, less resident memory.
    builder.environment().putIfAbsent("MALLOC_ARENA_MAX", "4");
    Process process = builder.start();
    Thread hook =
        new Thread(() -> stop(process, drainTimeout), "embedded-cassandra-shutdown-hook");
    try {
      Runtime.getRuntime().addShutdownHook(hook);
    } catch (RuntimeException e) {
      // This JVM is already shutting down: no hook would stop the child.
      kill(process);
      throw e;
    }
    return new CassandraProcess(process, hook, drainTimeout);
  }

  Process process() {
    return process;
  }

  /**
   * Logs an error if the child exits while {@code stopping} is still false, naming the log to read:
   * a Cassandra that dies under a running DCloud must not go unnoticed.
   */
  void reportUnexpectedExit(BooleanSupplier stopping, Path logFile) {
    process
        .onExit()
        .thenAccept(
            p -> {
              if (!stopping.getAsBoolean()) {
                log.error(
                    "Embedded Cassandra (pid {}) exited unexpectedly with code {}; see {}",
                    p.pid(),
                    p.exitValue(),
                    logFile);
              }
            });
  }

  /** SIGTERM, at most the drain timeout, then SIGKILL; returns when the child is gone. */
  void stop() {
    removeHook();
    stop(process, drainTimeout);
  }

  /** For a start that failed: no drain, the child has served nothing. */
  void kill() {
    kill(process);
    removeHook();
  }

  private static void stop(Process process, Duration drainTimeout) {
    if (!process.isAlive()) {
      return;
    }
    process.destroy(); // SIGTERM: Cassandra's shutdown hook drains
    try {
      if (!process.waitFor(drainTimeout.toMillis(), TimeUnit.MILLISECONDS)) {
        log.warn(
            "Embedded Cassandra (pid {}) did not stop within {}: killing it",
            process.pid(),
            drainTimeout);
        kill(process);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      kill(process);
    }
  }

  private static void kill(Process process) {
    process.destroyForcibly();
    try {
      if (!process.waitFor(KILL_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
        log.error("Embedded Cassandra (pid {}) survived SIGKILL for {}", process.pid(), KILL_WAIT);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void removeHook() {
    try {
      Runtime.getRuntime().removeShutdownHook(shutdownHook);
    } catch (IllegalStateException e) {
      // the JVM is already shutting down: the hook is running or about to
    }
  }
}
