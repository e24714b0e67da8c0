package io.dcloud.metrics;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * {@code dcloud.management} (see the app's reference.conf): where /metrics, /ready and /alive listen,
 * and how often the gauges and a worker's engine check refresh.
 */
public record ManagementSettings(String host, int port, Duration refreshInterval, Duration engineCheckInterval) {
  public static ManagementSettings fromConfig(Config root) {
    Config config = root.getConfig("dcloud.management");
    return new ManagementSettings(config.getString("host"), config.getInt("port"), config.getDuration("refresh-interval"),
        config.getDuration("engine-check-interval"));
  }
}
