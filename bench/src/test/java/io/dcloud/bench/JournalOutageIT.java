package io.dcloud.bench;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * An overload ends in recovery: creates stream in while Cassandra is frozen (SIGSTOP of its JVM)
 * long enough for the journal's circuit breaker to open, for the scheduler's and entities' writes
 * and recoveries to fail, and for the scheduler's stash to overflow with re-sent Place requests;
 * once Cassandra is thawed every create (those unanswered sent again, as a client would) runs,
 * each placed and started once.
 */
@Tag("cassandra")
class JournalOutageIT {
  private static final int NODES = 20;
  private static final int CREATES = 3000;
  /**
   * The stash of the scheduler (and of each entity), small so that a few thousand creates overflow
   * it as fifty thousand overflow the default 4096.
   */
  private static final String STASH_CAPACITY = "100";
  private static final int RATE = 100;
  /** Creates flow normally this long before the freeze. */
  private static final Duration BEFORE_FREEZE = Duration.ofSeconds(5);
  /**
   * Longer than the driver's request timeout (5 s) plus ten failed calls, so the breaker opens,
   * and long enough for thousands of re-sent Place requests to fill the scheduler's stash.
   */
  private static final Duration FREEZE = Duration.ofSeconds(25);

  private final LogCounter log = new LogCounter();

  @BeforeEach
  void countLogAndShrinkStash() {
    log.start();
    root().addAppender(log);
    // System properties override the configuration PlacementBenchmark loads.
    System.setProperty("pekko.persistence.typed.stash-capacity", STASH_CAPACITY);
    ConfigFactory.invalidateCaches();
  }

  @AfterEach
  void restore() {
    System.clearProperty("pekko.persistence.typed.stash-capacity");
    ConfigFactory.invalidateCaches();
    root().detachAppender(log);
    log.stop();
  }

  @Test
  void everyCreateRunsOnceAfterTheJournalFroze() {
    PlacementOptions options = new PlacementOptions(
        NODES, CREATES, RATE, 40, false, Duration.ofMinutes(10), Duration.ofMinutes(3), null, false);

    PlacementReport report = PlacementBenchmark.run(options, cassandra -> {
      Thread.sleep(BEFORE_FREEZE.toMillis());
      signal(cassandra, "STOP");
      try {
        Thread.sleep(FREEZE.toMillis());
      } finally {
        signal(cassandra, "CONT");
      }
    });

    System.out.println(report.render());
    System.out.printf("log: %d breaker-open failures, %d stash-overflow lines, %d drop reports, %d failure reports%n",
        log.breakerOpen.get(), log.stashFull.get(), log.dropReports.get(), log.failureReports.get());
    // The scenario happened: the breaker opened, and the entities failing on it were counted.
    assertThat(log.breakerOpen.get()).isPositive();
    assertThat(log.failureReports.get()).as("entities' journal failures, counted").isPositive();
    // How much a full stash drops depends on timing (none, some runs): whatever it drops is reported.
    assertThat(log.dropReports.get() > 0 || log.stashFull.get() == 0).as("drops reported").isTrue();
    assertThat(log.entityRestartLines.get()).as("a line per entity restart").isZero();
    assertThat(report.violations()).isEmpty();
    assertThat(report.running()).isEqualTo(CREATES);
    assertThat(report.timeline().repeated.get()).isZero();
    // A stash overflow is one counted line per period, not one per dropped message.
    assertThat(log.stashFull.get()).isLessThan(100);
  }

  private static void signal(ProcessHandle process, String signal) {
    try {
      int exit = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid())).inheritIO().start().waitFor();
      if (exit != 0) {
        throw new IllegalStateException("kill -" + signal + " " + process.pid() + " exited with " + exit);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while sending SIG" + signal, e);
    }
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  /** Counts log lines of interest (keeping none: an overload may log hundreds of thousands). */
  private static final class LogCounter extends AppenderBase<ILoggingEvent> {
    final AtomicInteger breakerOpen = new AtomicInteger();
    final AtomicInteger stashFull = new AtomicInteger();
    final AtomicInteger dropReports = new AtomicInteger();
    final AtomicInteger failureReports = new AtomicInteger();
    final AtomicInteger entityRestartLines = new AtomicInteger();

    @Override
    protected void append(ILoggingEvent event) {
      if (event.getFormattedMessage().contains("Stash buffer is full")) {
        stashFull.incrementAndGet();
      }
      if (event.getLoggerName().endsWith("OverloadReport") && event.getFormattedMessage().startsWith("Dropped ")) {
        dropReports.incrementAndGet();
      }
      if (event.getLoggerName().endsWith("OverloadReport") && event.getFormattedMessage().contains("journal failures")) {
        failureReports.incrementAndGet();
      }
      if (event.getLoggerName().endsWith("EnvironmentBehavior") && event.getFormattedMessage().contains("Supervisor")) {
        entityRestartLines.incrementAndGet();
      }
      if (mentions(event.getThrowableProxy(), "Circuit Breaker is open")
          || event.getFormattedMessage().contains("Circuit Breaker is open")) {
        breakerOpen.incrementAndGet();
      }
    }

    private static boolean mentions(IThrowableProxy throwable, String text) {
      for (IThrowableProxy t = throwable; t != null; t = t.getCause()) {
        if (t.getMessage() != null && t.getMessage().contains(text)) {
          return true;
        }
      }
      return false;
    }
  }
}
