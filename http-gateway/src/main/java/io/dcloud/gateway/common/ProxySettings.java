package io.dcloud.gateway.common;

import com.typesafe.config.Config;
import io.dcloud.environment.EnvironmentStatus;
import io.dcloud.environment.EnvironmentView;
import io.dcloud.node.ProxyWire;

/**
 * The proxy's binding ({@code dcloud.http.proxy}): the second port, on the API's interface, that
 * serves only {@code /api/v1/environments/{id}/proxy/{port}/...}, and the base its URLs are made of.
 *
 * @param publicUrl the configured base, or (once bound) {@code http://<API host>:<bound port>}; empty before
 */
public record ProxySettings(int port, String publicUrl, long maxBodyBytes) {

  static ProxySettings fromConfig(Config config) {
    Config proxy = config.getConfig("dcloud.http.proxy");
    String publicUrl = proxy.getString("public-url").strip();
    return new ProxySettings(
        proxy.getInt("port"), publicUrl.endsWith("/") ? publicUrl.substring(0, publicUrl.length() - 1) : publicUrl,
        proxy.getBytes("max-body"));
  }

  /** The base once bound: a wildcard API host is named by loopback, which at least works on this machine. */
  public ProxySettings bound(String apiHost, int boundPort) {
    if (!publicUrl.isEmpty()) {
      return this;
    }
    String host = apiHost.equals("0.0.0.0") || apiHost.isEmpty() ? "127.0.0.1"
        : apiHost.equals("::") ? "[::1]"
        : apiHost.contains(":") ? "[" + apiHost + "]"
        : apiHost;
    return new ProxySettings(boundPort, "http://" + host + ":" + boundPort, maxBodyBytes);
  }

  /**
   * Where the proxy serves {@code view}: its first TCP port, while it runs; null otherwise (or before
   * this gateway's proxy is bound).
   */
  public String urlOf(EnvironmentView view) {
    if (publicUrl.isEmpty() || view.status() != EnvironmentStatus.RUNNING || view.spec() == null) {
      return null;
    }
    return view.spec().ports().stream()
        .filter(port -> "tcp".equals(port.protocol()))
        .findFirst()
        .map(port -> publicUrl + ProxyWire.prefix(view.id()) + "/" + port.containerPort() + "/")
        .orElse(null);
  }
}
