package io.dcloud.cli.env;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.cli.common.CliIo;
import io.dcloud.cli.common.SseEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The progress line of env create, from the events the gateway sends (as EnvironmentStreamRoutes writes them). */
class EnvProgressTest {
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  private final CliIo io = new CliIo(new ByteArrayInputStream(new byte[0]), new PrintStream(new ByteArrayOutputStream()),
      new PrintStream(err, true, StandardCharsets.UTF_8), Map.of(), false);
  private final EnvProgress progress = new EnvProgress(io, null);

  @Test
  void showsTheBuildStepWhileBuildingAndTheLastBuildLine() {
    progress.update(new SseEvent(null, "status", "{\"status\":\"BUILDING\",\"message\":\"building the image\"}"));
    progress.update(new SseEvent(null, "progress",
        "{\"kind\":\"PROGRESS\",\"message\":\"Step 3/9 : RUN apt-get install -y python3\",\"step\":3,\"steps\":9}"));

    assertThat(progress.line()).startsWith("BUILDING  step 3/9  ").endsWith("Step 3/9 : RUN apt-get install -y python3");
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("BUILDING");
  }

  @Test
  void offATerminalEachBuildStepIsALineAndOtherBuildOutputIsNot() {
    progress.update(new SseEvent(null, "status", "{\"status\":\"BUILDING\",\"message\":\"building the image\"}"));
    progress.update(new SseEvent(null, "progress", "{\"kind\":\"PROGRESS\",\"message\":\"Step 1/2 : FROM x\",\"step\":1,\"steps\":2}"));
    progress.update(new SseEvent(null, "progress", "{\"kind\":\"PROGRESS\",\"message\":\" ---> 1f2e3d\",\"step\":1,\"steps\":2}"));
    progress.update(new SseEvent(null, "progress", "{\"kind\":\"PROGRESS\",\"message\":\"Step 2/2 : RUN y\",\"step\":2,\"steps\":2}"));
    progress.update(new SseEvent(null, "status", "{\"status\":\"RUNNING\"}"));

    assertThat(err.toString(StandardCharsets.UTF_8).lines().map(line -> line.replaceAll("  \\d+s", "")))
        .containsExactly("BUILDING  building the image", "BUILDING  step 1/2  Step 1/2 : FROM x",
            "BUILDING  step 2/2  Step 2/2 : RUN y", "RUNNING  Step 2/2 : RUN y");
  }

  @Test
  void theStepIsNoLongerShownOnceItRuns() {
    progress.update(new SseEvent(null, "progress", "{\"kind\":\"PROGRESS\",\"message\":\"Step 9/9 : CMD x\",\"step\":9,\"steps\":9}"));
    progress.update(new SseEvent(null, "status", "{\"status\":\"RUNNING\"}"));

    assertThat(progress.line()).startsWith("RUNNING  ").doesNotContain("step 9/9");
  }

  @Test
  void theEnvironmentItStartsFromSaysWhyItIsQueuedWholeWhenNotRedrawn() {
    String why = "queued at position 2: no node has room now: not enough free cpu (asks for 4 cores) on n1, n2, n3";
    progress.update(new SseEvent(null, "status", "{\"id\":\"e1\",\"status\":\"QUEUED\",\"reason\":\"no node has room\","
        + "\"history\":[{\"status\":\"REQUESTED\",\"message\":\"requested by ada\"},"
        + "{\"status\":\"QUEUED\",\"message\":\"" + why + "\"}]}"));

    assertThat(progress.line()).startsWith("QUEUED  ").endsWith(why);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains(why);
  }

  @Test
  void onATerminalTheLineIsCutToItsWidth() {
    EnvProgress redrawn = new EnvProgress(io, null, 40);
    redrawn.update(new SseEvent(null, "status",
        "{\"status\":\"QUEUED\",\"message\":\"queued at position 1: no node has room now: not enough free cpu\"}"));

    assertThat(redrawn.line()).hasSizeLessThan(40).startsWith("QUEUED  0s  queued at").endsWith("...");
  }
}
