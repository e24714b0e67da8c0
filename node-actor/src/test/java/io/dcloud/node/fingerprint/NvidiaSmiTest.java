package io.dcloud.node.fingerprint;

import static io.dcloud.node.fingerprint.FakeNvidiaSmi.recorded;
import static io.dcloud.node.fingerprint.FakeNvidiaSmi.resource;
import static io.dcloud.node.fingerprint.FakeNvidiaSmi.script;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.InstanceOfAssertFactories.STRING;

import ch.qos.logback.classic.Level;
import io.dcloud.testing.LogCapture;
import io.dcloud.resources.GpuDevice;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NvidiaSmiTest {

  /** Generous for a shell script that prints a file; the hanging case uses its own short timeout. */
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  /** Long enough for sh to write its pid files on a loaded machine, short enough to keep the test quick. */
  private static final Duration HANG_TIMEOUT = Duration.ofSeconds(1);

  /** How long a killed process may take to disappear before the test calls it a leak. */
  private static final Duration GONE_WITHIN = Duration.ofSeconds(5);

  /** How often the test looks whether a killed process is gone. */
  private static final Duration POLL_INTERVAL = Duration.ofMillis(10);

  /** The status nvidia-smi exits with when the kernel driver is not loaded (NVML_ERROR_DRIVER_NOT_LOADED). */
  private static final int DRIVER_NOT_LOADED = 9;

  @Nested
  class ParsingRecordedOutputs {

    @Test
    void noGpusIsAnEmptyOutput() {
      assertThat(NvidiaSmi.parse(recorded("no-gpus.txt"))).isEmpty();
    }

    @Test
    void oneA100() {
      assertThat(NvidiaSmi.parse(recorded("one-a100.txt")))
          .containsExactly(
              new GpuDevice(0, "GPU-6f7b1a2e-3c4d-9e8f-0a1b-2c3d4e5f6a7b", "NVIDIA A100-SXM4-40GB", 40960L));
    }

    /** Recorded on a real machine (2026-12-04, driver 580.159.04, MIG off, persistence on). */
    @Test
    void oneH200AsARealMachinePrintsIt() {
      assertThat(NvidiaSmi.parse(recorded("one-h200.txt")))
          .containsExactly(
              new GpuDevice(0, "GPU-b5ad2266-867f-ee56-7d88-f22a9347374d", "NVIDIA H200", 143771L));
    }

    @Test
    void eightH100sKeepTheirOrderAndNamesWithSpaces() {
      List<GpuDevice> gpus = NvidiaSmi.parse(recorded("eight-h100.txt"));

      assertThat(gpus).extracting(GpuDevice::index).containsExactly(0, 1, 2, 3, 4, 5, 6, 7);
      assertThat(gpus).extracting(GpuDevice::name).containsOnly("NVIDIA H100 80GB HBM3");
      assertThat(gpus).extracting(GpuDevice::memoryTotalMiB).containsOnly(81559L);
      assertThat(gpus).extracting(GpuDevice::uuid).doesNotHaveDuplicates().allMatch(u -> u.startsWith("GPU-"));
      assertThat(gpus.get(4).uuid()).isEqualTo("GPU-a93f99f2-e8a4-987e-0608-2c084826f652");
    }

    /** MIG mode on GPUs 0 and 1: still listed as physical GPUs, only their utilization is [N/A]. */
    @Test
    void migEnabledGpusAreListedAsPhysicalGpusWithTheirMemory() {
      List<GpuDevice> gpus = NvidiaSmi.parse(recorded("mig-a100.txt"));

      assertThat(gpus).hasSize(4);
      assertThat(gpus.get(0))
          .isEqualTo(new GpuDevice(0, "GPU-187e81ac-2c11-2e79-3730-20538dcceab0", "NVIDIA A100-SXM4-80GB", 81920L));
      assertThat(gpus).extracting(GpuDevice::memoryTotalMiB).containsOnly(81920L);
    }

    @Test
    void bracketedNotAvailableMemoryIsUnknownButTheGpuIsKept() {
      List<GpuDevice> gpus = NvidiaSmi.parse(recorded("na-fields.txt"));

      assertThat(gpus).extracting(GpuDevice::index).containsExactly(0, 1);
      assertThat(gpus.get(0).memoryTotalMiB()).isNull();
      assertThat(gpus.get(0).name()).isEqualTo("NVIDIA A100-SXM4-80GB");
      assertThat(gpus.get(1).memoryTotalMiB()).isEqualTo(81920L);
    }

    @Test
    void notSupportedColumnsDoNotDropOldGpus() {
      assertThat(NvidiaSmi.parse(recorded("not-supported.txt")))
          .extracting(GpuDevice::name, GpuDevice::memoryTotalMiB)
          .containsExactly(
              tuple("GeForce GT 730", 2001L),
              tuple("Quadro K2200", 4043L));
    }

    @Test
    void theDriverFailureMessageIsNoGpuAndSaysWhy() {
      try (LogCapture logs = LogCapture.of(NvidiaSmi.class)) {
        assertThat(NvidiaSmi.parse(recorded("driver-failure.txt"))).isEmpty();
        assertThat(logs.messages(Level.WARN))
            .singleElement(STRING)
            .contains("line 1", "expected 6", "NVIDIA-SMI has failed");
      }
    }
  }

  @Nested
  class ToleratingFormatting {

    @Test
    void crlfExtraSpacesAndTrailingBlankLines() {
      String output =
          "  0 ,   GPU-11111111-2222-3333-4444-555555555555 ,  Tesla V100-SXM2-16GB  ,  16160 , 0 , 0  \r\n"
              + "1,GPU-66666666-7777-8888-9999-000000000000,Tesla V100-SXM2-16GB,16160,0,0\r\n"
              + "\r\n   \r\n\n";

      assertThat(NvidiaSmi.parse(output))
          .containsExactly(
              new GpuDevice(0, "GPU-11111111-2222-3333-4444-555555555555", "Tesla V100-SXM2-16GB", 16160L),
              new GpuDevice(1, "GPU-66666666-7777-8888-9999-000000000000", "Tesla V100-SXM2-16GB", 16160L));
    }

    @Test
    void everyUnknownSpellingOfMemoryBecomesNull() {
      String output =
          """
          0, GPU-00000000-0000-0000-0000-000000000000, A, [N/A], 0, 0
          1, GPU-00000000-0000-0000-0000-000000000001, B, [Not Supported], 0, 0
          2, GPU-00000000-0000-0000-0000-000000000002, C, N/A, 0, 0
          3, GPU-00000000-0000-0000-0000-000000000003, D, , 0, 0
          4, GPU-00000000-0000-0000-0000-000000000004, E, [Unknown Error], 0, 0
          """;

      assertThat(NvidiaSmi.parse(output))
          .hasSize(5)
          .allSatisfy(gpu -> assertThat(gpu.memoryTotalMiB()).isNull());
    }

    @Test
    void memoryWithUnitsStillParses() {
      // What a hand-run query without "nounits" prints.
      assertThat(NvidiaSmi.parse("0, GPU-00000000-0000-0000-0000-000000000000, T4, 15360 MiB, 0 MiB, 0 %\n"))
          .extracting(GpuDevice::memoryTotalMiB)
          .containsExactly(15360L);
    }

    @Test
    void aNameHoldingACommaStaysWhole() {
      assertThat(NvidiaSmi.parse("0, GPU-00000000-0000-0000-0000-000000000000, Board, rev 2, 1024, 0, 0"))
          .extracting(GpuDevice::name)
          .containsExactly("Board, rev 2");
    }

    @Test
    void anUnknownNameIsNull() {
      assertThat(NvidiaSmi.parse("0, GPU-00000000-0000-0000-0000-000000000000, [N/A], 1024, 0, 0"))
          .extracting(GpuDevice::name)
          .containsNull();
    }

    @Test
    void migUuidsInBothFormatsAreAccepted() {
      String output =
          """
          0, MIG-feb88891-0321-5fef-9c87-d4af3b54259e, NVIDIA A100-SXM4-80GB MIG 1g.10gb, 9728, 0, [N/A]
          1, MIG-GPU-2e4159a0-dab5-1747-e7b7-b3396fab58b4/7/0, A100-SXM4-40GB MIG 1g.5gb, 4864, 0, [N/A]
          """;

      assertThat(NvidiaSmi.parse(output))
          .extracting(GpuDevice::uuid)
          .containsExactly(
              "MIG-feb88891-0321-5fef-9c87-d4af3b54259e", "MIG-GPU-2e4159a0-dab5-1747-e7b7-b3396fab58b4/7/0");
    }
  }

  @Nested
  class SkippingUnusableLines {

    @Test
    void linesWithoutAUsableIndexOrUuidAreSkippedWithAReason() {
      String output =
          """
          [N/A], GPU-00000000-0000-0000-0000-000000000000, A, 1024, 0, 0
          x, GPU-00000000-0000-0000-0000-000000000001, B, 1024, 0, 0
          -1, GPU-00000000-0000-0000-0000-000000000002, C, 1024, 0, 0
          3, [N/A], D, 1024, 0, 0
          4, , E, 1024, 0, 0
          5, 00000000-0000-0000-0000-000000000005, F, 1024, 0, 0
          6, GPU-00000000-0000-0000-0000-000000000006, G, 1024, 0, 0
          7, GPU-00000000-0000-0000-0000-000000000006, H, 1024, 0, 0
          8, GPU-00000000-0000-0000-0000-000000000008
          """;

      try (LogCapture logs = LogCapture.of(NvidiaSmi.class)) {
        assertThat(NvidiaSmi.parse(output)).extracting(GpuDevice::index).containsExactly(6);

        assertThat(logs.messages(Level.WARN))
            .hasSize(8)
            .satisfiesExactly(
                m -> assertThat(m).contains("line 1", "no index"),
                m -> assertThat(m).contains("line 2", "'x' is not a number"),
                m -> assertThat(m).contains("line 3", "negative"),
                m -> assertThat(m).contains("line 4", "no UUID"),
                m -> assertThat(m).contains("line 5", "no UUID"),
                m -> assertThat(m).contains("line 6", "not a GPU- or MIG- UUID"),
                m -> assertThat(m).contains("line 8", "already listed"),
                m -> assertThat(m).contains("line 9", "expected 6"));
      }
    }

    @Test
    void otherDriverErrorsGiveNoGpus() {
      assertThat(NvidiaSmi.parse("Failed to initialize NVML: Driver/library version mismatch\nNVML library version: 535.161\n"))
          .isEmpty();
      assertThat(NvidiaSmi.parse("No devices were found\n")).isEmpty();
    }
  }

  @Nested
  class Discovering {

    @Test
    void aMissingBinaryIsNoGpusNotAnError(@TempDir Path dir) {
      try (LogCapture logs = LogCapture.of(NvidiaSmi.class)) {
        assertThat(NvidiaSmi.discover(dir.resolve("nvidia-smi"), TIMEOUT)).isEmpty();
        assertThat(logs.messages(Level.INFO)).singleElement().asString().contains("not installed");
      }
    }

    @Test
    void aBareNameNotOnThePathIsNoGpusNotAnError() {
      try (LogCapture logs = LogCapture.of(NvidiaSmi.class)) {
        assertThat(NvidiaSmi.discover(Path.of("dcloud-test-no-such-nvidia-smi"), TIMEOUT)).isEmpty();
        assertThat(logs.messages(Level.INFO)).singleElement().asString().contains("cannot run");
      }
    }

    @Test
    void runsTheQueryAndParsesWhatTheToolPrints(@TempDir Path dir) throws IOException {
      // The fake fails unless it is called with exactly the documented query.
      Path binary =
          script(
              dir,
              "[ \"$#\" -eq 2 ] || exit 2",
              "[ \"$1\" = '" + NvidiaSmi.QUERY_ARGUMENTS.get(0) + "' ] || exit 2",
              "[ \"$2\" = '" + NvidiaSmi.QUERY_ARGUMENTS.get(1) + "' ] || exit 2",
              "cat '" + resource("eight-h100.txt") + "'");

      assertThat(NvidiaSmi.discover(binary, TIMEOUT)).isEqualTo(NvidiaSmi.parse(recorded("eight-h100.txt")));
    }

    @Test
    void aDriverFailureExitIsNoGpusAndTheLogSaysWhy(@TempDir Path dir) throws IOException {
      Path binary = script(dir, "cat '" + resource("driver-failure.txt") + "'", "exit " + DRIVER_NOT_LOADED);

      try (LogCapture logs = LogCapture.of(NvidiaSmi.class)) {
        assertThat(NvidiaSmi.discover(binary, TIMEOUT)).isEmpty();
        assertThat(logs.messages(Level.WARN))
            .singleElement()
            .asString()
            .contains("status 9", "couldn't communicate with the NVIDIA driver");
      }
    }

    @Test
    void aHangingToolIsKilledWithItsChildrenAndGivesNoGpus(@TempDir Path dir) throws Exception {
      Path shellPid = dir.resolve("shell.pid");
      Path childPid = dir.resolve("child.pid");
      // The shell waits on a child, as a tool stuck in the driver would: both must be killed.
      Path binary =
          script(
              dir,
              "echo $$ > '" + shellPid + "'",
              "sleep 600 &",
              "echo $! > '" + childPid + "'",
              "wait");

      try (LogCapture logs = LogCapture.of(NvidiaSmi.class)) {
        long started = System.nanoTime();
        List<GpuDevice> gpus = NvidiaSmi.discover(binary, HANG_TIMEOUT);
        Duration took = Duration.ofNanos(System.nanoTime() - started);

        assertThat(gpus).isEmpty();
        assertThat(took).isLessThan(HANG_TIMEOUT.plus(GONE_WITHIN));
        assertThat(logs.messages(Level.WARN)).singleElement().asString().contains("did not finish within");
      }
      assertGone(pidIn(shellPid));
      assertGone(pidIn(childPid));
    }
  }

  // ---- helpers ------------------------------------------------------------------------------

  private static long pidIn(Path file) throws IOException {
    return Long.parseLong(Files.readString(file).strip());
  }

  /** Polls, up to {@link #GONE_WITHIN}, until the process no longer runs. */
  private static void assertGone(long pid) {
    long deadline = System.nanoTime() + GONE_WITHIN.toNanos();
    while (isRunning(pid) && System.nanoTime() < deadline) {
      LockSupport.parkNanos(POLL_INTERVAL.toNanos());
    }
    assertThat(isRunning(pid)).as("process %d should have been killed", pid).isFalse();
  }

  /**
   * Whether the process exists and is not a zombie. A killed grandchild is re-parented to PID 1 and
   * stays a zombie until PID 1 collects it, which some init processes do lazily (and a JVM running
   * as PID 1 never does); {@link ProcessHandle#isAlive()} counts zombies as alive.
   */
  private static boolean isRunning(long pid) {
    if (ProcessHandle.of(pid).filter(ProcessHandle::isAlive).isEmpty()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
      // The state letter follows the command name, which is parenthesised and may hold spaces.
      char state = stat.charAt(stat.lastIndexOf(')') + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false; // gone between the two checks
    }
  }
}
