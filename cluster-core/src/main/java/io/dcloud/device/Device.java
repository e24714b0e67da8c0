package io.dcloud.device;

import io.dcloud.serialization.CborSerializable;
import java.time.Instant;
import java.util.Map;

/**
 * One registered sensor or controller. Its MQTT password is never stored: it is derived from the
 * cluster's secrets key and {@code credentialNonce} ({@link DeviceSecrets}), so rotating the
 * credentials is a new nonce, and DCloud can rebuild the broker's accounts from the registry alone.
 */
public record Device(
    String id,
    String type,
    Location location,
    Map<String, String> metadata,
    boolean enabled,
    String credentialNonce,
    String createdBy,
    Instant createdAt)
    implements CborSerializable {

  public Device {
    metadata = metadata == null ? Map.of() : Map.copyOf(metadata);
  }

  public Device withEnabled(boolean value) {
    return new Device(id, type, location, metadata, value, credentialNonce, createdBy, createdAt);
  }

  public Device withCredentialNonce(String nonce) {
    return new Device(id, type, location, metadata, enabled, nonce, createdBy, createdAt);
  }
}
