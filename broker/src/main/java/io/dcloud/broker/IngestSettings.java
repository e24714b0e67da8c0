package io.dcloud.broker;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * What the readings ingest needs from the configuration.
 *
 * @param group the shared subscription's group ({@code dcloud.broker.ingest-group}): each message
 *     goes to one of the gateways subscribed under it
 * @param maxPayloadBytes larger readings are rejected ({@code dcloud.devices.readings.max-payload-bytes})
 * @param maxClockSkew a device's {@code ts} further than this from the arrival is replaced by the
 *     arrival ({@code dcloud.devices.readings.max-clock-skew})
 * @param writeAttempts how often a failed write of a reading (or an app's command to its entity) is
 *     tried before the message is acknowledged anyway ({@code dcloud.broker.ingest-write-attempts})
 * @param writeBackoff the pause before the second attempt, doubled before each next one
 *     ({@code dcloud.broker.ingest-write-backoff})
 */
public record IngestSettings(String group, int maxPayloadBytes, Duration maxClockSkew, int writeAttempts,
    Duration writeBackoff) {

  /** {@code root}: the whole configuration, for {@code dcloud.devices.readings}. */
  public static IngestSettings fromConfig(BrokerSettings broker, Config root) {
    return new IngestSettings(broker.ingestGroup(),
        (int) root.getMemorySize("dcloud.devices.readings.max-payload-bytes").toBytes(),
        root.getDuration("dcloud.devices.readings.max-clock-skew"),
        root.getInt("dcloud.broker.ingest-write-attempts"),
        root.getDuration("dcloud.broker.ingest-write-backoff"));
  }

  /** {@code $share/<group>/<filter>}. */
  public String shared(String filter) {
    return "$share/" + group + "/" + filter;
  }
}
