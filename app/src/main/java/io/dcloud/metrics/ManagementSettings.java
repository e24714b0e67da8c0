package io.dcloud.metrics;

import com.typesafe.config.Config;
import java.time.Duration;

/** {@code dcloud.management} (see the app's reference.conf): where /metrics, /ready and /alive listen. */
public record ManagementSettings(String host, int port, Duration refreshInterval) {
  public static ManagementSettings fromConfig(Config root) {
    Config config = root.getConfig("dcloud.management");
    return new ManagementSettings(config.getString("host"), config.getInt("port"), config.getDuration("refresh-interval"));
  }
}
