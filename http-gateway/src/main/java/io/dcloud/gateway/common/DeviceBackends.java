package io.dcloud.gateway.common;

import com.typesafe.config.Config;
import io.dcloud.device.DeviceCommands;
import io.dcloud.device.DeviceRegistry;
import io.dcloud.device.DeviceSecrets;
import io.dcloud.device.ReadingStore;
import io.dcloud.device.ReadingsFeed;
import io.dcloud.secret.SecretKeys;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/**
 * What the device routes talk to.
 *
 * @param registry the device registry singleton's proxy
 * @param commands the command entity of a controller (sharded by device id)
 * @param readings where accepted readings are kept and counted
 * @param feed live accepted readings (SSE)
 * @param secrets derives device and service broker passwords; null when no {@code dcloud.secrets.key} is
 *     configured (then devices cannot be given credentials: 503)
 * @param brokerUrl what devices connect to ({@code dcloud.broker.public-url}, or tcp://host:port); null
 *     when the cluster has no broker ({@code dcloud.broker.enabled = off})
 */
public record DeviceBackends(
    ActorRef<DeviceRegistry.Command> registry,
    Function<String, EntityRef<DeviceCommands.Command>> commands,
    ReadingStore readings,
    ReadingsFeed feed,
    DeviceSecrets secrets,
    String brokerUrl) {

  /** {@code dcloud.broker.public-url}, or {@code tcp://<host>:<port>} when it is empty; null with the broker off. */
  public static String brokerUrl(Config config) {
    if (!config.getBoolean("dcloud.broker.enabled")) {
      return null;
    }
    String url = config.getString("dcloud.broker.public-url");
    return url.isBlank()
        ? "tcp://" + config.getString("dcloud.broker.host") + ":" + config.getInt("dcloud.broker.port") : url;
  }

  /** Whether the cluster has an MQTT broker ({@code dcloud.broker.enabled}): devices need one. */
  public boolean brokerEnabled() {
    return brokerUrl != null;
  }

  /** What needs the broker answers this when it is off. */
  public static Problem brokerOff() {
    return Problem.forStatus(StatusCodes.SERVICE_UNAVAILABLE, "sensors and controllers need the MQTT broker, which is"
        + " off on this cluster (dcloud.broker.enabled = off)");
  }

  /** The broker passwords' deriver of the cluster's secrets key; null without one. */
  public static DeviceSecrets secrets(Config config) {
    return SecretKeys.fromConfig(config).map(DeviceSecrets::new).orElse(null);
  }
}
