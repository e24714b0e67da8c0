package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.Level;
import io.dcloud.testing.LogCapture;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The shipped logback.xml (this module has no logback-test.xml) with its filter, through real loggers. */
class BenignPekkoWarningsTest {
  private static final String STREAM_REF_SENDER = "org.apache.pekko.stream.impl.streamref.SinkRefStageImpl";

  private final LogCapture logged = LogCapture.of(org.slf4j.Logger.ROOT_LOGGER_NAME);

  @AfterEach
  void release() {
    logged.close();
  }

  @Test
  void aStreamReferenceThatEndedBeforeItsReceiverSubscribedIsNoWarning() {
    LoggerFactory.getLogger(STREAM_REF_SENDER)
        .warn("[SinkRef-7] Stream already completed before remote side materialized, failing now.");

    assertThat(logged.messages(Level.WARN)).isEmpty();
  }

  @Test
  void oneThatFailedBeforeItsReceiverSubscribedStillIs() {
    LoggerFactory.getLogger(STREAM_REF_SENDER).warn(
        "[SinkRef-8] Stream already terminated with exception before remote side materialized, sending failure: boom");

    assertThat(logged.messages(Level.WARN)).singleElement().asString().contains("boom");
  }

  @Test
  void aFullStashIsCountedElsewhereNotWarnedPerMessage() {
    LoggerFactory.getLogger("io.dcloud.scheduler.Scheduler").warn("Stash buffer is full, dropping message [{}]", "Place");

    assertThat(logged.messages(Level.WARN)).isEmpty();
  }

  @Test
  void otherWarningsPass() {
    LoggerFactory.getLogger(STREAM_REF_SENDER).warn("something else");
    LoggerFactory.getLogger("io.dcloud.scheduler.Scheduler").warn("no node has room");

    assertThat(logged.messages(Level.WARN)).hasSize(2);
  }
}
