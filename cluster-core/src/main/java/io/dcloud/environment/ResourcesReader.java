package io.dcloud.environment;

import static io.dcloud.contract.ContractReader.absent;
import static io.dcloud.contract.ContractReader.at;
import static io.dcloud.environment.EnvironmentSpecParser.MAX_GPUS;
import static io.dcloud.environment.EnvironmentSpecParser.MAX_MEMORY_BYTES;
import static io.dcloud.environment.EnvironmentSpecParser.MAX_MILLI_CPUS;
import static io.dcloud.environment.EnvironmentSpecParser.MAX_STORAGE_BYTES;
import static io.dcloud.environment.EnvironmentSpecParser.MIN_MEMORY_BYTES;
import static io.dcloud.environment.EnvironmentSpecParser.RESOURCES;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.dcloud.resources.Quantities;
import io.dcloud.resources.Resources;
import java.util.List;

/**
 * Reads {@code resources}: RAM, CPU, GPUs and disk, each within the platform's typo guards. A bare
 * size is GiB here ({@code "storage": 54}), as the seeds write it.
 */
final class ResourcesReader {
  private static final List<String> FIELDS = List.of("ram", "cpu", "gpu", "storage", "gpu-model");

  private final SpecFieldReader in;

  ResourcesReader(SpecFieldReader in) {
    this.in = in;
  }

  /** The resources asked for; what the config leaves out comes from {@code defaults}. */
  Resources resources(JsonNode value, Resources defaults) {
    if (absent(value)) {
      return defaults;
    }
    ObjectNode r = in.object(RESOURCES, value, FIELDS);
    if (r == null) {
      return null;
    }
    Long memory = sizeBetween(at(RESOURCES, "ram"), r.get("ram"), defaults.memoryBytes(), MIN_MEMORY_BYTES,
        MAX_MEMORY_BYTES, " (Docker's minimum)");
    Long cpus = milliCpus(at(RESOURCES, "cpu"), r.get("cpu"), defaults.milliCpus());
    Integer gpus = gpus(at(RESOURCES, "gpu"), r.get("gpu"), defaults.gpus());
    Long storage = sizeBetween(at(RESOURCES, "storage"), r.get("storage"), defaults.storageBytes(), 0,
        MAX_STORAGE_BYTES, "");
    JsonNode modelValue = r.get("gpu-model");
    String gpuModel = absent(modelValue) ? defaults.gpuModel() : in.name(at(RESOURCES, "gpu-model"), modelValue);
    if (memory == null || cpus == null || gpus == null || storage == null
        || (!absent(modelValue) && gpuModel == null)) {
      return null;
    }
    return new Resources(cpus, memory, gpus, storage, gpuModel);
  }

  private Long sizeBetween(String field, JsonNode value, long fallback, long min, long max, String minNote) {
    if (absent(value)) {
      return fallback;
    }
    Long bytes = in.attempt(() -> Quantities.bytes(field, value));
    if (bytes == null) {
      return null;
    }
    if (bytes < min) {
      in.error(field, "must be at least " + Quantities.formatSize(min) + minNote);
      return null;
    }
    if (bytes > max) {
      in.error(field, "must be at most " + Quantities.formatSize(max));
      return null;
    }
    return bytes;
  }

  private Long milliCpus(String field, JsonNode value, long fallback) {
    if (absent(value)) {
      return fallback;
    }
    Long millis = in.attempt(() -> Quantities.milliCpus(field, value));
    if (millis == null) {
      return null;
    }
    if (millis <= 0) {
      in.error(field, "must be more than 0");
      return null;
    }
    if (millis > MAX_MILLI_CPUS) {
      in.error(field, "must be at most " + Quantities.describeCores(MAX_MILLI_CPUS));
      return null;
    }
    return millis;
  }

  private Integer gpus(String field, JsonNode value, int fallback) {
    if (absent(value)) {
      return fallback;
    }
    Integer gpus = in.attempt(() -> Quantities.count(field, value));
    if (gpus != null && gpus > MAX_GPUS) {
      in.error(field, "must be at most " + MAX_GPUS);
      return null;
    }
    return gpus;
  }
}
