package io.dcloud.node.fingerprint;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;

class CgroupsTest {

  private static final long GIB = 1024L * 1024 * 1024;

  @Nested
  class CpuLimits {

    @Test
    void v2MaxMeansNoQuota() {
      assertThat(Cgroups.cpuLimitV2("max 100000\n")).isEmpty();
    }

    @Test
    void v2QuotaOverPeriodIsCores() {
      assertThat(Cgroups.cpuLimitV2("150000 100000\n")).hasValue(1.5);
      assertThat(Cgroups.cpuLimitV2("400000 100000\n")).hasValue(4.0);
      // docker run --cpus=0.5 with a 50 ms period.
      assertThat(Cgroups.cpuLimitV2("25000 50000\n")).hasValue(0.5);
    }

    @Test
    void v2QuotaAloneUsesTheDefaultPeriod() {
      assertThat(Cgroups.cpuLimitV2("200000")).hasValue(2.0);
    }

    @Test
    void v1MinusOneMeansNoQuota() {
      assertThat(Cgroups.cpuLimitV1("-1\n", "100000\n")).isEmpty();
    }

    @Test
    void v1QuotaOverPeriodIsCores() {
      assertThat(Cgroups.cpuLimitV1("200000\n", "100000\n")).hasValue(2.0);
    }

    @Test
    void garbageIsNoLimitRatherThanAFailure() {
      assertThat(Cgroups.cpuLimitV2("")).isEmpty();
      assertThat(Cgroups.cpuLimitV1("abc", "100000")).isEmpty();
      assertThat(Cgroups.cpuLimitV1("100000", "0")).isEmpty();
    }
  }

  @Nested
  class MemoryLimits {

    @Test
    void v2MaxMeansUnlimited() {
      assertThat(Cgroups.memoryLimitV2("max\n")).isEmpty();
    }

    @Test
    void v2BytesAreTheLimit() {
      assertThat(Cgroups.memoryLimitV2("2147483648\n")).hasValue(2 * GIB);
    }

    @Test
    void v1UnlimitedMarkersAreIgnored() {
      // LONG_MAX rounded down to 4 KiB pages (x86-64, recorded on this build machine) and to 64 KiB pages (arm64).
      assertThat(Cgroups.memoryLimitV1("9223372036854771712\n")).isEmpty();
      assertThat(Cgroups.memoryLimitV1("9223372036854710272\n")).isEqualTo(OptionalLong.empty());
    }

    @Test
    void v1BytesAreTheLimit() {
      assertThat(Cgroups.memoryLimitV1("1073741824\n")).hasValue(GIB);
    }
  }

  @Nested
  class FindingTheProcessCgroup {

    /** Recorded on the build machine: cgroup v1 controllers plus an empty unified hierarchy. */
    private static final String HYBRID_MOUNTINFO =
        """
        27 1 254:0 / / rw,relatime - ext4 /dev/vda rw,discard
        31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
        32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
        33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
        35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
        41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
        """;

    private static final String HYBRID_PROC_CGROUP =
        """
        9:name=systemd:/
        4:memory:/process_api/512ac81478c3082a67906be0af7efc09
        2:cpuacct:/
        1:cpu:/
        0::/
        """;

    @Test
    void hybridHostUsesTheV1ControllerPathThenTheUnifiedRoot() {
      assertThat(Cgroups.ownCgroupDirectories("memory", HYBRID_MOUNTINFO, HYBRID_PROC_CGROUP))
          .containsExactly(
              Path.of("/sys/fs/cgroup/memory/process_api/512ac81478c3082a67906be0af7efc09"),
              Path.of("/sys/fs/cgroup/memory/process_api"),
              Path.of("/sys/fs/cgroup/memory"),
              Path.of("/sys/fs/cgroup/unified"));
      assertThat(Cgroups.ownCgroupDirectories("cpu", HYBRID_MOUNTINFO, HYBRID_PROC_CGROUP))
          .containsExactly(Path.of("/sys/fs/cgroup/cpu"), Path.of("/sys/fs/cgroup/unified"));
    }

    @Test
    void v2ContainerWithItsOwnNamespaceSeesItsCgroupAtTheMountPoint() {
      String mountinfo = "1021 1012 0:26 / /sys/fs/cgroup ro,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate\n";

      assertThat(Cgroups.ownCgroupDirectories("cpu", mountinfo, "0::/\n")).containsExactly(Path.of("/sys/fs/cgroup"));
    }

    @Test
    void v2HostServiceWalksUpItsSlice() {
      String mountinfo = "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n";

      assertThat(Cgroups.ownCgroupDirectories("memory", mountinfo, "0::/system.slice/dcloud.service\n"))
          .containsExactly(
              Path.of("/sys/fs/cgroup/system.slice/dcloud.service"),
              Path.of("/sys/fs/cgroup/system.slice"),
              Path.of("/sys/fs/cgroup"));
    }

    @Test
    void v1ContainerSeesOnlyItsSubtreeMountedAtTheControllerDirectory() {
      String mountinfo =
          """
          700 690 0:35 /docker/4f1c2a /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup rw,cpu,cpuacct
          701 690 0:36 /docker/4f1c2a /sys/fs/cgroup/memory ro,nosuid - cgroup cgroup rw,memory
          """;
      String procCgroup =
          """
          6:memory:/docker/4f1c2a
          3:cpu,cpuacct:/docker/4f1c2a
          """;

      assertThat(Cgroups.ownCgroupDirectories("cpu", mountinfo, procCgroup))
          .containsExactly(Path.of("/sys/fs/cgroup/cpu,cpuacct"));
      assertThat(Cgroups.ownCgroupDirectories("memory", mountinfo, procCgroup))
          .containsExactly(Path.of("/sys/fs/cgroup/memory"));
    }

    @Test
    void noCgroupMountsGiveNoDirectories() {
      assertThat(Cgroups.ownCgroupDirectories("cpu", "27 1 254:0 / / rw - ext4 /dev/vda rw\n", "0::/\n")).isEmpty();
    }
  }

  @Test
  void readingThisMachineNeverFails() {
    OptionalDouble cpus = Cgroups.readCpuLimit();
    OptionalLong memory = Cgroups.readMemoryLimit();

    cpus.ifPresent(c -> assertThat(c).isPositive());
    memory.ifPresent(m -> assertThat(m).isPositive());
  }
}
