package io.dcloud.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.cli.common.ExitCodes;
import io.dcloud.gateway.GatewayTestCluster;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dcloud completion bash}, sourced into a real bash and asked what a TAB completes: the CLI's
 * words, and the names of the caller's environments from a real gateway (GatewayTestCluster), which
 * the script asks of a {@code dcloud} it runs.
 */
class CompletionCommandTest {
  private static final String SPEC = """
      env-name: %s
      os: debian
      resources: {ram: 256M, cpu: "0.1"}
      """;

  @TempDir
  static Path directory;

  private static GatewayTestCluster cluster;
  private static CliRunner signedIn;
  private static Path script;
  /** A {@code dcloud} for bash to run: this CLI, signed in as the admin. */
  private static Path dcloud;

  @BeforeAll
  static void start() throws Exception {
    cluster = new GatewayTestCluster("completion-test");
    Path config = Files.createDirectories(directory.resolve("config"));
    signedIn = new CliRunner(config);
    ok(signedIn.runWithStdin(GatewayTestCluster.ADMIN_PASSWORD + "\n",
        "login", "--api", cluster.base.toString(), "--username", "admin", "--password-stdin"));
    for (String name : new String[] {"from-tab", "other-one"}) {
      Path spec = Files.writeString(directory.resolve(name + ".yaml"), SPEC.formatted(name));
      ok(signedIn.run("env", "create", "-f", spec.toString(), "--detach"));
    }
    script = Files.writeString(directory.resolve("dcloud-completion.bash"), ok(signedIn.run("completion", "bash")).out());
    dcloud = Files.writeString(Files.createDirectories(directory.resolve("bin")).resolve("dcloud"),
        "#!/bin/sh\nXDG_CONFIG_HOME='" + config + "' exec '" + Path.of(System.getProperty("java.home"), "bin", "java")
            + "' -cp '" + System.getProperty("java.class.path") + "' io.dcloud.cli.Main \"$@\"\n");
    Files.setPosixFilePermissions(dcloud, PosixFilePermissions.fromString("rwx------"));
  }

  @AfterAll
  static void stop() {
    cluster.close();
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
  void whereAVerbTakesAnEnvironmentTheCallersNamesCompleteAfterItsOptions() throws Exception {
    String run = dcloud.toString();
    assertThat(complete(run, "env", "logs", "from")).isEqualTo("from-tab");
    assertThat(complete(run, "env", "logs", "")).isEqualTo("from-tab other-one");
    assertThat(complete(run, "env", "logs", "--tail", "5", "oth")).as("5 is the option's value").isEqualTo("other-one");
    assertThat(complete(run, "env", "logs", "from-tab", "")).as("named already").isEmpty();
    assertThat(complete(run, "env", "create", "")).as("a create names a new one").isEmpty();
    assertThat(complete(run, "env", "rm", "from-tab", "--wait", "oth")).as("rm takes several").isEqualTo("other-one");
  }

  @Test
  void theNamesCommandPrintsOneALineAndNothingWhenItCannotAsk() throws Exception {
    CliRunner.Result names = ok(signedIn.run("__names", "env"));
    assertThat(names.out().lines()).containsExactly("from-tab", "other-one");

    CliRunner.Result nowhere = new CliRunner(Files.createDirectories(directory.resolve("nobody"))).run("__names", "env");
    assertThat(nowhere.status()).as(nowhere.toString()).isNotZero();
    assertThat(nowhere.out()).as("nothing for bash to offer").isEmpty();
    assertThat(nowhere.err()).as("nothing printed into the line being typed").isEmpty();
    assertThat(signedIn.run("__names", "volumes").out()).as("a noun without names").isEmpty();
  }

  @Test
  void aShellItDoesNotKnowIsAUsageError() {
    CliRunner.Result zsh = signedIn.run("completion", "zsh");
    assertThat(zsh.status()).as(zsh.toString()).isEqualTo(ExitCodes.USAGE);
    assertThat(zsh.err()).contains("SHELL", "bash");
  }

  private static CliRunner.Result ok(CliRunner.Result result) {
    assertThat(result.status()).as(result.toString()).isZero();
    return result;
  }

  /** What bash offers for the last word, as the completion function leaves it in COMPREPLY. */
  private static String complete(String... words) throws IOException, InterruptedException {
    StringBuilder array = new StringBuilder();
    for (String word : words) {
      array.append(" '").append(word).append('\'');
    }
    String asked = "source '" + script + "'\n"
        + "COMP_WORDS=(" + array + ")\n"
        + "COMP_CWORD=" + (words.length - 1) + "\n"
        + "COMP_LINE=\"${COMP_WORDS[*]}\"\n"
        + "COMP_POINT=${#COMP_LINE}\n"
        + "_dcloud_complete_names dcloud\n"
        + "echo \"${COMPREPLY[*]}\"\n";
    // compopt complains outside a real TAB (it changes how bash shows the answer, not the answer).
    Process bash = new ProcessBuilder("/bin/bash", "-c", asked).redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String answer = new String(bash.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertThat(bash.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(bash.exitValue()).as("bash's status for %s", String.join(" ", words)).isZero();
    return answer;
  }
}
