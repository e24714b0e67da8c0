package io.dcloud.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import io.dcloud.deploy.ContainerRuntime.ExecResult;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code docker exec} through the runtime against the real Docker Engine, in one idle busybox container. */
@Tag("docker")
class DockerRuntimeExecTest {

  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final long MAX_OUTPUT = 1024;

  /** Cleans up everything the class created, after its last test. */
  @RegisterExtension
  static final DockerTestSupport docker = DockerTestSupport.start();

  private static final DockerRuntime runtime = docker.runtime();
  private static String containerId;

  @BeforeAll
  static void startIdleContainer() {
    containerId = docker.run(docker.busyboxSpec("exec", List.of("sleep", "infinity")));
  }

  @Test
  void exitCodeStdoutAndStderrComeBackApart() {
    ExecResult result = runtime.exec(containerId, List.of("sh", "-c", "echo out; echo err >&2; exit 3"), null, TIMEOUT,
        MAX_OUTPUT);

    assertThat(result).isEqualTo(new ExecResult(3, "out\n", "err\n", false, false));
  }

  @Test
  void stdinReachesTheCommandAndEndsWithEof() {
    ExecResult result = runtime.exec(containerId, List.of("wc", "-l"), "a\nb\nc\n", TIMEOUT, MAX_OUTPUT);

    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout().strip()).isEqualTo("3");
  }

  @Test
  void outputPastTheBoundIsCutAndDrainedToTheEnd() {
    // 100 000 bytes on each stream: far past the bound and past a pipe's buffer, so an undrained stream would block.
    ExecResult result = runtime.exec(containerId,
        List.of("sh", "-c", "head -c 100000 /dev/zero; head -c 100000 /dev/zero >&2; exit 5"), null, TIMEOUT, MAX_OUTPUT);

    assertThat(result.exitCode()).isEqualTo(5);
    assertThat(result.truncated()).isTrue();
    assertThat(result.stdout()).hasSize((int) MAX_OUTPUT);
    assertThat(result.stderr()).hasSize((int) MAX_OUTPUT);
  }

  /** Environments run as their image's user (uid 1000 in DCloud's images): exec must not make that root. */
  @Test
  void theCommandRunsAsTheContainersOwnUser() {
    String name = docker.name("exec-user");
    String id = docker.docker().createContainerCmd(TestImages.BUSYBOX)
        .withName(name)
        .withUser("1000:1000")
        .withCmd("sleep", "infinity")
        .withLabels(docker.labels(name, docker.name("node")))
        .exec()
        .getId();
    runtime.start(id);

    ExecResult result = runtime.exec(id, List.of("id", "-u"), null, TIMEOUT, MAX_OUTPUT);

    assertThat(result.stdout().strip()).isEqualTo("1000");
  }

  @Test
  void aCommandPastItsTimeoutIsAbandonedWithWhatItPrinted() {
    ExecResult result = runtime.exec(containerId, List.of("sh", "-c", "echo started; sleep 600"), null,
        Duration.ofSeconds(2), MAX_OUTPUT);

    assertThat(result.timedOut()).isTrue();
    assertThat(result.exitCode()).isNull();
    assertThat(result.stdout()).isEqualTo("started\n");
  }
}
