package io.dcloud.gateway.common;

import java.util.List;
import java.util.Optional;

/**
 * Who is on the other end of a request, for the sign-in throttle and the audit: the connection's
 * peer, unless that peer is one of {@code dcloud.http.trusted-proxies}; then the nearest address in
 * {@code X-Forwarded-For} that is not a trusted proxy itself. A client that writes its own header
 * straight to the gateway changes nothing: only trusted proxies are believed.
 */
public final class ClientAddress {
  private final List<String> trustedProxies;

  public ClientAddress(List<String> trustedProxies) {
    this.trustedProxies = List.copyOf(trustedProxies);
  }

  public String of(String peer, Optional<String> forwardedFor) {
    if (!trustedProxies.contains(peer) || forwardedFor.isEmpty()) {
      return peer;
    }
    String[] hops = forwardedFor.get().split(",");
    for (int i = hops.length - 1; i >= 0; i--) {
      String hop = hops[i].strip();
      if (!hop.isEmpty() && !trustedProxies.contains(hop)) {
        return hop;
      }
    }
    return peer;
  }
}
