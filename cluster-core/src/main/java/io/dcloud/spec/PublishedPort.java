package io.dcloud.spec;

import io.dcloud.serialization.CborSerializable;
import java.util.List;
import java.util.Optional;

/**
 * A port as the engine actually bound it: where to reach the environment's {@code containerPort}.
 * {@code containerAddress} is the container's own address on its bridge network while it runs (null
 * when unknown, or when its node does not call it there): from the container's own machine, that
 * reaches {@code containerPort} without the engine's port proxy, one relay fewer per request.
 */
public record PublishedPort(int containerPort, String protocol, String hostIp, Integer hostPort, String containerAddress)
    implements CborSerializable {

  /** Without the container's address: reached at the published port only. */
  public PublishedPort(int containerPort, String protocol, String hostIp, Integer hostPort) {
    this(containerPort, protocol, hostIp, hostPort, null);
  }

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
        : hostIp;
    return scheme + "://" + bracketed(host) + ":" + hostPort;
  }

  /**
   * The quickest way to the port from the container's own machine: the container's address when
   * known, past the engine's port proxy; the published port otherwise.
   */
  public String urlOnItsMachine(String scheme) {
    return containerAddress == null || containerAddress.isEmpty() ? url(scheme)
        : scheme + "://" + bracketed(containerAddress) + ":" + containerPort;
  }

  private static String bracketed(String host) {
    return host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
  }

  /** Bound on loopback or on every address: reachable only on its own machine (as far as DCloud knows). */
  public boolean machineLocal() {
    return hostIp == null || hostIp.isEmpty() || hostIp.equals("0.0.0.0") || hostIp.equals("::")
        || hostIp.startsWith("127.") || hostIp.equals("::1");
  }
}
