package io.dcloud.gateway.service;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * Calling services' replicas straight at their published ports ({@code dcloud.services.routing.direct}
 * in reference.conf).
 *
 * @param enabled off: every call goes through the replica's environment entity and its node
 * @param otherNodes also replicas on other nodes whose port is published on an address other machines reach
 * @param nodeActivityInterval at least this often a replica's call goes through its node (its idle culling
 *     counts that traffic), and how long a replica that refused a direct call is called through its node
 * @param maxConnections keep-alive connections this gateway opens to one replica
 */
record DirectRouteSettings(boolean enabled, boolean otherNodes, Duration nodeActivityInterval, int maxConnections) {

  static final String PATH = "dcloud.services.routing.direct";

  static DirectRouteSettings fromConfig(Config config) {
    Config direct = config.getConfig(PATH);
    return new DirectRouteSettings(direct.getBoolean("enabled"), direct.getBoolean("other-nodes"),
        direct.getDuration("node-activity-interval"), direct.getInt("max-connections"));
  }
}
