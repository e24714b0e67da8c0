package io.dcloud.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Interactive commands and file archives through the runtime against the real Docker Engine, in one idle busybox container. */
@Tag("docker")
class DockerRuntimeShellTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @RegisterExtension
  static final DockerTestSupport docker = DockerTestSupport.start();

  private static final DockerRuntime runtime = docker.runtime();
  private static String containerId;

  @BeforeAll
  static void startIdleContainer() {
    containerId = docker.run(docker.busyboxSpec("shell", List.of("sleep", "infinity")));
  }

  @Test
  void aShellReadsItsInputUntilStdinClosesThenExits() throws Exception {
    try (ShellSession shell = runtime.shell(containerId, List.of("sh"), false)) {
      shell.write("echo hi; echo err >&2\n".getBytes(StandardCharsets.UTF_8));
      shell.closeStdin();

      assertThat(readToEnd(shell)).contains("hi\n", "err\n");
      assertThat(shell.exitCode()).isZero();
    }
  }

  @Test
  void aTerminalTakesItsNewSize() throws Exception {
    try (ShellSession shell = runtime.shell(containerId, List.of("sh"), true)) {
      shell.resize(123, 45);
      shell.write("stty size; exit 7\n".getBytes(StandardCharsets.UTF_8));

      assertThat(readToEnd(shell)).contains("45 123");
      assertThat(shell.exitCode()).isEqualTo(7);
    }
  }

  @Test
  void closingASessionEndsABlockedRead() throws Exception {
    ShellSession shell = runtime.shell(containerId, List.of("sh"), false);
    CompletableFuture<String> output = CompletableFuture.supplyAsync(() -> readToEnd(shell));

    shell.close();

    assertThat(output.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isEmpty();
  }

  @Test
  void archivesGoInAndComeOut() throws IOException {
    byte[] tar = TarArchive.create().file("notes/a.txt", "alpha").toBytes();
    runtime.exec(containerId, List.of("mkdir", "-p", "/tmp/in"), null, TIMEOUT, 1024);

    assertThat(runtime.putArchive(containerId, "/tmp/in", new java.io.ByteArrayInputStream(tar), TIMEOUT)).isTrue();
    assertThat(runtime.exec(containerId, List.of("cat", "/tmp/in/notes/a.txt"), null, TIMEOUT, 1024).stdout())
        .isEqualTo("alpha");
    try (InputStream out = runtime.getArchive(containerId, "/tmp/in/notes/a.txt").orElseThrow()) {
      assertThat(new String(out.readAllBytes(), StandardCharsets.UTF_8)).contains("a.txt", "alpha");
    }
    assertThat(runtime.getArchive(containerId, "/tmp/no-such-thing")).isEmpty();
    assertThat(runtime.putArchive(containerId, "/tmp/no-such-dir", new java.io.ByteArrayInputStream(tar), TIMEOUT)).isFalse();
  }

  private static String readToEnd(ShellSession shell) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buffer = new byte[4096];
    try {
      for (int n = shell.read(buffer); n >= 0; n = shell.read(buffer)) {
        out.write(buffer, 0, n);
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return out.toString(StandardCharsets.UTF_8);
  }
}
