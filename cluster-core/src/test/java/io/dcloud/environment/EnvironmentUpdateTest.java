package io.dcloud.environment;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/** A build's progress lines: the builder's "Step n/m" lines say where it is, the others do not. */
class EnvironmentUpdateTest {
  private static final Instant AT = Instant.parse("2026-11-30T12:00:00Z");

  @Test
  void aStepLineCarriesItsStep() {
    EnvironmentUpdate update = EnvironmentUpdate.progress("e1", "Step 3/9 : RUN apt-get update", AT);
    assertThat(update.kind()).isEqualTo(EnvironmentUpdate.Kind.PROGRESS);
    assertThat(update.message()).isEqualTo("Step 3/9 : RUN apt-get update");
    assertThat(update.step()).isEqualTo(3);
    assertThat(update.steps()).isEqualTo(9);
  }

  @Test
  void otherLinesCarryNone() {
    for (String line : new String[] {" ---> Running in 4f2a", "image t is cached", "Step three/9", "a Step 3/9"}) {
      EnvironmentUpdate update = EnvironmentUpdate.progress("e1", line, AT);
      assertThat(update.step()).as(line).isNull();
      assertThat(update.steps()).as(line).isNull();
    }
  }
}
