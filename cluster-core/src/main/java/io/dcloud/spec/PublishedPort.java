package io.dcloud.spec;

import io.dcloud.serialization.CborSerializable;
import java.util.List;
import java.util.Optional;

/** A port as the engine actually bound it: where to reach the environment's {@code containerPort}. */
public record PublishedPort(int containerPort, String protocol, String hostIp, Integer hostPort)
    implements CborSerializable {

  /** The TCP port {@code containerPort} among {@code ports}, when the engine published it on a host port. */
  public static Optional<PublishedPort> tcp(List<PublishedPort> ports, int containerPort) {
    return ports == null ? Optional.empty() : ports.stream()
        .filter(p -> p.containerPort() == containerPort && "tcp".equals(p.protocol()) && p.hostPort() != null)
        .findFirst();
  }

  /**
   * Where the engine published the port, as seen from the machine it runs on: an unspecified
   * address is reached on loopback.
   */
  public String url(String scheme) {
    String host = hostIp == null || hostIp.isEmpty() || hostIp.equals("0.0.0.0") ? "127.0.0.1"
        : hostIp.equals("::") ? "[::1]"
        : hostIp.contains(":") ? "[" + hostIp + "]"
        : hostIp;
    return scheme + "://" + host + ":" + hostPort;
  }

  /** Bound on loopback or on every address: reachable only on its own machine (as far as DCloud knows). */
  public boolean machineLocal() {
    return hostIp == null || hostIp.isEmpty() || hostIp.equals("0.0.0.0") || hostIp.equals("::")
        || hostIp.startsWith("127.") || hostIp.equals("::1");
  }
}
