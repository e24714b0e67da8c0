package io.dcloud.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import io.dcloud.deploy.ContainerRuntime.RuntimeInfo;
import io.dcloud.node.fingerprint.FakeNvidiaSmi;
import io.dcloud.node.fingerprint.MachineFingerprint;
import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Quantities;
import io.dcloud.resources.Resources;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code dcloud fingerprint}'s text: this machine measured, with GPUs from a stand-in nvidia-smi or configuration. */
class MachineReportTest {
  private static final RuntimeInfo NO_ENGINE =
      new RuntimeInfo(false, null, null, List.of(), 0, 0, null, "Docker Engine unreachable at unix:///nowhere");

  @Test
  void aMeasuredMachineWithAnH200ShowsTheReserveWhatIsLeftAndTheGpuByUuid(@TempDir Path dir) throws IOException {
    Path nvidiaSmi = FakeNvidiaSmi.script(dir, "cat '" + FakeNvidiaSmi.resource("one-h200.txt") + "'");
    NodeSettings settings = settings(Map.of(
        "dcloud.node.id", "gpu-1",
        "dcloud.node.nvidia-smi", nvidiaSmi.toString(),
        "dcloud.node.reserved.cpu", "0.5",
        "dcloud.node.reserved.memory", "1G",
        "dcloud.node.disk-path", dir.toString()));

    MachineProfile machine = MachineProfile.measure(settings, NO_ENGINE);
    MachineFingerprint measured = machine.fingerprint().orElseThrow();
    String text = MachineReport.text(machine, settings);

    assertThat(text.lines()).containsExactly(
        "Machine " + measured.hostname() + " (node id gpu-1), as a DCloud worker here would advertise it:",
        "  cores    " + measured.cpus() + " measured, 0.5 cores reserved -> "
            + Quantities.describeCores(measured.cpus() * 1000L - 500) + " for environments",
        "  memory   " + Quantities.describeBytes(measured.memoryBytes()) + " measured, 1 GiB reserved -> "
            + Quantities.describeBytes(measured.memoryBytes() - (1L << 30)) + " for environments",
        "  disk     " + Quantities.describeBytes(measured.diskBytes()) + " (the file system of " + dir + ": dcloud.node.disk-path)",
        "  GPUs     1, found by " + nvidiaSmi + ", all NVIDIA H200",
        "    0  NVIDIA H200  143771 MiB  GPU-b5ad2266-867f-ee56-7d88-f22a9347374d");
  }

  @Test
  void gpusFromConfigurationSayWhereTheyCameFromAndUnknownsAreNamed(@TempDir Path dir) {
    Config config = base(Map.of("dcloud.node.disk-path", dir.toString())).withValue("dcloud.node.advertised-gpus",
        ConfigValueFactory.fromIterable(List.of(
            Map.of("index", 0, "uuid", "GPU-00000000-0000-0000-0000-000000000000", "name", "NVIDIA A100", "memory-mib", 40960),
            Map.of("index", 1, "uuid", "GPU-00000000-0000-0000-0000-000000000001", "name", "NVIDIA T4"))));
    NodeSettings settings = NodeSettings.fromConfig(config, "host");

    String text = MachineReport.text(MachineProfile.measure(settings, NO_ENGINE), settings);

    assertThat(text).contains(
        "  GPUs     2, as dcloud.node.advertised-gpus lists them (nvidia-smi not asked)\n",
        "    0  NVIDIA A100  40960 MiB  GPU-00000000-0000-0000-0000-000000000000\n",
        "    1  NVIDIA T4  memory unknown  GPU-00000000-0000-0000-0000-000000000001\n");
  }

  @Test
  void noGpusPointsAtTheLogLineThatSaysWhy(@TempDir Path dir) {
    NodeSettings settings = settings(Map.of(
        "dcloud.node.nvidia-smi", dir.resolve("no-such-nvidia-smi").toString(),
        "dcloud.node.disk-path", dir.toString()));

    String text = MachineReport.text(MachineProfile.measure(settings, NO_ENGINE), settings);

    assertThat(text).endsWith("  GPUs     none (" + dir.resolve("no-such-nvidia-smi")
        + " found none or could not run: its log line says which)\n");
  }

  @Test
  void aConfiguredDiskPathThatDoesNotExistYetMeasuresTheRootFileSystemAndSaysSo(@TempDir Path dir) {
    Path later = dir.resolve("docker-data");
    NodeSettings settings = settings(Map.of("dcloud.node.disk-path", later.toString()));

    MachineProfile machine = MachineProfile.measure(settings, NO_ENGINE);

    assertThat(machine.diskPath()).contains(Path.of("/"));
    assertThat(MachineReport.text(machine, settings))
        .contains("(the file system of /: dcloud.node.disk-path " + later + " does not exist yet)\n");
  }

  @Test
  void withoutADiskPathAnEngineThatCannotSayLeavesTheRootFileSystemWithItsReason() {
    NodeSettings settings = settings(Map.of());

    MachineProfile machine = MachineProfile.measure(settings, NO_ENGINE);

    assertThat(settings.diskPath()).as("nothing configured by default").isNull();
    assertThat(machine.diskPath()).contains(Path.of("/"));
    assertThat(machine.diskChoice()).contains(
        "the Docker Engine did not say where it keeps its data: Docker Engine unreachable at unix:///nowhere");
  }

  @Test
  void aRemoteEnginesDataRootIsNotMeasuredHere(@TempDir Path dir) {
    Path elsewhere = dir.resolve("on-another-machine");
    RuntimeInfo remote = new RuntimeInfo(true, "27.5.1", "1.47", List.of("runc"), 1L << 34, 8, elsewhere.toString(), null);

    MachineProfile machine = MachineProfile.measure(settings(Map.of()), remote);

    assertThat(machine.diskPath()).contains(Path.of("/"));
    assertThat(machine.diskChoice()).contains("the Docker Engine's data root " + elsewhere + " is not on this machine");
  }

  @Test
  void anEnginesDataRootElsewhereThanTheDefaultIsTheDisk(@TempDir Path dataRoot) {
    RuntimeInfo engine = new RuntimeInfo(true, "27.5.1", "1.47", List.of("runc"), 1L << 34, 8, dataRoot.toString(), null);
    NodeSettings settings = settings(Map.of());

    MachineProfile machine = MachineProfile.measure(settings, engine);

    assertThat(machine.diskPath()).contains(dataRoot);
    assertThat(machine.fingerprint().orElseThrow().diskBytes()).isPositive();
    assertThat(MachineReport.text(machine, settings))
        .contains("(the file system of " + dataRoot + ": the Docker Engine's data root)\n");
  }

  @Test
  void aSimulatedMachineHasNothingMeasuredToReport() {
    MachineProfile hollow = MachineProfile.simulated("hollow-1", new Resources(4000, 8L << 30, 1, 1L << 40, null),
        List.of(new GpuDevice(0, "GPU-00000000-0000-0000-0000-000000000000", "NVIDIA H200", 143771L)));

    assertThatThrownBy(() -> MachineReport.text(hollow, settings(Map.of())))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("simulated");
  }

  private static NodeSettings settings(Map<String, String> values) {
    return NodeSettings.fromConfig(base(values), "host");
  }

  private static Config base(Map<String, String> values) {
    return ConfigFactory.parseMap(values).withFallback(ConfigFactory.load());
  }
}
