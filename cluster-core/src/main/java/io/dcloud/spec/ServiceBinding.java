package io.dcloud.spec;

import io.dcloud.serialization.CborSerializable;

/**
 * What makes an environment a replica of service {@code name}: the node that runs it probes
 * {@code readinessPath} on container {@code port} and reports whether it answers 2xx.
 * {@code spreadRequired}: placement puts it only on a node that runs no other replica of the service
 * (null, as in specs from before: false).
 */
public record ServiceBinding(String name, int port, String readinessPath, Boolean spreadRequired)
    implements CborSerializable {

  public ServiceBinding(String name, int port, String readinessPath) {
    this(name, port, readinessPath, null);
  }
}
