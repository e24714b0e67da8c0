package io.dcloud.environment;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

/**
 * Progress lines: the builder's "Step n/m" lines say where a build is, a node's dataset fetch lines
 * how many bytes of the total it has; the others say neither.
 */
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

  @Test
  void aDatasetFetchLineCarriesItsBytes() {
    EnvironmentUpdate update = EnvironmentUpdate.progress("e1", io.dcloud.node.DatasetFetchLine.of(1048576, 4194304), AT);
    assertThat(update.bytes()).isEqualTo(1048576L);
    assertThat(update.totalBytes()).isEqualTo(4194304L);
    assertThat(update.step()).isNull();
    for (String line : new String[] {"fetching datasets", "fetching datasets: 1 of x bytes", "Step 3/9 : RUN x"}) {
      assertThat(EnvironmentUpdate.progress("e1", line, AT).bytes()).as(line).isNull();
    }
  }
}
