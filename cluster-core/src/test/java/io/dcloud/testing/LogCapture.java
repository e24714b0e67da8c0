package io.dcloud.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.slf4j.LoggerFactory;

/**
 * Records what one class (or logger and those below it) logs during a test, so a test can check
 * that a reason was given. Shared by every module's tests through cluster-core's test jar.
 */
public final class LogCapture implements AutoCloseable {

  private final Logger logger;
  private final Level previousLevel;
  private final Recorder appender = new Recorder();

  private LogCapture(String loggerName, Level level) {
    logger = (Logger) LoggerFactory.getLogger(loggerName);
    previousLevel = logger.getLevel();
    if (level != null) {
      logger.setLevel(level);
    }
    appender.start();
    logger.addAppender(appender);
  }

  /** Everything {@code source} logs, DEBUG included. */
  public static LogCapture of(Class<?> source) {
    return new LogCapture(source.getName(), Level.DEBUG);
  }

  /** What {@code loggerName} and the loggers below it log at the level the configuration gives them. */
  public static LogCapture of(String loggerName) {
    return new LogCapture(loggerName, null);
  }

  /** The formatted messages at {@code level} or above, oldest first. */
  public List<String> messages(Level level) {
    return appender.events.stream()
        .filter(e -> e.getLevel().isGreaterOrEqual(level))
        .map(ILoggingEvent::getFormattedMessage)
        .toList();
  }

  @Override
  public void close() {
    logger.detachAppender(appender);
    logger.setLevel(previousLevel);
    appender.stop();
  }

  /**
   * Keeps events in a concurrent queue: the class under test logs from its own threads while the
   * test reads (logback's ListAppender is a plain ArrayList; reading it then threw
   * ConcurrentModificationException in CI).
   */
  private static final class Recorder extends AppenderBase<ILoggingEvent> {
    private final Queue<ILoggingEvent> events = new ConcurrentLinkedQueue<>();

    @Override
    protected void append(ILoggingEvent event) {
      events.add(event);
    }
  }
}
