package io.dcloud.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;
import org.opentest4j.TestAbortedException;

class RequirementsTest {

  @Test
  void aMetRequirementNeitherFailsNorSkips() {
    assertThatCode(() -> Requirements.requireOrSkip(true, () -> "unused", true))
        .doesNotThrowAnyException();
    assertThatCode(() -> Requirements.requireOrSkip(true, () -> "unused", false))
        .doesNotThrowAnyException();
  }

  @Test
  void aMissingDependencyFailsUnderCi() {
    assertThatThrownBy(() -> Requirements.requireOrSkip(false, () -> "iptables missing", true))
        .isInstanceOf(AssertionFailedError.class)
        .hasMessageContaining("iptables missing")
        .hasMessageContaining("CI=true");
  }

  @Test
  void aMissingDependencySkipsOutsideCi() {
    assertThatThrownBy(() -> Requirements.requireOrSkip(false, () -> "iptables missing", false))
        .isInstanceOf(TestAbortedException.class)
        .hasMessage("iptables missing");
  }

  @Test
  void onlyCiEqualToTrueMeansCi() {
    assertThat(Requirements.isCi("true")).isTrue();
    assertThat(Requirements.isCi("TRUE")).isTrue();
    assertThat(Requirements.isCi(null)).isFalse();
    assertThat(Requirements.isCi("")).isFalse();
    assertThat(Requirements.isCi("false")).isFalse();
  }
}
