package io.dcloud.device;

import io.dcloud.serialization.CborSerializable;
import java.time.Instant;
import java.util.List;

/**
 * An end user's choice of devices for a deployed service: the service's app receives these devices'
 * readings and may command these controllers. Owned by {@code owner}; a service may have many.
 */
public record Binding(String id, String service, String owner, List<String> devices, Instant createdAt)
    implements CborSerializable {

  public Binding {
    devices = devices == null ? List.of() : List.copyOf(devices);
  }
}
