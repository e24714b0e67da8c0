package io.dcloud.node;

import io.dcloud.node.fingerprint.MachineFingerprint;
import io.dcloud.resources.GpuDevice;
import io.dcloud.resources.Quantities;
import io.dcloud.resources.Resources;

/**
 * What a worker on this machine would advertise, for an operator to read before the machine joins
 * a cluster ({@code dcloud fingerprint}, as Nomad's and the kubelet's fingerprints are shown): the
 * machine as measured, the reserve kept back, what environments may use, and each GPU by the UUID
 * that Docker is given when an environment gets it.
 */
public final class MachineReport {

  private MachineReport() {}

  /** Several lines, each ending in a newline; {@code machine} must be a measured one. */
  public static String text(MachineProfile machine, NodeSettings settings) {
    MachineFingerprint measured = machine.fingerprint()
        .orElseThrow(() -> new IllegalArgumentException("a simulated machine has nothing measured to report"));
    Resources allocatable = machine.allocatable();
    StringBuilder text = new StringBuilder();
    text.append("Machine ").append(measured.hostname()).append(" (node id ").append(settings.nodeId())
        .append("), as a DCloud worker here would advertise it:\n");
    text.append("  cores    ").append(measured.cpus()).append(" measured, ")
        .append(Quantities.describeCores(settings.reservedMilliCpus())).append(" reserved -> ")
        .append(Quantities.describeCores(allocatable.milliCpus())).append(" for environments\n");
    text.append("  memory   ").append(Quantities.describeBytes(measured.memoryBytes())).append(" measured, ")
        .append(Quantities.describeBytes(settings.reservedMemoryBytes())).append(" reserved -> ")
        .append(Quantities.describeBytes(allocatable.memoryBytes())).append(" for environments\n");
    text.append("  disk     ").append(Quantities.describeBytes(measured.diskBytes())).append(" (the file system of ")
        .append(machine.diskPath().orElseThrow()).append(": ").append(machine.diskChoice().orElseThrow()).append(")\n");
    text.append("  GPUs     ").append(gpuSummary(machine, settings)).append('\n');
    for (GpuDevice gpu : machine.gpus()) {
      text.append("    ").append(gpu.index())
          .append("  ").append(gpu.name() == null ? "(name unknown)" : gpu.name())
          .append("  ").append(gpu.memoryTotalMiB() == null ? "memory unknown" : gpu.memoryTotalMiB() + " MiB")
          .append("  ").append(gpu.uuid()).append('\n');
    }
    return text.toString();
  }

  private static String gpuSummary(MachineProfile machine, NodeSettings settings) {
    if (!settings.advertisedGpus().isEmpty()) {
      return machine.gpus().size() + ", as dcloud.node.advertised-gpus lists them (nvidia-smi not asked)";
    }
    if (machine.gpus().isEmpty()) {
      return "none (" + settings.nvidiaSmi() + " found none or could not run: its log line says which)";
    }
    String model = machine.allocatable().gpuModel();
    return machine.gpus().size() + ", found by " + settings.nvidiaSmi()
        + (model == null ? " (models differ or are unknown)" : ", all " + model);
  }
}
