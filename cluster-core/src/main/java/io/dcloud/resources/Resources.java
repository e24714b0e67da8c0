package io.dcloud.resources;

import io.dcloud.serialization.CborSerializable;

/**
 * Resources asked for or reserved. CPU in millicores (1000 = one core), memory and storage in
 * bytes, GPUs as a count; {@code gpuModel} (optional) is a substring the GPU name must contain.
 */
public record Resources(long milliCpus, long memoryBytes, int gpus, long storageBytes, String gpuModel)
    implements CborSerializable {

  public static final Resources NONE = new Resources(0, 0, 0, 0, null);

  public Resources plus(Resources other) {
    return new Resources(
        milliCpus + other.milliCpus,
        memoryBytes + other.memoryBytes,
        gpus + other.gpus,
        storageBytes + other.storageBytes,
        null);
  }

  public Resources minus(Resources other) {
    return new Resources(
        milliCpus - other.milliCpus,
        memoryBytes - other.memoryBytes,
        gpus - other.gpus,
        storageBytes - other.storageBytes,
        null);
  }

  public long nanoCpus() {
    return milliCpus * 1_000_000L;
  }

  /** What runs with them, for people: "2 cores, 4 GiB RAM, 1 GPU" (GPUs only when there are some). */
  public String describeRunning() {
    return Quantities.describeCores(milliCpus) + ", " + Quantities.describeBytes(memoryBytes) + " RAM"
        + (gpus == 0 ? "" : ", " + gpus + (gpus == 1 ? " GPU" : " GPUs"));
  }
}
