package io.dcloud.cli.env;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.dcloud.cli.common.ExitCodes;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** How a dry run's answer is printed, and the exit status each placement outcome gives. */
class EnvDryRunTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static String answer(String placement) {
    return """
        {"dryRun": true, "spec": {}, "yaml": "---\\nenv-name: \\"x\\"\\n", "dockerfile": "FROM debian:bookworm",
         "placement": %s}""".formatted(placement);
  }

  private record Printed(int status, String out) {}

  private static Printed print(String answer) throws Exception {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    JsonNode parsed = JSON.readTree(answer);
    int status = EnvDryRun.print(parsed, new PrintStream(bytes, true, StandardCharsets.UTF_8));
    return new Printed(status, bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void aFittingRequestNamesItsNodeAndGpus() throws Exception {
    Printed printed = print(answer(
        "{\"outcome\": \"fits\", \"node\": \"n1\", \"gpus\": [\"GPU-a\", \"GPU-b\"], \"reason\": \"most free cpu\"}"));

    assertThat(printed.status()).isEqualTo(ExitCodes.OK);
    assertThat(printed.out()).isEqualTo("""
        == request (YAML) ==
        ---
        env-name: "x"
        == Dockerfile ==
        FROM debian:bookworm
        == placement ==
        fits on n1 with GPUs GPU-a, GPU-b: most free cpu
        """);
  }

  @Test
  void neverExitsAsTheRefusedCreateWouldAndQueuedIsFine() throws Exception {
    Printed never = print(answer("{\"outcome\": \"never\", \"node\": null, \"gpus\": [], \"reason\": \"too big\"}"));
    Printed queued = print(answer("{\"outcome\": \"queued\", \"node\": null, \"gpus\": [], \"reason\": \"busy\"}"));

    assertThat(never.status()).isEqualTo(ExitCodes.USAGE);
    assertThat(never.out()).endsWith("never: too big\n");
    assertThat(queued.status()).isEqualTo(ExitCodes.OK);
    assertThat(queued.out()).endsWith("queued: busy\n");
  }
}
