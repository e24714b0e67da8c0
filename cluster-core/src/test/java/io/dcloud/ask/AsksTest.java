package io.dcloud.ask;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * An actor's asks and piped stages come back without a thread per answer. Pekko's own
 * {@code ActorContext.ask} and {@code pipeToSelf} of a stage Pekko made continue on the JDK's default
 * executor, which on a machine of two cores or fewer (CI's, and this project's reference machine)
 * starts a new thread for every answer: the quota ledger did so once per create. On bigger machines
 * that executor is the common pool and these tests cannot tell the difference; they are written for
 * the machines where it matters.
 */
class AsksTest {
  private static final ActorTestKit testKit = ActorTestKit.create("asks");
  private static final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
  private static final int ANSWERS = 300;
  /** Timers, the test kit's probes, a dispatcher growing: far fewer than one per answer. */
  private static final int FEW_THREADS = ANSWERS / 10;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  record Question(ActorRef<Integer> replyTo) {}

  private static Behavior<Question> answering() {
    return Behaviors.receive(Question.class)
        .onMessage(Question.class, question -> {
          question.replyTo().tell(1);
          return Behaviors.same();
        })
        .build();
  }

  /** Asks {@code target} {@code count} times, one after the other, and reports the answers' sum (-1 per failure). */
  private static <Q> Behavior<Integer> asking(ActorRef<Q> target, Function<ActorRef<Integer>, Q> question, int count,
      Duration timeout, ActorRef<Object> report) {
    return Behaviors.setup(context -> {
      int[] asked = {1};
      int[] sum = {0};
      Asks.<Q, Integer, Integer>ask(context, target, timeout, question, (answer, failure) -> failure == null ? answer : -1);
      return Behaviors.receive(Integer.class)
          .onMessage(Integer.class, answer -> {
            sum[0] += answer;
            if (answer < 0) {
              report.tell(new TimeoutException("ask " + asked[0] + " was not answered"));
            }
            if (asked[0] == count) {
              report.tell(sum[0]);
              return Behaviors.stopped();
            }
            asked[0]++;
            Asks.<Q, Integer, Integer>ask(context, target, timeout, question, (next, failure) -> failure == null ? next : -1);
            return Behaviors.same();
          })
          .build();
    });
  }

  @Test
  void answersComeBackWithoutAThreadEach() {
    ActorRef<Question> answerer = testKit.spawn(answering());
    TestProbe<Object> report = testKit.createTestProbe();
    long startedBefore = threads.getTotalStartedThreadCount();

    testKit.spawn(asking(answerer, Question::new, ANSWERS, Duration.ofSeconds(5), report.getRef()));

    assertThat(report.receiveMessage(Duration.ofSeconds(30))).isEqualTo(ANSWERS);
    assertThat(threads.getTotalStartedThreadCount() - startedBefore).isLessThan(FEW_THREADS);
  }

  @Test
  void anUnansweredAskComesBackAsItsTimeout() {
    TestProbe<Question> silent = testKit.createTestProbe();
    TestProbe<Object> report = testKit.createTestProbe();

    testKit.spawn(asking(silent.getRef(), Question::new, 1, Duration.ofMillis(200), report.getRef()));

    assertThat(report.receiveMessage()).isInstanceOf(TimeoutException.class);
    assertThat(report.receiveMessage()).isEqualTo(-1);
  }

  @Test
  void streamEndsComeBackWithoutAThreadEach() {
    TestProbe<Integer> report = testKit.createTestProbe();
    long startedBefore = threads.getTotalStartedThreadCount();

    testKit.spawn(Behaviors.<Integer>setup(context -> {
      int[] ended = {0};
      int[] sum = {0};
      for (int i = 0; i < ANSWERS; i++) {
        Asks.pipeToSelf(context, Source.range(1, 10).runWith(Sink.fold(0, Integer::sum), testKit.system()),
            (total, failure) -> failure == null ? total : -1);
      }
      return Behaviors.receiveMessage(total -> {
        sum[0] += total;
        if (++ended[0] == ANSWERS) {
          report.tell(sum[0]);
        }
        return Behaviors.same();
      });
    }));

    assertThat(report.receiveMessage(Duration.ofSeconds(30))).isEqualTo(55 * ANSWERS);
    assertThat(threads.getTotalStartedThreadCount() - startedBefore).isLessThan(FEW_THREADS);
  }
}
