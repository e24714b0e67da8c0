package io.dcloud.gateway.common;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CreateAdmissionTest {
  private static final Duration TARGET = Duration.ofSeconds(1);
  private static final long FAST = Duration.ofMillis(20).toNanos();
  private static final long SLOW = Duration.ofSeconds(4).toNanos();

  private static CreateAdmission admission(int initial, int min, int max) {
    return new CreateAdmission(new CreateAdmission.Settings(initial, min, max, TARGET));
  }

  @Test
  void admitsUpToTheLimitAndAgainOnceOneIsAnswered() {
    CreateAdmission admission = admission(3, 1, 3);
    assertThat(admission.tryAdmit()).isTrue();
    assertThat(admission.tryAdmit()).isTrue();
    assertThat(admission.tryAdmit()).isTrue();
    assertThat(admission.tryAdmit()).as("a fourth at once").isFalse();
    assertThat(admission.inFlight()).isEqualTo(3);

    admission.answered(FAST);
    assertThat(admission.inFlight()).isEqualTo(2);
    assertThat(admission.tryAdmit()).isTrue();
  }

  @Test
  void slowAnswersShrinkTheLimitToTheMinimumAndNoFurther() {
    CreateAdmission admission = admission(256, 4, 256);
    for (int i = 0; i < 100; i++) {
      assertThat(admission.tryAdmit()).isTrue();
      admission.answered(SLOW);
    }
    assertThat(admission.currentLimit()).isEqualTo(4);
    for (int i = 0; i < 4; i++) {
      assertThat(admission.tryAdmit()).isTrue();
    }
    assertThat(admission.tryAdmit()).as("a fifth while the slow cluster works on four").isFalse();
  }

  @Test
  void timelyAnswersGrowItBackOnlyWhileItIsInFullUse() {
    CreateAdmission admission = admission(256, 4, 256);
    for (int i = 0; i < 100; i++) {
      admission.tryAdmit();
      admission.answered(SLOW);
    }
    // One at a time: the limit is never even half in use, so there is nothing to learn about a larger one.
    for (int i = 0; i < 100; i++) {
      admission.tryAdmit();
      admission.answered(FAST);
    }
    assertThat(admission.currentLimit()).isEqualTo(4);

    // Always full: each timely round of answers adds about one (4 + 20, give or take the rounding).
    for (int round = 0; round < 20; round++) {
      while (admission.tryAdmit()) {
        // fill the window
      }
      for (int answered = admission.inFlight(); answered > 0; answered--) {
        admission.answered(FAST);
      }
    }
    assertThat(admission.currentLimit()).isBetween(20, 30);
  }

  @Test
  void neverGrowsPastTheMaximum() {
    CreateAdmission admission = admission(2, 1, 2);
    for (int round = 0; round < 50; round++) {
      while (admission.tryAdmit()) {
        // fill the window
      }
      admission.answered(FAST);
      admission.answered(FAST);
    }
    assertThat(admission.currentLimit()).isEqualTo(2);
  }

  @Test
  void aMinimumAboveTheMaximumIsTheMaximumAndAZeroMaximumIsRefused() {
    CreateAdmission admission = admission(16, 4, 1);
    for (int i = 0; i < 10; i++) {
      admission.tryAdmit();
      admission.answered(SLOW);
    }
    assertThat(admission.currentLimit()).isEqualTo(1);
    assertThatThrownBy(() -> admission(1, 1, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("max-creates-in-flight");
  }

  @Test
  void startsAtTheInitialLimitAndDoublesEachTimelyRoundUntilTheFirstSlowAnswer() {
    CreateAdmission admission = admission(16, 4, 256);
    int admitted = 0;
    while (admission.tryAdmit()) {
      admitted++;
    }
    assertThat(admitted).as("a burst at a fresh gateway").isEqualTo(16);

    // Demand beyond the limit: every answer frees a slot that is filled at once. Each timely answer
    // adds one, so the limit doubles each round: 16 answers -> 32, 32 more -> 64.
    answerTimelyKeepingFull(admission, 16 + 32);
    assertThat(admission.currentLimit()).isEqualTo(64);

    admission.answered(SLOW);
    assertThat(admission.currentLimit()).isEqualTo(57);
    answerTimelyKeepingFull(admission, 57);
    assertThat(admission.currentLimit()).as("past slow start, a round adds about two, not one per answer")
        .isBetween(58, 60);
  }

  private static void answerTimelyKeepingFull(CreateAdmission admission, int answers) {
    for (int i = 0; i < answers; i++) {
      admission.answered(FAST);
      while (admission.tryAdmit()) {
        // the waiting demand takes every free slot
      }
    }
  }

  @Test
  void anInitialLimitOutsideMinAndMaxIsClampedToThem() {
    assertThat(admission(1, 4, 256).currentLimit()).isEqualTo(4);
    assertThat(admission(500, 4, 256).currentLimit()).isEqualTo(256);
  }
}
