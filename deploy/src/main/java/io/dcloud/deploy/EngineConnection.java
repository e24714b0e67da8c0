package io.dcloud.deploy;

import com.github.dockerjava.api.DockerClient;
import com.github.dockerjava.api.model.Version;
import com.github.dockerjava.core.DefaultDockerClientConfig;
import com.github.dockerjava.core.DockerClientImpl;
import com.github.dockerjava.core.RemoteApiVersion;
import com.github.dockerjava.httpclient5.ApacheDockerHttpClient;
import com.github.dockerjava.transport.DockerHttpClient;
import java.io.IOException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The docker-java client, pinned to the API version the engine speaks. docker-java sends
 * unversioned paths unless told a version, which new engines reject and old ones interpret as
 * their newest API; so the first use asks the engine its version (an unversioned {@code /version}
 * call every engine answers) and builds the real client for exactly that version. Negotiation is
 * lazy and retried, so a runtime created while the engine is down recovers when it comes up.
 */
final class EngineConnection implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(EngineConnection.class);

  private final DockerSettings settings;
  private final DaemonCalls calls;
  private volatile Pinned pinned;

  /** The client, its transport (for the few calls docker-java lacks) and the negotiated version. */
  record Pinned(DockerClient client, DockerHttpClient http, String apiVersion, String engineVersion) {}

  EngineConnection(DockerSettings settings, DaemonCalls calls) {
    this.settings = settings;
    this.calls = calls;
  }

  DockerClient client() {
    return pinned().client();
  }

  Pinned pinned() {
    Pinned p = pinned;
    if (p != null) {
      return p;
    }
    synchronized (this) {
      if (pinned == null) {
        pinned = negotiate();
      }
      return pinned;
    }
  }

  private Pinned negotiate() {
    Version version;
    DefaultDockerClientConfig probeConfig = clientConfig(null);
    try (DockerClient probe = DockerClientImpl.getInstance(probeConfig, httpClient(probeConfig))) {
      version = calls.call(
          "asking the Docker Engine at " + settings.dockerHost() + " for its version",
          settings.callTimeout(),
          () -> probe.versionCmd().exec());
    } catch (IOException e) {
      throw new RuntimeFailure("closing the version probe failed: " + e.getMessage(), e);
    }
    String api = version.getApiVersion();
    if (!RemoteApiVersion.parseConfig(api).isGreaterOrEqual(RemoteApiVersion.parseConfig(settings.minApiVersion()))) {
      throw new RuntimeFailure(
          "the Docker Engine at " + settings.dockerHost() + " is version " + version.getVersion() + " (API " + api
              + "); DCloud needs API " + settings.minApiVersion() + " or newer: upgrade Docker");
    }
    DefaultDockerClientConfig config = clientConfig(api);
    DockerHttpClient http = httpClient(config);
    DockerClient client = DockerClientImpl.getInstance(config, http);
    log.info("Docker Engine {} at {} speaks API {}: client pinned to it", version.getVersion(), settings.dockerHost(), api);
    return new Pinned(client, http, api, version.getVersion());
  }

  private DefaultDockerClientConfig clientConfig(String apiVersion) {
    DefaultDockerClientConfig.Builder builder =
        DefaultDockerClientConfig.createDefaultConfigBuilder().withDockerHost(settings.dockerHost());
    if (apiVersion != null) {
      builder.withApiVersion(apiVersion);
    }
    return builder.build();
  }

  private DockerHttpClient httpClient(DefaultDockerClientConfig config) {
    // No response timeout: event and log streams are legitimately idle for hours. Deadlines of
    // ordinary calls are enforced by DaemonCalls instead.
    return new ApacheDockerHttpClient.Builder()
        .dockerHost(config.getDockerHost())
        .sslConfig(config.getSSLConfig())
        .maxConnections(settings.maxConnections())
        .connectionTimeout(settings.connectTimeout())
        .build();
  }

  @Override
  public synchronized void close() {
    Pinned p = pinned;
    pinned = null;
    if (p != null) {
      try {
        p.client().close();
      } catch (IOException e) {
        log.debug("closing the Docker client failed", e);
      }
    }
  }
}
