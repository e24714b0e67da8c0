package io.dcloud.node;

import com.typesafe.config.Config;
import io.dcloud.spec.EnvironmentSpec;
import java.time.Duration;

/**
 * Idle culling's settings: the cluster's timeouts ({@code dcloud.environment.idle}) and how this
 * node measures idleness ({@code dcloud.node.idle}). {@code defaultTimeout} and {@code maxTimeout}
 * are null when off.
 */
record IdleSettings(Duration defaultTimeout, Duration maxTimeout, double cpuThresholdPercent, Duration checkInterval) {
  private static final String OFF = "off";

  static IdleSettings fromConfig(Config root) {
    Config cluster = root.getConfig("dcloud.environment.idle");
    Config node = root.getConfig("dcloud.node.idle");
    return new IdleSettings(
        durationOrOff(cluster, "default-timeout"),
        durationOrOff(cluster, "max-timeout"),
        node.getDouble("cpu-threshold-percent"),
        node.getDuration("check-interval"));
  }

  /** A duration setting that may be {@code off} (null). */
  static Duration durationOrOff(Config config, String key) {
    return OFF.equals(config.getString(key)) ? null : config.getDuration(key);
  }

  /** The idle-timeout that applies to {@code spec}: its own or the default, at most the cap; null: never culled. */
  Duration timeoutOf(EnvironmentSpec spec) {
    if (spec.service() != null) {
      // A service's replica serves whoever calls, not one user: its service decides when it goes.
      return null;
    }
    Duration timeout = spec.idleTimeout() != null ? spec.idleTimeout() : defaultTimeout;
    return timeout != null && maxTimeout != null && timeout.compareTo(maxTimeout) > 0 ? maxTimeout : timeout;
  }
}
