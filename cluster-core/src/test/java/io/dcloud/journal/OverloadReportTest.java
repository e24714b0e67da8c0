package io.dcloud.journal;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import org.apache.pekko.actor.Dropped;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** What an overload repeats thousands of times is logged as one line per period, with counts. */
class OverloadReportTest {
  private static final Config CONFIG = ConfigFactory.parseString("""
      pekko.actor.provider = local
      dcloud.overload.report-interval = 200ms
      """).withFallback(ConfigFactory.load());
  private static final ActorTestKit testKit = ActorTestKit.create("overload-report-test", CONFIG);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void dropsAndJournalFailuresAreCountedInOneWarningEach() {
    // Subscribed before the first publication (spawning is asynchronous).
    LoggingTestKit.info("Counting dropped messages and journal failures").expect(testKit.system(), () ->
        testKit.spawn(OverloadReport.create(CONFIG)));
    TestProbe<String> scheduler = testKit.createTestProbe("scheduler");

    LoggingTestKit.empty().withLogLevel(org.slf4j.event.Level.WARN).withOccurrences(1)
        .withMessageRegex("Dropped 5 messages .*: 5 String to scheduler\\S* \\(Stash buffer is full\\)")
        .expect(testKit.system(), () -> {
          for (int i = 0; i < 5; i++) {
            testKit.system().eventStream().tell(new EventStream.Publish<>(
                Dropped.apply("place", "Stash buffer is full", Adapter.toClassic(scheduler.getRef()))));
          }
          return null;
        });

    LoggingTestKit.empty().withLogLevel(org.slf4j.event.Level.WARN).withOccurrences(1)
        .withMessageRegex("3 journal failures .*: 3 Environment entities \\(Circuit Breaker is open\\)")
        .expect(testKit.system(), () -> {
          for (int i = 0; i < 3; i++) {
            testKit.system().eventStream().tell(new EventStream.Publish<>(
                new JournalFailure("Environment entities", "Circuit Breaker is open")));
          }
          return null;
        });
  }
}
