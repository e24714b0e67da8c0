package io.dcloud.app;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code dcloud fingerprint} run as an operator runs it (its own JVM, the launcher's main class),
 * with a stand-in nvidia-smi that prints what a real H200 machine printed.
 */
class FingerprintCommandTest {

  /** nvidia-smi's answer to DCloud's query on a real H200 machine (2026-12-04). */
  private static final String H200_LINE = "0, GPU-b5ad2266-867f-ee56-7d88-f22a9347374d, NVIDIA H200, 143771, 0, 0";

  @Test
  void printsTheMachineWithItsGpuAndWritesNothing(@TempDir Path dir) throws Exception {
    Path nvidiaSmi = dir.resolve("nvidia-smi");
    Files.writeString(nvidiaSmi, "#!/bin/sh\necho '" + H200_LINE + "'\n");
    Files.setPosixFilePermissions(nvidiaSmi, PosixFilePermissions.fromString("rwx------"));
    Path dataDir = dir.resolve("data");

    Process process = new ProcessBuilder(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"),
            "-Ddcloud.node.nvidia-smi=" + nvidiaSmi,
            "-Ddcloud.node.reserved.cpu=0",
            // The launcher's logging, not a test one another module's test jar brings along.
            "-Dlogback.configurationFile=logback.xml",
            "io.dcloud.app.Main", "fingerprint", "--name", "gpu-7", "--data-dir", dataDir.toString()))
        .redirectError(dir.resolve("stderr").toFile())
        .redirectOutput(dir.resolve("stdout").toFile())
        .start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the command finished").isTrue();

    assertThat(process.exitValue()).isZero();
    assertThat(Files.readAllLines(dir.resolve("stdout")))
        .first().asString().startsWith("Machine ").endsWith("(node id gpu-7), as a DCloud worker here would advertise it:");
    // The log is stderr's: stdout is the report alone, for a script to read.
    assertThat(Files.readString(dir.resolve("stderr"))).contains("reported 1 GPU(s)");
    assertThat(Files.readString(dir.resolve("stdout")))
        .contains("  GPUs     1, found by " + nvidiaSmi + ", all NVIDIA H200\n")
        .contains("    0  NVIDIA H200  143771 MiB  GPU-b5ad2266-867f-ee56-7d88-f22a9347374d\n")
        .containsPattern("  cores    (\\d+) measured, 0 cores reserved -> \\1 cores? for environments")
        // No disk-path configured: the file system where this machine's Docker Engine keeps its data.
        .containsPattern("  disk     .+ \\(the file system of /\\S*: the Docker Engine's data root\\)\n");
    // A worker would read or generate the secrets key here: the report only reads.
    assertThat(dataDir).doesNotExist();
  }

  @Test
  void anUnknownFlagIsRefusedWithTheUsage(@TempDir Path dir) throws IOException, InterruptedException {
    Process process = new ProcessBuilder(List.of(
            Path.of(System.getProperty("java.home"), "bin", "java").toString(),
            "-cp", System.getProperty("java.class.path"),
            "io.dcloud.app.Main", "fingerprint", "--gpus", "all"))
        .redirectErrorStream(true)
        .redirectOutput(dir.resolve("out").toFile())
        .start();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("the command finished").isTrue();

    assertThat(process.exitValue()).isEqualTo(2);
    assertThat(Files.readString(dir.resolve("out"))).contains("unknown flag --gpus", "dcloud fingerprint");
  }
}
