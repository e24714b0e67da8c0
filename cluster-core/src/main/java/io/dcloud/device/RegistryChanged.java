package io.dcloud.device;

import io.dcloud.serialization.CborSerializable;

/**
 * Published on the cluster topic {@link #TOPIC_NAME} after each registry change: who keeps a copy
 * of the {@link RegistryView} (broker rules, readings ingest) asks for a newer one.
 */
public record RegistryChanged(long version) implements CborSerializable {
  public static final String TOPIC_NAME = "device-registry-changes";
}
