package io.dcloud.gateway;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class CreateAdmissionTest {
  private static final Duration TARGET = Duration.ofSeconds(1);
  private static final long FAST = Duration.ofMillis(20).toNanos();
  private static final long SLOW = Duration.ofSeconds(4).toNanos();

  @Test
  void admitsUpToTheLimitAndAgainOnceOneIsAnswered() {
    CreateAdmission admission = new CreateAdmission(1, 3, TARGET);
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
    CreateAdmission admission = new CreateAdmission(4, 256, TARGET);
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
    CreateAdmission admission = new CreateAdmission(4, 256, TARGET);
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
    CreateAdmission admission = new CreateAdmission(1, 2, TARGET);
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
    CreateAdmission admission = new CreateAdmission(4, 1, TARGET);
    for (int i = 0; i < 10; i++) {
      admission.tryAdmit();
      admission.answered(SLOW);
    }
    assertThat(admission.currentLimit()).isEqualTo(1);
    assertThatThrownBy(() -> new CreateAdmission(1, 0, TARGET))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("max-creates-in-flight");
  }
}
