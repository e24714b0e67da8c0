package io.dcloud.broker;

import com.typesafe.config.Config;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The {@code dcloud.broker} section of the configuration: where DCloud's own connections reach the
 * MQTT broker, as whom, and how BrokerAccess keeps the broker's accounts.
 *
 * @param adminPassword from {@code admin-password-file} when that is set (trimmed), else {@code admin-password}
 * @param publicUrl what devices are told to connect to; {@code tcp://host:port} when not configured
 */
public record BrokerSettings(
    String host,
    int port,
    String adminUsername,
    String adminPassword,
    String publicUrl,
    String ingestGroup,
    Duration requestTimeout,
    int relayPort,
    int maxInflight,
    Duration keepAlive,
    Duration reconnectMaxDelay,
    Access access) {

  /** How BrokerAccess retries and refreshes (the {@code access} subsection). */
  public record Access(Duration retryMinBackoff, Duration retryMaxBackoff, Duration refreshInterval, int batchSize) {}

  /** {@code broker}: the {@code dcloud.broker} section. */
  public static BrokerSettings fromConfig(Config broker) {
    String host = broker.getString("host");
    int port = broker.getInt("port");
    String publicUrl = broker.getString("public-url");
    Config access = broker.getConfig("access");
    return new BrokerSettings(
        host,
        port,
        broker.getString("admin-username"),
        adminPassword(broker),
        publicUrl.isBlank() ? "tcp://" + host + ":" + port : publicUrl,
        broker.getString("ingest-group"),
        broker.getDuration("request-timeout"),
        broker.getInt("relay-port"),
        broker.getInt("max-inflight"),
        broker.getDuration("keep-alive"),
        broker.getDuration("reconnect-max-delay"),
        new Access(
            access.getDuration("retry-min-backoff"),
            access.getDuration("retry-max-backoff"),
            access.getDuration("refresh-interval"),
            access.getInt("batch-size")));
  }

  private static String adminPassword(Config broker) {
    String file = broker.getString("admin-password-file");
    if (file.isBlank()) {
      return broker.getString("admin-password");
    }
    try {
      return Files.readString(Path.of(file)).trim();
    } catch (IOException e) {
      throw new UncheckedIOException("dcloud.broker.admin-password-file " + file + " cannot be read", e);
    }
  }

  /** Where DCloud's own connections go. */
  public String url() {
    return "tcp://" + host + ":" + port;
  }

  /** Never prints the admin password (settings are logged at start). */
  @Override
  public String toString() {
    return "BrokerSettings[" + url() + " as " + adminUsername + ", public " + publicUrl + ", ingest group "
        + ingestGroup + ", relay port " + relayPort + "]";
  }
}
