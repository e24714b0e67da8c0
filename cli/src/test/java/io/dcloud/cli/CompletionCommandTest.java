package io.dcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.cli.common.ExitCodes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dcloud completion bash}, sourced into a real bash and asked what a TAB completes. */
class CompletionCommandTest {
  @TempDir
  static Path directory;

  private static Path script;

  @BeforeAll
  static void printTheScript() throws IOException {
    CliRunner.Result printed = new CliRunner(directory).run("completion", "bash");
    assertThat(printed.status()).as(printed.toString()).isEqualTo(ExitCodes.OK);
    script = Files.writeString(directory.resolve("dcloud-completion.bash"), printed.out());
  }

  @Test
  void nounsVerbsOptionsAndAnOptionsValuesComplete() throws Exception {
    assertThat(complete("dcloud", "en")).isEqualTo("env");
    assertThat(complete("dcloud", "env", "l")).isEqualTo("ls list logs");
    assertThat(complete("dcloud", "nodes", "get", "--")).contains("--api", "--output", "--help");
    assertThat(complete("dcloud", "env", "ls", "--st")).isEqualTo("--status");
    assertThat(complete("dcloud", "services", "ls", "-o", "")).isEqualTo("table json yaml");
    assertThat(complete("dcloud", "comp")).as("itself").isEqualTo("completion");
  }

  @Test
  void aShellItDoesNotKnowIsAUsageError() {
    CliRunner.Result zsh = new CliRunner(directory).run("completion", "zsh");
    assertThat(zsh.status()).as(zsh.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(zsh.err()).contains("SHELL", "bash");
  }

  /** What bash offers for the last word, as its completion function leaves it in COMPREPLY. */
  private String complete(String... words) throws Exception {
    StringBuilder array = new StringBuilder();
    for (String word : words) {
      array.append(" '").append(word).append('\'');
    }
    String asked = "source '" + script + "'\n"
        + "COMP_WORDS=(" + array + ")\n"
        + "COMP_CWORD=" + (words.length - 1) + "\n"
        + "COMP_LINE=\"${COMP_WORDS[*]}\"\n"
        + "COMP_POINT=${#COMP_LINE}\n"
        + "_complete_dcloud\n"
        + "echo \"${COMPREPLY[*]}\"\n";
    // compopt complains outside a real TAB (it changes how bash shows the answer, not the answer).
    Process bash = new ProcessBuilder("/bin/bash", "-c", asked).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String answer = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(bash.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(bash.exitValue()).as("bash's status for %s", String.join(" ", words)).isZero();
    return answer;
  }
}
