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
 */
public record IngestSettings(String group, int maxPayloadBytes, Duration maxClockSkew) {

  /** {@code root}: the whole configuration, for {@code dcloud.devices.readings}. */
  public static IngestSettings fromConfig(BrokerSettings broker, Config root) {
    return new IngestSettings(broker.ingestGroup(),
        (int) root.getMemorySize("dcloud.devices.readings.max-payload-bytes").toBytes(),
        root.getDuration("dcloud.devices.readings.max-clock-skew"));
  }

  /** {@code $share/<group>/<filter>}. */
  public String shared(String filter) {
    return "$share/" + group + "/" + filter;
  }
}
