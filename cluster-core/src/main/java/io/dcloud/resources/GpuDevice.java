package io.dcloud.resources;

import io.dcloud.serialization.CborSerializable;

/** One GPU of a machine as {@code nvidia-smi} reports it; unknown fields are null. */
public record GpuDevice(int index, String uuid, String name, Long memoryTotalMiB) implements CborSerializable {}
