package io.dcloud.node.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Resources;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MachineFingerprintTest {

  private static final long MIB = 1024L * 1024;
  private static final long GIB = 1024 * MIB;

  /** The head of /proc/meminfo as recorded on a 24 GB build machine. */
  private static final String MEMINFO =
      """
      MemTotal:       24682416 kB
      MemFree:        24192148 kB
      MemAvailable:   24299424 kB
      Buffers:           13760 kB
      Cached:           790708 kB
      SwapCached:            0 kB
      """;

  private static final GpuDevice H100_0 = new GpuDevice(0, "GPU-8687b18d-8ce1-4c8b-6edd-3a249018775a", "NVIDIA H100 80GB HBM3", 81559L);
  private static final GpuDevice H100_1 = new GpuDevice(1, "GPU-3fe6e7be-9ba0-5717-1ed4-0c227dab7ad2", "NVIDIA H100 80GB HBM3", 81559L);
  private static final GpuDevice A100 = new GpuDevice(2, "GPU-6f7b1a2e-3c4d-9e8f-0a1b-2c3d4e5f6a7b", "NVIDIA A100-SXM4-40GB", 40960L);

  @Nested
  class Memory {

    @Test
    void memTotalIsReadInKibibytes() {
      assertThat(MachineFingerprint.memTotalBytes(MEMINFO)).isEqualTo(24682416L * 1024);
    }

    @Test
    void aMeminfoWithoutMemTotalIsRejected() {
      assertThatThrownBy(() -> MachineFingerprint.memTotalBytes("MemFree: 1 kB\n"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("MemTotal");
    }

    @Test
    void aCgroupLimitBelowTheRamCapsIt() {
      long ram = MachineFingerprint.memTotalBytes(MEMINFO);

      assertThat(MachineFingerprint.effectiveMemoryBytes(ram, Cgroups.memoryLimitV2("8589934592\n"))).isEqualTo(8 * GIB);
      assertThat(MachineFingerprint.effectiveMemoryBytes(ram, Cgroups.memoryLimitV1("1073741824\n"))).isEqualTo(GIB);
    }

    @Test
    void unlimitedOrLargerLimitsLeaveTheRam() {
      long ram = MachineFingerprint.memTotalBytes(MEMINFO);

      assertThat(MachineFingerprint.effectiveMemoryBytes(ram, Cgroups.memoryLimitV2("max\n"))).isEqualTo(ram);
      assertThat(MachineFingerprint.effectiveMemoryBytes(ram, Cgroups.memoryLimitV1("9223372036854771712\n"))).isEqualTo(ram);
      assertThat(MachineFingerprint.effectiveMemoryBytes(ram, OptionalLong.of(64 * GIB))).isEqualTo(ram);
    }
  }

  @Nested
  class Cpus {

    @Test
    void withoutAQuotaAllProcessorsCount() {
      assertThat(MachineFingerprint.effectiveCpus(16, Cgroups.cpuLimitV2("max 100000\n"))).isEqualTo(16);
      assertThat(MachineFingerprint.effectiveCpus(16, Cgroups.cpuLimitV1("-1\n", "100000\n"))).isEqualTo(16);
    }

    @Test
    void aQuotaLowersTheCountRoundingUp() {
      assertThat(MachineFingerprint.effectiveCpus(16, Cgroups.cpuLimitV2("400000 100000\n"))).isEqualTo(4);
      assertThat(MachineFingerprint.effectiveCpus(16, Cgroups.cpuLimitV1("150000\n", "100000\n"))).isEqualTo(2);
      assertThat(MachineFingerprint.effectiveCpus(16, OptionalDouble.of(0.1))).isEqualTo(1);
    }

    @Test
    void aQuotaAboveTheProcessorsChangesNothing() {
      assertThat(MachineFingerprint.effectiveCpus(2, Cgroups.cpuLimitV2("800000 100000\n"))).isEqualTo(2);
    }
  }

  @Nested
  class Allocatable {

    private final MachineFingerprint gpuBox =
        new MachineFingerprint("gpu-01", 32, 256 * GIB, 2048 * GIB, List.of(H100_0, H100_1));

    @Test
    void theSystemReserveIsSetAsideFromCpuAndMemoryOnly() {
      Resources allocatable = MachineFingerprint.allocatable(gpuBox, 2000, 8 * GIB);

      assertThat(allocatable)
          .isEqualTo(new Resources(30_000, 248 * GIB, 2, 2048 * GIB, "NVIDIA H100 80GB HBM3"));
    }

    @Test
    void aReserveLargerThanTheMachineLeavesZeroNotLess() {
      MachineFingerprint small = new MachineFingerprint("tiny", 1, 512 * MIB, GIB, List.of());

      Resources allocatable = MachineFingerprint.allocatable(small, 2000, GIB);

      assertThat(allocatable.milliCpus()).isZero();
      assertThat(allocatable.memoryBytes()).isZero();
      assertThat(allocatable.gpus()).isZero();
      assertThat(allocatable.gpuModel()).isNull();
    }

    @Test
    void mixedGpusHaveNoSingleModel() {
      MachineFingerprint mixed = new MachineFingerprint("mixed", 8, 64 * GIB, GIB, List.of(H100_0, A100));

      assertThat(MachineFingerprint.allocatable(mixed, 0, 0).gpuModel()).isNull();
      assertThat(MachineFingerprint.allocatable(mixed, 0, 0).gpus()).isEqualTo(2);
    }

    @Test
    void negativeReservesAreRefused() {
      assertThatThrownBy(() -> MachineFingerprint.allocatable(gpuBox, -1, 0)).isInstanceOf(IllegalArgumentException.class);
      assertThatThrownBy(() -> MachineFingerprint.allocatable(gpuBox, 0, -1)).isInstanceOf(IllegalArgumentException.class);
    }
  }

  @Test
  void theGpuListIsCopied() {
    List<GpuDevice> gpus = new ArrayList<>(List.of(H100_0));
    MachineFingerprint fp = new MachineFingerprint("h", 1, 1, 1, gpus);

    gpus.add(H100_1);

    assertThat(fp.gpus()).containsExactly(H100_0);
  }

  @Test
  void readsThisMachine(@TempDir Path disk) {
    MachineFingerprint fp = MachineFingerprint.read(disk, List.of(A100));

    assertThat(fp.hostname()).isNotBlank();
    assertThat(fp.cpus()).isPositive().isLessThanOrEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(fp.memoryBytes()).isPositive();
    assertThat(fp.diskBytes()).isPositive();
    assertThat(fp.gpus()).containsExactly(A100);
    assertThat(MachineFingerprint.allocatable(fp, 0, 0).milliCpus()).isEqualTo(fp.cpus() * 1000L);
  }

  @Test
  void aMissingDiskPathIsAnError(@TempDir Path dir) {
    assertThatThrownBy(() -> MachineFingerprint.read(dir.resolve("absent"), List.of()))
        .isInstanceOf(UncheckedIOException.class)
        .hasMessageContaining("absent");
  }
}
